// Private: what the parent does for a child while the child waits
// (LaunchMode::kParentActsFirst and kOwnMemory), and what a forked helper
// does for ExecInPlace(): id maps beyond the caller's own id, and pins.
//
// WriteIdMaps() is also how Namespace::Create() maps a new user namespace:
// one writer, with one fallback to newuidmap/newgidmap.
#ifndef LINUXNS_LIB_INTERNAL_SPAWN_PARENT_H_
#define LINUXNS_LIB_INTERNAL_SPAWN_PARENT_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/id_map.h"
#include "linuxns/pid_fd.h"
#include "linuxns/spawn_options.h"

namespace linuxns::internal {

// Writes /proc/PID/setgroups ("deny", when `deny_setgroups`), uid_map and
// gid_map (each when given) of process `pid`, from this process's user
// namespace. A map whose write is refused for lack of privilege (EPERM) goes
// through the set-user-ID helper newuidmap/newgidmap (package uidmap), which
// maps what /etc/subuid and /etc/subgid give the caller; its absence is
// named in the error. Messages start with `who`.
absl::Status WriteIdMaps(pid_t pid, const IdMap* uid_map, const IdMap* gid_map, bool deny_setgroups,
                         absl::string_view who);

// The pins PinNamespacesOf() made: each path, and whether it created the
// file.
using MadePins = std::vector<std::pair<std::string, bool>>;

// Pins the namespaces options.pins names, of process `child` (the
// *_for_children view for pid and time: a process in place has unshared
// those for its children); on failure removes the pins made so far.
absl::StatusOr<MadePins> PinNamespacesOf(const PidFd& child, const SpawnOptions& options);

// Removes pins made by PinNamespacesOf(), for a spawn that failed after it.
void RemovePins(const MadePins& pins);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SPAWN_PARENT_H_

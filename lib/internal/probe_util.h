// Private: what the probes (lib/probe.cc, lib/probe_features.cc) know, for
// them and for the rest of the library: small readers of the process's state,
// and ExplainCreateError(), the one explanation of a refused namespace
// creation.
#ifndef LINUXNS_LIB_INTERNAL_PROBE_UTIL_H_
#define LINUXNS_LIB_INTERNAL_PROBE_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
// ReadSmallFile() and ReadNumberFile() live there now; included for the
// files that still look for them here.
#include "internal/small_file.h"
#include "linuxns/ns_type.h"
#include "linuxns/pid_fd.h"

namespace linuxns::internal {

// The stack of a probe's throwaway child: it runs nothing but a system call.
inline constexpr std::size_t kProbeStackSize = std::size_t{64} * 1024;

// "EPERM", or "errno N".
std::string ErrnoName(int err);

// The number after "`key`:" in /proc/self/status ("Seccomp", "Threads").
std::optional<long long> ProcStatusNumber(absl::string_view key);

// A clause for a refused call: the seccomp mode, when a filter is installed;
// "" otherwise.
std::string SeccompClause();

// Whether the calling thread has capability `cap` in its effective set.
bool HasEffectiveCap(int cap);

// Whether `id` lies in an "inside" range of a uid_map/gid_map text.
bool IdMapCovers(absl::string_view map, std::uint32_t id);

// Waits for a probe child and returns its exit code.
absl::StatusOr<int> WaitExitCode(const PidFd& child);

// FindHelper()
//
// The first regular, executable file `name` in the directories of $PATH
// (/bin:/usr/bin when unset); nullopt for an empty name or one with a '/'.
// linuxns::FindHelper() (linuxns/probe.h) is this function; it lives here so
// that the spawn corridor finds newuidmap/newgidmap without calling up into
// the public API. Thread-safe unless the environment changes meanwhile.
std::optional<std::string> FindHelper(absl::string_view name);

// ExplainCreateError()
//
// Why creating namespaces of `types` failed with `err` (from clone, clone3 or
// unshare) and what to do about it, as a sentence for an error message: the
// first cause this process can read that gives `err` (a type the kernel lacks,
// a limit of 0, CAP_SYS_ADMIN missing, an unmapped owner, the
// unprivileged_userns_clone or AppArmor sysctls), else what `err` alone means
// (with the seccomp mode for EPERM and the limits' values for ENOSPC), else
// `otherwise`; followed by "; besides, " and the other readable causes that
// would refuse it too. `types` may be empty (a clone without CLONE_NEW*).
// Reads /proc; allocates; thread-safe.
std::string ExplainCreateError(int err, NsTypeSet types, absl::string_view otherwise = "");

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_PROBE_UTIL_H_

// linuxns/exec_in_place.h: apply SpawnOptions to this process, then exec.
//
// ExecInPlace() is what `unshare` without --fork does: the calling process
// itself unshares the new namespaces, joins the others, is set up exactly as
// a ChildProcess would be (maps, hostname, mounts, credentials, descriptors,
// signals) and then replaces itself with the command, keeping its pid.
//
//   linuxns::SpawnOptions options;
//   options.argv = {"/bin/sh"};
//   options.new_namespaces = {linuxns::NsType::kUts};
//   options.inherit_fds = true;
//   absl::Status failed = linuxns::ExecInPlace(options);   // returns on failure
//   std::cerr << failed << "\n";
//   return 1;
//
// Preconditions: the process has one thread (unsharing a user or mount
// namespace and entering user or time namespaces need that):
// FailedPrecondition otherwise, before anything changes. Options that cannot
// apply to the calling process are InvalidArgument: mount_proc (the process
// does not move into a new pid namespace; only its children would, so the new
// /proc would show the old one; spawn a ChildProcess instead). A new pid or
// time namespace is the one the exec'd program's *children* are created in.
//
// Id maps other than the caller's own id, and pins, are made by a short-lived
// helper process forked before the unshare: it stays in the parent user
// namespace, where the privilege to write the maps is, and in the original
// mount namespace, where the pins belong.
//
// On failure the status names the step, as ChildProcess::Spawn() does; the
// process may then be half set up (namespaces entered, signals reset) and
// should exit. Not thread-safe by nature (it changes the process).
#ifndef LINUXNS_EXEC_IN_PLACE_H_
#define LINUXNS_EXEC_IN_PLACE_H_

#include "absl/status/status.h"
#include "linuxns/export.h"
#include "linuxns/spawn_options.h"

namespace linuxns {

// ExecInPlace()
//
// See above. Returns only when something failed.
LINUXNS_EXPORT absl::Status ExecInPlace(const SpawnOptions& options);

}  // namespace linuxns

#endif  // LINUXNS_EXEC_IN_PLACE_H_

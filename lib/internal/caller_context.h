// Private: a child cloned by another thread than the one that asked for it
// starts where the asking thread is.
//
// The direct path clones from the calling thread, so the child inherits that
// thread's namespaces, root, working directory, umask and credentials. Two
// launches clone from the library's spawner thread instead
// (PreparedSpawn::on_spawner_thread): kill_on_parent_death, because
// PR_SET_PDEATHSIG follows the thread that clones, and a pid join the child
// cannot make itself. For those, the calling thread records what the child
// needs of it in the plan (TakeCallerIdentity: credentials and umask, which
// the child applies), and the spawner thread takes the calling thread's
// namespaces, root and working directory for the length of the clone
// (CallerContextSwitch), so that the clone makes its new namespaces from
// the same ones as the direct path would, then goes back.
//
// Not async-signal-safe; the switch runs on the spawner thread only.
#ifndef LINUXNS_LIB_INTERNAL_CALLER_CONTEXT_H_
#define LINUXNS_LIB_INTERNAL_CALLER_CONTEXT_H_

#include <sys/types.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {

struct PreparedSpawn;

// On the calling thread: records its id in `prepared` and puts in its plan
// the umask of this thread (unless the options set one) and its credentials
// where they differ from the process's (a raw setresuid(2) on one thread).
absl::Status TakeCallerIdentity(PreparedSpawn& prepared);

// The signals this process ignores (SigIgn of /proc/self/status), bit N-1
// for signal N; every signal when that cannot be read.
unsigned long long IgnoredSignals();

// On the thread that clones: the namespaces (mnt, net, uts, ipc, cgroup and
// pid_for_children), root and working directory of thread `caller_tid` of
// this process, while the object lives.
class CallerContextSwitch {
 public:
  // Enters what differs. FailedPrecondition when the caller's
  // time_for_children differs from this thread's (no thread of a
  // multi-threaded process can enter a time namespace); the errors of
  // setns(2), chroot(2), fchdir(2) otherwise, with what was entered undone.
  static absl::StatusOr<CallerContextSwitch> Enter(pid_t caller_tid);

  CallerContextSwitch(CallerContextSwitch&& other) noexcept;
  CallerContextSwitch& operator=(CallerContextSwitch&&) = delete;
  // Restore(), its error dropped.
  ~CallerContextSwitch();

  // Puts this thread back where it was; Internal naming what could not be
  // restored (the spawner thread then stays where it is: see
  // spawner_thread.h, which takes it home before its next job).
  absl::Status Restore();

 private:
  CallerContextSwitch() = default;
  struct Saved {
    UniqueFd fd;
    int nstype;
  };
  std::vector<Saved> namespaces_;  // this thread's own, in the order to restore
  UniqueFd root_;                  // this thread's root, when it changed
  UniqueFd cwd_;                   // this thread's working directory
  bool active_ = false;
};

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_CALLER_CONTEXT_H_

// linuxns/pid_fd.h: a race-free handle to a process.
//
// A PidFd is a pidfd (pidfd_open(2), Linux 5.3): a file descriptor that
// refers to one process for as long as it is held, so signals and namespace
// look-ups through it can never reach another process that was given the same
// pid after the first one exited. Poll it for readability to learn that the
// process exited.
//
//   absl::StatusOr<linuxns::PidFd> proc = linuxns::PidFd::Open(pid);
//   if (!proc.ok()) return proc.status();       // NotFound with ESRCH if gone
//   LINUXNS_RETURN_IF_ERROR(proc->SendSignal(SIGTERM));
//   absl::StatusOr<bool> exited = proc->WaitForExit(absl::Seconds(5));
//
// To identify a process without races, open the PidFd first, then read what
// you need about the process (its namespaces, say), then check with
// HasExited() that it is still the same live process: NsFd::FromPidFd() does
// exactly that.
//
// Errors: Open() returns NotFound (ESRCH) for a pid that does not exist;
// InvalidArgument for a pid <= 0 (checked before any call) and for a thread id
// that is not a process (the kernel's errno is kept: EINVAL before Linux 6.15,
// ENOENT since; OpenThread() opens a thread); Unimplemented (ENOSYS) naming
// Linux 5.3 where the kernel has no pidfds. linuxns never falls back to racy
// plain pids.
//
// Thread-safety: a PidFd is an immutable value apart from assignment; its
// const methods may be called from several threads at once.
#ifndef LINUXNS_PID_FD_H_
#define LINUXNS_PID_FD_H_

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linuxns/export.h"
#include "linuxns/unique_fd.h"

namespace linuxns {

// PidFd: an owning, move-only pidfd together with the pid it was opened for.
class LINUXNS_EXPORT PidFd {
 public:
  // An empty handle; valid() is false. Every other call on it fails with
  // FailedPrecondition.
  PidFd() = default;

  // Open()
  //
  // Opens a pidfd for process `pid` (a process, not a thread: pidfd_open(2)
  // with no flags). The descriptor is close-on-exec.
  static absl::StatusOr<PidFd> Open(pid_t pid);

  // OpenThread()
  //
  // Opens a pidfd for the one thread `tid` (pidfd_open(2) with PIDFD_THREAD,
  // Linux 6.9), the main thread of a process included. Namespace look-ups
  // through it (NsFd::FromPidFd) give the thread's own namespaces, which a
  // thread that called setns(2) or unshare(2) no longer shares with its
  // process; HasExited() and WaitForExit() wait for that thread's exit, and
  // SendSignal() signals that thread. pid() is `tid`. Errors as Open(), but a
  // thread id is what it is for; Unimplemented (EINVAL) naming Linux 6.9 on a
  // kernel without thread pidfds.
  static absl::StatusOr<PidFd> OpenThread(pid_t tid);

  // Self()
  //
  // Opens a pidfd for the calling process.
  static absl::StatusOr<PidFd> Self();

  // Adopt()
  //
  // Takes ownership of `fd`, a pidfd that refers to process `pid` (for
  // example from clone3(2) with CLONE_PIDFD). Makes no system call and checks
  // nothing: the caller vouches for the pair.
  static PidFd Adopt(UniqueFd fd, pid_t pid) { return PidFd(std::move(fd), pid); }

  // Moves the handle; the source is empty afterwards.
  PidFd(PidFd&&) noexcept = default;
  // Closes the held pidfd, if any, and takes the other's; it is empty
  // afterwards.
  PidFd& operator=(PidFd&&) noexcept = default;

  // The pid as seen from the pid namespace of the caller at Open() time.
  pid_t pid() const { return pid_; }
  // The descriptor, still owned by this object (-1 when empty).
  int get() const { return fd_.get(); }
  // True when this object holds a pidfd (false when default-constructed or
  // moved from).
  bool valid() const { return fd_.valid(); }

  // SendSignal()
  //
  // Sends `sig` to the process (pidfd_send_signal(2), Linux 5.1). NotFound
  // (ESRCH) once the process has been reaped; signalling a zombie succeeds and
  // does nothing, as kill(2) does.
  absl::Status SendSignal(int sig) const;

  // HasExited()
  //
  // True once the process has exited (it may still be an unreaped zombie).
  // Does not block.
  absl::StatusOr<bool> HasExited() const;

  // WaitForExit()
  //
  // Blocks until the process exits or `timeout` passes (absl::InfiniteDuration()
  // waits forever); returns whether it exited. Does not reap it: reaping is for
  // its parent (ChildProcess does that for the children linuxns spawns).
  // Retries on EINTR with the remaining time.
  absl::StatusOr<bool> WaitForExit(absl::Duration timeout) const;

 private:
  PidFd(UniqueFd fd, pid_t pid) : fd_(std::move(fd)), pid_(pid) {}

  UniqueFd fd_;
  pid_t pid_ = 0;
};

}  // namespace linuxns

#endif  // LINUXNS_PID_FD_H_

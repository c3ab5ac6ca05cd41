#include "linuxns/pid_fd.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "internal/kernel.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

absl::Status NotOpen() { return absl::FailedPreconditionError("PidFd is empty"); }

// pidfd_open(2) said ENOSYS.
absl::Status NoPidfds(int err) {
  return ErrnoError(absl::StatusCode::kUnimplemented, err,
                    "pidfd_open: the kernel has no pidfds (Linux 5.3 or later is needed)");
}

}  // namespace

absl::StatusOr<PidFd> PidFd::Open(pid_t pid) {
  if (pid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pidfd_open: invalid pid ", pid, " (must be > 0)"));
  }
  UniqueFd fd(internal::PidfdOpen(pid, 0));
  if (fd) return PidFd(std::move(fd), pid);
  const int err = errno;
  switch (err) {
    case ESRCH:
      return ErrnoError(err, absl::StrCat("pidfd_open ", pid));
    case ENOSYS:
      return NoPidfds(err);
    case EINVAL:  // a thread id, before Linux 6.15
    case ENOENT:  // a thread id, since Linux 6.15
      return ErrnoError(absl::StatusCode::kInvalidArgument, err,
                        absl::StrCat("pidfd_open ", pid, ": not a process (a thread id?)"));
    default:
      return ErrnoError(err, absl::StrCat("pidfd_open ", pid));
  }
}

absl::StatusOr<PidFd> PidFd::OpenThread(pid_t tid) {
  if (tid <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pidfd_open: invalid thread id ", tid, " (must be > 0)"));
  }
  UniqueFd fd(internal::PidfdOpen(tid, PIDFD_THREAD));
  if (fd) return PidFd(std::move(fd), tid);
  const int err = errno;
  switch (err) {
    case ENOSYS:
      return NoPidfds(err);
    case EINVAL:  // the flag is unknown: thread pidfds came with Linux 6.9
      return ErrnoError(absl::StatusCode::kUnimplemented, err,
                        absl::StrCat("pidfd_open ", tid,
                                     " PIDFD_THREAD: the kernel has no thread pidfds (Linux "
                                     "6.9 or later is needed)"));
    default:
      return ErrnoError(err, absl::StrCat("pidfd_open ", tid, " PIDFD_THREAD"));
  }
}

absl::StatusOr<PidFd> PidFd::Self() { return Open(::getpid()); }

absl::Status PidFd::SendSignal(int sig) const {
  if (!valid()) return NotOpen();
  if (internal::PidfdSendSignal(fd_.get(), sig) == 0) return absl::OkStatus();
  const int err = errno;
  return ErrnoError(err, absl::StrCat("pidfd_send_signal ", sig, " to pid ", pid_));
}

absl::StatusOr<bool> PidFd::HasExited() const { return WaitForExit(absl::ZeroDuration()); }

absl::StatusOr<bool> PidFd::WaitForExit(absl::Duration timeout) const {
  if (!valid()) return NotOpen();
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    int ms = -1;
    if (timeout != absl::InfiniteDuration()) {
      // Round up so that a sub-millisecond remainder still waits.
      absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
      ms = static_cast<int>(std::min<int64_t>(
          absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))), 1 << 30));
    }
    pollfd p{.fd = fd_.get(), .events = POLLIN, .revents = 0};
    int n = ::poll(&p, 1, ms);
    if (n > 0) return true;
    if (n == 0) return false;
    const int err = errno;
    if (err != EINTR) {
      return ErrnoError(err, absl::StrCat("poll pidfd of pid ", pid_));
    }
  }
}

}  // namespace linuxns

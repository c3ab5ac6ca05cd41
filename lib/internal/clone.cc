#include "internal/clone.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "child/clone_trampoline.h"
#include "child/kernel_constants.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "linuxns/ns_type.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {
namespace {

// struct clone_args of <linux/sched.h> (Linux 5.7 layout), spelled out here
// because that header's CLONE_* macros clash with glibc's <sched.h>.
struct CloneArgs {
  std::uint64_t flags;
  std::uint64_t pidfd;
  std::uint64_t child_tid;
  std::uint64_t parent_tid;
  std::uint64_t exit_signal;
  std::uint64_t stack;
  std::uint64_t stack_size;
  std::uint64_t tls;
  std::uint64_t set_tid;
  std::uint64_t set_tid_size;
  std::uint64_t cgroup;
};

constexpr std::size_t kGuardSize = 4096;

// Set once clone3 has answered ENOSYS; every later clone goes to clone(2).
std::atomic<bool> clone3_missing{false};
// Set once clone3 has refused CLONE_CLEAR_SIGHAND (EINVAL, before Linux 5.5).
std::atomic<bool> clear_sighand_missing{false};

}  // namespace

absl::StatusOr<ChildStack> ChildStack::Allocate(std::size_t size) {
  size = (size + 4095) & ~std::size_t{4095};
  void* p = ::mmap(nullptr, size + kGuardSize, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (p == MAP_FAILED) return ErrnoError(errno, "mmap child stack");
  if (::mprotect(p, kGuardSize, PROT_NONE) != 0) {
    const int err = errno;
    ::munmap(p, size + kGuardSize);
    return ErrnoError(err, "mprotect child stack guard");
  }
  return ChildStack(static_cast<char*>(p) + kGuardSize, size);
}

ChildStack::ChildStack(ChildStack&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)), size_(std::exchange(other.size_, 0)) {}

ChildStack& ChildStack::operator=(ChildStack&& other) noexcept {
  if (this != &other) {
    this->~ChildStack();
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

ChildStack::~ChildStack() {
  if (base_ != nullptr) ::munmap(static_cast<char*>(base_) - kGuardSize, size_ + kGuardSize);
}

void* ChildStack::top() const { return static_cast<char*>(base_) + size_; }

absl::StatusOr<PidFd> CloneVm(const CloneSpec& spec) {
  const std::uint64_t flags = spec.flags | CLONE_PIDFD |
                              (spec.share_memory ? std::uint64_t{CLONE_VM} : 0) |
                              (spec.share_files ? std::uint64_t{CLONE_FILES} : 0) |
                              (spec.cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  const std::uint64_t ns_flags = flags & NsTypeSet::All().ToCloneFlags();
  sigset_t all, old;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  long pid = -ENOSYS;
  if (!clone3_missing.load(std::memory_order_relaxed)) {
    CloneArgs args{};
    args.flags = flags;
    args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
    args.exit_signal = 0;
    args.stack = reinterpret_cast<std::uintptr_t>(spec.stack->base());
    args.stack_size = spec.stack->size();
    args.cgroup = spec.cgroup_fd >= 0 ? static_cast<std::uint64_t>(spec.cgroup_fd) : 0;
    const bool clear =
        spec.clear_signal_handlers && !clear_sighand_missing.load(std::memory_order_relaxed);
    if (clear) args.flags |= CLONE_CLEAR_SIGHAND;
    if (spec.handlers_cleared != nullptr) *spec.handlers_cleared = clear;
    pid = linuxns_clone3_run(&args, sizeof args, spec.fn, spec.arg);
    if (pid == -EINVAL && clear) {
      // Linux 5.3 and 5.4 know clone3 but not this flag: ask once more
      // without it, and the child resets the handlers itself.
      args.flags &= ~std::uint64_t{CLONE_CLEAR_SIGHAND};
      if (spec.handlers_cleared != nullptr) *spec.handlers_cleared = false;
      pid = linuxns_clone3_run(&args, sizeof args, spec.fn, spec.arg);
      if (pid != -EINVAL) clear_sighand_missing.store(true, std::memory_order_relaxed);
    }
    if (pid == -ENOSYS) clone3_missing.store(true, std::memory_order_relaxed);
  }
  if (pid == -ENOSYS) {
    // clone(2) takes the exit signal in the low byte, where CLONE_NEWTIME
    // lives, and has no room for CLONE_INTO_CGROUP.
    if ((flags & (CLONE_NEWTIME | CLONE_INTO_CGROUP)) != 0) {
      ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
      return ErrnoError(absl::StatusCode::kUnimplemented, ENOSYS,
                        "clone: a new time namespace or CLONE_INTO_CGROUP needs "
                        "clone3 (Linux 5.3), which this system refuses");
    }
    if (spec.handlers_cleared != nullptr) *spec.handlers_cleared = false;
    pid = ::clone(spec.fn, spec.stack->top(), static_cast<int>(flags), spec.arg, &pidfd);
    if (pid < 0) pid = -errno;
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    const int err = static_cast<int>(-pid);
    if (spec.cgroup_fd >= 0 && (err == EBADF || err == EOPNOTSUPP)) {
      return ErrnoError(absl::StatusCode::kInvalidArgument, err,
                        "clone into cgroup (cgroup_fd must be a directory of the cgroup "
                        "v2 hierarchy)");
    }
    if (spec.cgroup_fd >= 0 && err == EBUSY) {
      return ErrnoError(err, "clone into cgroup",
                        "the cgroup has child cgroups with controllers enabled, or is a "
                        "threaded one; processes must go to a leaf");
    }
    return DescribeCloneError(err, ns_flags, "clone");
  }
  return PidFd::Adopt(UniqueFd(pidfd), static_cast<pid_t>(pid));
}

bool Clone3Available() { return !clone3_missing.load(std::memory_order_relaxed); }

absl::Status Reap(const PidFd& child) {
  siginfo_t info;
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.get()), &info,
                  WEXITED | __WALL) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != ECHILD) return ErrnoError(err, absl::StrCat("waitid pid ", child.pid()));
    // Reaped by another thread of this process (a waitpid(-1, ..., __WALL)
    // loop): gone, once the pidfd says it exited; a process that is not our
    // child at all never turns readable here.
    pollfd p{child.get(), POLLIN, 0};
    int ready;
    while ((ready = ::poll(&p, 1, 1000)) < 0 && errno == EINTR) {
    }
    if (ready == 1) return absl::OkStatus();
    return ErrnoError(ECHILD, absl::StrCat("waitid pid ", child.pid()),
                      "not a child of this process, and still running");
  }
  return absl::OkStatus();
}

absl::Status KillAndReap(const PidFd& child) {
  if (PidfdSendSignal(child.get(), SIGKILL) != 0 && errno != ESRCH) {
    return ErrnoError(errno, absl::StrCat("kill pid ", child.pid()));
  }
  return Reap(child);
}

namespace {

absl::Status StatusTakenElsewhere(const PidFd& child) {
  return ErrnoError(absl::StatusCode::kFailedPrecondition, ECHILD,
                    absl::StrCat("waitid pid ", child.pid(),
                                 ": the child was reaped by someone else (SIGCHLD ignored, "
                                 "or a waitpid(-1) loop in this program), and this kernel "
                                 "keeps no exit status for pidfds (Linux 6.15 does)"));
}

}  // namespace

absl::StatusOr<ExitStatus> ExitStatusFromPidfd(const PidFd& child) {
  // The pidfd turns readable at exit; the status is recorded when the child
  // is released, a moment later. (Linux 6.13 and 6.14 answer ESRCH for a
  // reaped child and never record it: those get the explanation below.)
  for (int attempt = 0; attempt < 100; ++attempt) {
    LinuxnsPidfdInfo info{};
    info.mask = LINUXNS_PIDFD_INFO_EXIT;
    if (::ioctl(child.get(), LINUXNS_PIDFD_GET_INFO, &info) != 0) {
      const int err = errno;
      if (err == ENOTTY || err == EINVAL || err == ENOSYS) {
        return StatusTakenElsewhere(child);
      }
      if (err != ESRCH) return ErrnoError(err, "ioctl PIDFD_GET_INFO");
    } else if ((info.mask & LINUXNS_PIDFD_INFO_EXIT) != 0) {
      const int w = info.exit_code;
      if (WIFEXITED(w)) return ExitStatus::Exited(WEXITSTATUS(w));
      return ExitStatus::Signaled(WTERMSIG(w), WCOREDUMP(w));
    }
    ::usleep(1000);
  }
  return StatusTakenElsewhere(child);
}

absl::Status DescribeCloneError(int err, std::uint64_t ns_flags, absl::string_view what) {
  const NsTypeSet types = NsTypeSet::FromCloneFlags(ns_flags).value_or(NsTypeSet());
  std::string message(what);
  if (!types.empty()) absl::StrAppend(&message, " with new ", types.ToString(), " namespaces");
  return ErrnoError(err, message, ExplainCreateError(err, types));
}

void ResetCloneFallbackForTesting() { clone3_missing.store(false); }

}  // namespace linuxns::internal

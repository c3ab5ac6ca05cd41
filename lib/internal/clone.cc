#include "internal/clone.h"

#include <fcntl.h>
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

// The first line of a small /proc file, or "" when it cannot be read.
std::string ReadProcLine(const char* path) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  char buf[64] = {};
  if (!fd || ::read(fd.get(), buf, sizeof buf - 1) <= 0) return "";
  std::string line(buf);
  return line.substr(0, line.find('\n'));
}

// Why creating a user namespace says EPERM: the sysctls that exist here and
// refuse it, else the usual suspects.
std::string UserNamespaceRefusal() {
  if (ReadProcLine("/proc/sys/kernel/unprivileged_userns_clone") == "0" && ::geteuid() != 0) {
    return "unprivileged user namespaces are disabled: sysctl "
           "kernel.unprivileged_userns_clone=1 enables them";
  }
  if (ReadProcLine("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1") {
    return "AppArmor restricts unprivileged user namespaces: sysctl "
           "kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile "
           "that allows them";
  }
  return "user namespaces cannot be created from a chroot, and a seccomp filter or a "
         "security module may refuse them (see Seccomp: in /proc/self/status)";
}

// The limits files for the types in `flags`, for ENOSPC's message.
std::string LimitFiles(std::uint64_t ns_flags) {
  std::string files;
  absl::StatusOr<NsTypeSet> types = NsTypeSet::FromCloneFlags(ns_flags);
  if (!types.ok()) return files;
  for (NsType t : *types) {
    absl::StrAppend(&files, files.empty() ? "" : ", ", "/proc/sys/user/max_", NsTypeName(t),
                    "_namespaces");
  }
  return files;
}

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
    pid = linuxns_clone3_run(&args, sizeof args, spec.fn, spec.arg);
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
    if (err != EINTR) return ErrnoError(err, absl::StrCat("waitid pid ", child.pid()));
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
  const bool user = (ns_flags & CloneFlag(NsType::kUser)) != 0;
  std::string hint;
  switch (err) {
    case EPERM:
      hint = !user ? "creating these namespaces needs CAP_SYS_ADMIN: run as root, or create "
                     "a user namespace along with them"
                   : UserNamespaceRefusal();
      break;
    case ENOSPC:
      hint = absl::StrCat("a namespace limit was reached: see ", LimitFiles(ns_flags),
                          " (user and pid namespaces also nest at most 32 deep)");
      break;
    case EUSERS:
      hint = "user namespaces nest at most 32 deep (EUSERS before Linux 4.9)";
      break;
    case EINVAL:
      hint =
          "this kernel rejects this combination of flags, or lacks one of the "
          "namespace types (CONFIG_*_NS)";
      break;
    case EAGAIN:
      hint = "too many processes: RLIMIT_NPROC, or kernel.threads-max / pid_max";
      break;
    case ENOMEM:
      hint =
          "out of memory, or the pid namespace to create the process in has no "
          "init anymore (its PID 1 exited)";
      break;
    case EACCES:
      hint = "refused by a security module (AppArmor, SELinux or another LSM policy)";
      break;
    default:
      break;
  }
  std::string message(what);
  if (ns_flags != 0) {
    absl::StrAppend(&message, " with new ", NsTypeSet::FromCloneFlags(ns_flags)->ToString(),
                    " namespaces");
  }
  return ErrnoError(err, message, hint);
}

void ResetCloneFallbackForTesting() { clone3_missing.store(false); }

}  // namespace linuxns::internal

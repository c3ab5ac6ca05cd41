// The kernel-feature half of linuxns/probe.h: each feature decided by a
// harmless call whose errno tells.
#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "child/kernel_constants.h"
#include "child/probe_child.h"
#include "child/raw_syscall.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "linuxns/pid_fd.h"
#include "linuxns/probe.h"
#include "linuxns/status.h"
#include "linuxns/subid.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

using child::ExitAtOnce;
using internal::ErrnoName;
using internal::kProbeStackSize;
using internal::SeccompClause;

// ---------------------------------------------------------------------------
// Kernel features.

struct FeatureSpec {
  KernelFeatureId id;
  const char* name;
  int major;
  int minor;
};

constexpr FeatureSpec kFeatureSpecs[kKernelFeatureCount] = {
    {KernelFeatureId::kClone3, "clone3", 5, 3},
    {KernelFeatureId::kPidfdOpen, "pidfd_open", 5, 3},
    {KernelFeatureId::kSetnsPidfd, "setns by pidfd", 5, 8},
    {KernelFeatureId::kCloneIntoCgroup, "CLONE_INTO_CGROUP", 5, 7},
    {KernelFeatureId::kCloseRange, "close_range", 5, 9},
    {KernelFeatureId::kTimeNamespaces, "time namespaces", 5, 6},
    {KernelFeatureId::kPidfdNsIoctls, "PIDFD_GET_*_NAMESPACE", 6, 11},
    {KernelFeatureId::kPidfdInfoExit, "PIDFD_INFO_EXIT", 6, 15},
    {KernelFeatureId::kOpenat2, "openat2", 5, 6},
    {KernelFeatureId::kNsGetNstype, "NS_GET_NSTYPE", 4, 11},
};

struct Answer {
  bool available;
  std::string detail;
};

Answer Present(std::string detail) { return Answer{true, std::move(detail)}; }
Answer Missing(std::string detail) { return Answer{false, std::move(detail)}; }

// The errno of a raw system call that is expected to fail (0 if it did not).
int ErrnoOfCall(long result) { return result < 0 ? errno : 0; }

Answer AskByErrno(const char* call, int err, int missing_errno) {
  if (err == missing_errno) {
    return Missing(absl::StrCat(call, " answers ", ErrnoName(err)));
  }
  if (err == EINVAL || err == EBADF) {
    return Present(absl::StrCat(call, " answers ", ErrnoName(err), ": it exists"));
  }
  // EPERM and the like come from a seccomp filter, not from the kernel's own
  // argument checks.
  return Missing(absl::StrCat(call, " answers ", err == 0 ? "success" : ErrnoName(err),
                              ", not EINVAL: it is refused"));
}

Answer ProbeClone3() {
  // A size below CLONE_ARGS_SIZE_VER0 is rejected before anything is read.
  return AskByErrno("clone3(NULL, 0)", ErrnoOfCall(::syscall(SYS_clone3, nullptr, 0)), ENOSYS);
}

Answer ProbePidfdOpen() {
  return AskByErrno("pidfd_open(0, 0)", ErrnoOfCall(::syscall(SYS_pidfd_open, 0, 0)), ENOSYS);
}

Answer ProbeCloseRange() {
  return AskByErrno("close_range(1, 0, 0)", ErrnoOfCall(::syscall(SYS_close_range, 1u, 0u, 0u)),
                    ENOSYS);
}

Answer ProbeOpenat2() {
  // A size below OPEN_HOW_SIZE_VER0 is rejected before the path is looked at.
  return AskByErrno("openat2(AT_FDCWD, NULL, NULL, 0)",
                    ErrnoOfCall(::syscall(SYS_openat2, AT_FDCWD, nullptr, nullptr, 0)), ENOSYS);
}

Answer ProbeCloneIntoCgroup() {
  // struct clone_args of Linux 5.7 (CLONE_ARGS_SIZE_VER2, 88 bytes) with a
  // cgroup fd above INT_MAX. A kernel that knows the field rejects the value
  // with EINVAL; an older one rejects the unknown non-zero tail with E2BIG
  // (copy_struct_from_user). Neither creates a process.
  struct {
    std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
  } args{};
  args.flags = CLONE_INTO_CGROUP;
  args.cgroup = std::uint64_t{INT_MAX} + 1;
  const long pid = ::syscall(SYS_clone3, &args, sizeof args);
  const int err = ErrnoOfCall(pid);
  if (pid == 0) ::_exit(0);  // never expected: leave at once, as a bare fork would
  if (pid > 0) ::waitpid(static_cast<pid_t>(pid), nullptr, __WALL);
  if (err == ENOSYS) return Missing("clone3 answers ENOSYS, and the flag needs clone3");
  if (err == E2BIG) {
    return Missing("clone3 answers E2BIG to the cgroup field: the kernel does not know it");
  }
  if (err == EINVAL) {
    return Present("clone3 answers EINVAL to an out-of-range cgroup fd: the field exists");
  }
  return Missing(absl::StrCat("clone3 answers ", pid > 0 ? "success" : ErrnoName(err),
                              ", not EINVAL: it is refused"));
}

Answer ProbeTimeNamespaces() {
  if (::access("/proc/self/ns/time", F_OK) == 0) {
    return Present("/proc/self/ns/time exists");
  }
  const int err = errno;
  if (::access("/proc/self/ns/net", F_OK) != 0) {
    return Missing("/proc/self/ns is not there: is /proc mounted?");
  }
  return Missing(absl::StrCat("/proc/self/ns/time: ", std::strerror(err),
                              " (a kernel before 5.6 or without CONFIG_TIME_NS)"));
}

Answer ProbeNsGetNstype() {
  UniqueFd ns(::open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC));
  if (!ns) {
    return Missing(absl::StrCat("open /proc/self/ns/uts: ", std::strerror(errno)));
  }
  const int type = ::ioctl(ns.get(), NS_GET_NSTYPE);
  if (type == static_cast<int>(CloneFlag(NsType::kUts))) {
    return Present("NS_GET_NSTYPE on /proc/self/ns/uts answers CLONE_NEWUTS");
  }
  if (type < 0) {
    return Missing(absl::StrCat("NS_GET_NSTYPE answers ", ErrnoName(errno)));
  }
  return Missing(absl::StrCat("NS_GET_NSTYPE answers ", type, ", not CLONE_NEWUTS"));
}

Answer ProbePidfdNsIoctls() {
  absl::StatusOr<PidFd> self = PidFd::Self();
  if (!self.ok()) {
    return Missing(absl::StrCat("no pidfd of this process to ask: ", self.status().message()));
  }
  UniqueFd ns(::ioctl(self->get(), PIDFD_GET_UTS_NAMESPACE, 0));
  if (ns) return Present("PIDFD_GET_UTS_NAMESPACE on this process's pidfd gives a fd");
  return Missing(absl::StrCat("PIDFD_GET_UTS_NAMESPACE answers ", ErrnoName(errno)));
}

// Both need the pidfd of a process that has exited and been reaped.
Answer ProbeSetnsPidfd(const PidFd& dead) {
  // Since 5.8 a pidfd is accepted and its (gone) process looked up: ESRCH.
  // Before, anything but a namespace fd is EINVAL.
  const int err = ErrnoOfCall(::setns(dead.get(), CLONE_NEWUTS));
  if (err == ESRCH) {
    return Present("setns(pidfd of a reaped child, CLONE_NEWUTS) answers ESRCH");
  }
  if (err == EINVAL) {
    return Missing("setns answers EINVAL to a pidfd: it takes namespace fds only");
  }
  return Missing(absl::StrCat("setns answers ", err == 0 ? "success" : ErrnoName(err),
                              ", not ESRCH: it is refused"));
}

Answer ProbePidfdInfoExit(const PidFd& dead) {
  LinuxnsPidfdInfo info{};
  info.mask = LINUXNS_PIDFD_INFO_EXIT;
  if (::ioctl(dead.get(), LINUXNS_PIDFD_GET_INFO, &info) == 0) {
    if ((info.mask & LINUXNS_PIDFD_INFO_EXIT) != 0) {
      return Present("PIDFD_GET_INFO keeps the exit status of a reaped child");
    }
    return Missing("PIDFD_GET_INFO answers without PIDFD_INFO_EXIT for a reaped child");
  }
  const int err = errno;
  if (err == ESRCH) {
    return Missing(
        "PIDFD_GET_INFO answers ESRCH for a reaped child: no exit status "
        "is kept (Linux 6.13 and 6.14)");
  }
  return Missing(
      absl::StrCat("PIDFD_GET_INFO answers ", ErrnoName(err), " (the ioctl came with Linux 6.13)"));
}

// Adds to a missing feature's detail what most likely removed it.
void ExplainMissing(const FeatureSpec& spec, const absl::StatusOr<KernelVersion>& version,
                    Answer& answer) {
  if (answer.available || !version.ok()) return;
  if (!version->AtLeast(spec.major, spec.minor)) {
    absl::StrAppend(&answer.detail, " (added in Linux ", spec.major, ".", spec.minor,
                    "; this kernel is ", version->release, ")");
    return;
  }
  std::string seccomp = SeccompClause();
  absl::StrAppend(&answer.detail, " although Linux ", version->major, ".", version->minor,
                  " has it: ",
                  seccomp.empty() ? "the kernel was built without it, or a security "
                                    "module refuses it"
                                  : absl::StrCat(seccomp, " that probably refuses it"));
}

}  // namespace

absl::StatusOr<KernelVersion> RunningKernelVersion() {
  struct utsname uts;
  if (::uname(&uts) != 0) return ErrnoError(errno, "uname");
  KernelVersion version;
  version.release = uts.release;
  std::vector<absl::string_view> parts =
      absl::StrSplit(version.release, absl::MaxSplits(absl::ByAnyChar(".-+_"), 3));
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[0], &version.major) ||
      !absl::SimpleAtoi(parts[1], &version.minor)) {
    return absl::InternalError(
        absl::StrCat("uname release \"", version.release, "\" is not MAJOR.MINOR..."));
  }
  if (parts.size() > 2 && !absl::SimpleAtoi(parts[2], &version.patch)) version.patch = 0;
  return version;
}

absl::StatusOr<std::vector<KernelFeature>> ProbeKernelFeatures() {
  // A child that has exited and been reaped, for the two pidfd checks.
  LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack stack,
                           internal::ChildStack::Allocate(kProbeStackSize));
  internal::CloneSpec spec;
  spec.fn = ExitAtOnce;
  spec.stack = &stack;
  absl::StatusOr<PidFd> dead = internal::CloneVm(spec);
  // Before Linux 5.2 CLONE_PIDFD is EINVAL; then neither check can pass.
  if (!dead.ok() && ErrnoOf(dead.status()) != EINVAL) return dead.status();
  if (dead.ok()) {
    absl::Status reaped = internal::Reap(*dead);
    if (!reaped.ok()) {
      stack.Leak();  // it may still run on it
      return reaped;
    }
  }

  const absl::StatusOr<KernelVersion> version = RunningKernelVersion();
  std::vector<KernelFeature> features;
  features.reserve(kKernelFeatureCount);
  for (const FeatureSpec& spec_of : kFeatureSpecs) {
    Answer answer{false, ""};
    switch (spec_of.id) {
      case KernelFeatureId::kClone3:
        answer = ProbeClone3();
        break;
      case KernelFeatureId::kPidfdOpen:
        answer = ProbePidfdOpen();
        break;
      case KernelFeatureId::kSetnsPidfd:
        answer = dead.ok() ? ProbeSetnsPidfd(*dead)
                           : Missing("clone(2) gives no pidfd (CLONE_PIDFD is EINVAL)");
        break;
      case KernelFeatureId::kCloneIntoCgroup:
        answer = ProbeCloneIntoCgroup();
        break;
      case KernelFeatureId::kCloseRange:
        answer = ProbeCloseRange();
        break;
      case KernelFeatureId::kTimeNamespaces:
        answer = ProbeTimeNamespaces();
        break;
      case KernelFeatureId::kPidfdNsIoctls:
        answer = ProbePidfdNsIoctls();
        break;
      case KernelFeatureId::kPidfdInfoExit:
        answer = dead.ok() ? ProbePidfdInfoExit(*dead)
                           : Missing("clone(2) gives no pidfd (CLONE_PIDFD is EINVAL)");
        break;
      case KernelFeatureId::kOpenat2:
        answer = ProbeOpenat2();
        break;
      case KernelFeatureId::kNsGetNstype:
        answer = ProbeNsGetNstype();
        break;
    }
    ExplainMissing(spec_of, version, answer);
    features.push_back(KernelFeature{spec_of.id, spec_of.name, spec_of.major, spec_of.minor,
                                     answer.available, std::move(answer.detail)});
  }
  return features;
}

}  // namespace linuxns

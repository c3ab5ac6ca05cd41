#include "linuxns/probe.h"

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
#include "child/raw_syscall.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/subid.h"
#include "linuxns/unique_fd.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

namespace linuxns {
namespace {

// The throwaway children run nothing but a system call; the size only has to
// cover the trampoline and sanitizer builds.
constexpr std::size_t kProbeStackSize = 64 * 1024;

// ---------------------------------------------------------------------------
// Child side. Both functions run in a cloned child between clone and exit:
// async-signal-safe, raw system calls only, no errno (see child/raw_syscall.h).

// For a CLONE_VM child whose only job is to have been created.
int ExitAtOnce(void* /*unused*/) { return 0; }

struct EnterPlan {
  int fd;
  long nstype;
};

// For a child with its own memory: the exit code is setns's errno, or 0.
int EnterAndExit(void* arg) {
  const EnterPlan* plan = static_cast<const EnterPlan*>(arg);
  const long r = child::RawSyscall(SYS_setns, plan->fd, plan->nstype);
  return r < 0 ? static_cast<int>(-r) : 0;
}
// ---------------------------------------------------------------------------

std::string ErrnoName(int err) {
  const char* name = ::strerrorname_np(err);
  return name != nullptr ? name : absl::StrCat("errno ", err);
}

// The whole of a small file (procfs, sysctl, /etc/subuid), or nullopt when it
// cannot be read.
std::optional<std::string> ReadSmallFile(const char* path) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

// A sysctl or other one-number file; nullopt when absent or unreadable.
std::optional<long long> ReadNumberFile(const char* path) {
  std::optional<std::string> text = ReadSmallFile(path);
  long long value = 0;
  if (!text || !absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &value)) {
    return std::nullopt;
  }
  return value;
}

// The number after "`key`:" in /proc/self/status ("Seccomp", "Threads").
std::optional<long long> ProcStatusNumber(absl::string_view key) {
  std::optional<std::string> text = ReadSmallFile("/proc/self/status");
  if (!text) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, key) || !absl::ConsumePrefix(&line, ":")) continue;
    long long value = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &value)) return value;
  }
  return std::nullopt;
}

// A clause for a refused call: the seccomp mode, when a filter is installed.
std::string SeccompClause() {
  std::optional<long long> mode = ProcStatusNumber("Seccomp");
  if (mode.value_or(0) == 0) return "";
  return absl::StrCat("this process runs under a seccomp filter (Seccomp: ", *mode,
                      " in /proc/self/status)");
}

bool HasEffectiveCap(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

// Whether `id` lies in an "inside" range of a uid_map/gid_map text.
bool IdMapCovers(absl::string_view map, std::uint32_t id) {
  for (absl::string_view line : absl::StrSplit(map, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    std::uint64_t inside = 0, count = 0;
    if (fields.size() == 3 && absl::SimpleAtoi(fields[0], &inside) &&
        absl::SimpleAtoi(fields[2], &count) && id >= inside && id - inside < count) {
      return true;
    }
  }
  return false;
}

// Waits for a probe child and returns its exit code.
absl::StatusOr<int> WaitExitCode(const PidFd& child) {
  siginfo_t info{};
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.get()), &info,
                  WEXITED | __WALL) != 0) {
    const int err = errno;
    if (err != EINTR) return ErrnoError(err, absl::StrCat("waitid pid ", child.pid()));
  }
  if (info.si_code == CLD_EXITED) return info.si_status;
  return absl::InternalError(absl::StrCat("probe child pid ", child.pid(),
                                          " was killed by signal ", info.si_status));
}

// "a net namespace", "mnt, net and uts namespaces".
std::string DescribeTypes(NsTypeSet types) {
  std::vector<std::string> names;
  for (NsType t : types) names.emplace_back(NsTypeName(t));
  if (names.size() == 1) return absl::StrCat("a ", names[0], " namespace");
  std::string last = std::move(names.back());
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " and ", last, " namespaces");
}

std::string LimitFile(NsType type) {
  return absl::StrCat("/proc/sys/user/max_", NsTypeName(type), "_namespaces");
}

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
  return AskByErrno("clone3(NULL, 0)", ErrnoOfCall(::syscall(SYS_clone3, nullptr, 0)),
                    ENOSYS);
}

Answer ProbePidfdOpen() {
  return AskByErrno("pidfd_open(0, 0)", ErrnoOfCall(::syscall(SYS_pidfd_open, 0, 0)),
                    ENOSYS);
}

Answer ProbeCloseRange() {
  return AskByErrno("close_range(1, 0, 0)",
                    ErrnoOfCall(::syscall(SYS_close_range, 1u, 0u, 0u)), ENOSYS);
}

Answer ProbeOpenat2() {
  // A size below OPEN_HOW_SIZE_VER0 is rejected before the path is looked at.
  return AskByErrno("openat2(AT_FDCWD, NULL, NULL, 0)",
                    ErrnoOfCall(::syscall(SYS_openat2, AT_FDCWD, nullptr, nullptr, 0)),
                    ENOSYS);
}

Answer ProbeCloneIntoCgroup() {
  // struct clone_args of Linux 5.7 (CLONE_ARGS_SIZE_VER2, 88 bytes) with a
  // cgroup fd above INT_MAX. A kernel that knows the field rejects the value
  // with EINVAL; an older one rejects the unknown non-zero tail with E2BIG
  // (copy_struct_from_user). Neither creates a process.
  struct {
    std::uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size,
        tls, set_tid, set_tid_size, cgroup;
  } args{};
  args.flags = CLONE_INTO_CGROUP;
  args.cgroup = std::uint64_t{INT_MAX} + 1;
  const long pid = ::syscall(SYS_clone3, &args, sizeof args);
  const int err = ErrnoOfCall(pid);
  if (pid == 0) ::_exit(0);  // never expected: leave at once, as a bare fork would
  if (pid > 0) ::waitpid(static_cast<pid_t>(pid), nullptr, __WALL);
  if (err == ENOSYS) return Missing("clone3 answers ENOSYS, and the flag needs clone3");
  if (err == E2BIG) {
    return Missing(
        "clone3 answers E2BIG to the cgroup field: the kernel does not know it");
  }
  if (err == EINVAL) {
    return Present(
        "clone3 answers EINVAL to an out-of-range cgroup fd: the field exists");
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
    return Missing(
        absl::StrCat("no pidfd of this process to ask: ", self.status().message()));
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
  return Missing(absl::StrCat("PIDFD_GET_INFO answers ", ErrnoName(err),
                              " (the ioctl came with Linux 6.13)"));
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

// ---------------------------------------------------------------------------
// ProbeCreate.

// Something the probe can read that stops a creation, and the errno(s) the
// kernel gives for it.
struct Blocker {
  int err;
  int other_err;
  std::string text;
};

const char* ConfigOption(NsType type) {
  switch (type) {
    case NsType::kMnt:
      return "CONFIG_NAMESPACES";
    case NsType::kUts:
      return "CONFIG_UTS_NS";
    case NsType::kIpc:
      return "CONFIG_IPC_NS";
    case NsType::kPid:
      return "CONFIG_PID_NS";
    case NsType::kNet:
      return "CONFIG_NET_NS";
    case NsType::kUser:
      return "CONFIG_USER_NS";
    case NsType::kCgroup:
      return "CONFIG_CGROUPS";
    case NsType::kTime:
      return "CONFIG_TIME_NS";
  }
  return "";
}

void FindMissingTypes(NsTypeSet types, std::vector<Blocker>& blockers) {
  if (::access("/proc/self/ns", F_OK) != 0) return;  // no /proc: nothing to tell
  for (NsType t : types) {
    const std::string path = absl::StrCat("/proc/self/ns/", NsTypeName(t));
    if (::access(path.c_str(), F_OK) == 0 || errno != ENOENT) continue;
    blockers.push_back(
        {EINVAL, 0,
         absl::StrCat("this kernel has no ", NsTypeName(t), " namespaces (", path,
                      " does not exist): it was built without ", ConfigOption(t),
                      t == NsType::kTime ? ", or is older than Linux 5.6" : "")});
  }
}

void FindDisabledTypes(NsTypeSet types, std::vector<Blocker>& blockers) {
  for (NsType t : types) {
    const std::string file = LimitFile(t);
    if (ReadNumberFile(file.c_str()) != 0) continue;
    blockers.push_back(
        {ENOSPC, 0,
         absl::StrCat(NsTypeName(t), " namespaces are disabled: ", file,
                      " is 0; raise it (sysctl -w user.max_", NsTypeName(t),
                      "_namespaces=N, as root of the user namespace it belongs to)")});
  }
}

void FindUserNsBlockers(bool cap_sys_admin, std::vector<Blocker>& blockers) {
  const std::optional<std::string> uid_map = ReadSmallFile("/proc/self/uid_map");
  const std::optional<std::string> gid_map = ReadSmallFile("/proc/self/gid_map");
  const bool uid_unmapped = uid_map && !IdMapCovers(*uid_map, ::geteuid());
  const bool gid_unmapped = gid_map && !IdMapCovers(*gid_map, ::getegid());
  if (uid_unmapped || gid_unmapped) {
    blockers.push_back(
        {EPERM, 0,
         absl::StrCat("this process's effective ", uid_unmapped ? "uid" : "gid",
                      " has no mapping in its own user namespace (/proc/self/",
                      uid_unmapped ? "uid_map" : "gid_map",
                      " does not cover it), and the kernel lets no unmapped owner "
                      "create a user namespace: write uid_map and gid_map of the "
                      "current user namespace first")});
  }
  if (cap_sys_admin) return;
  if (ReadNumberFile("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
    blockers.push_back(
        {EPERM, 0,
         "unprivileged user namespaces are disabled: "
         "/proc/sys/kernel/unprivileged_userns_clone is 0; enable them (sysctl -w "
         "kernel.unprivileged_userns_clone=1) or run as root"});
  }
  if (ReadNumberFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
    blockers.push_back(
        {EACCES, EPERM,
         "AppArmor restricts unprivileged user namespaces "
         "(/proc/sys/kernel/apparmor_restrict_unprivileged_userns is 1): one made "
         "without a profile that allows it gets no capabilities; confine this "
         "program with an AppArmor profile containing `userns,`, or set the sysctl "
         "to 0"});
  }
}

std::vector<Blocker> FindBlockers(NsTypeSet types) {
  std::vector<Blocker> blockers;
  FindMissingTypes(types, blockers);
  FindDisabledTypes(types, blockers);
  const bool cap_sys_admin = HasEffectiveCap(CAP_SYS_ADMIN);
  if (!types.Contains(NsType::kUser) && !cap_sys_admin) {
    blockers.push_back(
        {EPERM, 0,
         absl::StrCat("creating ", DescribeTypes(types),
                      " needs CAP_SYS_ADMIN in this process's user namespace, which "
                      "this process (euid ",
                      ::geteuid(),
                      ") does not have: run it as root, or create a user namespace "
                      "along with it (add NsType::kUser, as `unshare --user "
                      "--map-root-user` does)")});
  }
  if (types.Contains(NsType::kUser)) FindUserNsBlockers(cap_sys_admin, blockers);
  return blockers;
}

// What the errno alone says, when no reading explains it.
std::string ExplainCloneErrno(int err, NsTypeSet types, const absl::Status& status) {
  const std::string what = DescribeTypes(types);
  switch (err) {
    case EPERM: {
      std::string seccomp = SeccompClause();
      return absl::StrCat(
          "the kernel refuses to create ", what,
          " and nothing the probe can read explains it: ",
          seccomp.empty() ? "" : absl::StrCat(seccomp, " that may refuse clone; "),
          "a security module (SELinux, AppArmor, Landlock) may refuse it, see the "
          "kernel log (dmesg)",
          types.Contains(NsType::kUser)
              ? "; a process in a chroot cannot create user namespaces"
              : "");
    }
    case ENOSPC: {
      std::vector<std::string> limits;
      for (NsType t : types) {
        const std::string file = LimitFile(t);
        std::optional<long long> max = ReadNumberFile(file.c_str());
        limits.push_back(
            absl::StrCat(file, " is ", max ? absl::StrCat(*max) : "unreadable"));
      }
      return absl::StrCat(
          "a namespace limit is reached: ", absl::StrJoin(limits, ", "),
          " here, and a parent user namespace may set a lower limit that cannot be "
          "read from here; user and pid namespaces also nest at most 32 deep: end "
          "unused namespaces of this user, or raise the limit (sysctl -w "
          "user.max_<type>_namespaces=N)");
    }
    case EACCES:
      return absl::StrCat("a security module refuses to create ", what,
                          " (SELinux, AppArmor or another LSM policy; see the kernel "
                          "log, dmesg or journalctl -k): allow it in the policy");
    case EUSERS:
      return "user namespaces are nested too deep (at most 32 levels): create it from "
             "a shallower one";
    case ENOSYS:
      return std::string(status.message());
    default:
      return std::string(
          internal::DescribeCloneError(err, types.ToCloneFlags(), "clone").message());
  }
}

std::string ExplainRefusal(int err, NsTypeSet types, const absl::Status& status) {
  std::vector<Blocker> blockers = FindBlockers(types);
  std::string reason;
  std::vector<std::string> others;
  for (Blocker& b : blockers) {
    if (reason.empty() && (b.err == err || (b.other_err != 0 && b.other_err == err))) {
      reason = std::move(b.text);
    } else {
      others.push_back(std::move(b.text));
    }
  }
  if (reason.empty()) reason = ExplainCloneErrno(err, types, status);
  if (!others.empty()) {
    absl::StrAppend(&reason, "; besides, ", absl::StrJoin(others, "; "));
  }
  absl::StrAppend(&reason, " (clone: ", ErrnoName(err), ")");
  return reason;
}

// ---------------------------------------------------------------------------
// ProbeEnter.

std::string ExplainSetnsErrno(int err, const NsFd& target) {
  const std::string id = target.id().ToString();
  if (err == EPERM) {
    if (target.type() == NsType::kUser) {
      return absl::StrCat("entering ", id,
                          " needs CAP_SYS_ADMIN in it, which only its owner and "
                          "privileged processes of its ancestor user namespaces have "
                          "(never a process of a descendant one); this process has euid ",
                          ::geteuid(), ": run as its owner or as root (setns: EPERM)");
    }
    return absl::StrCat(
        "entering ", id,
        " needs CAP_SYS_ADMIN both in the user namespace that owns it and in this "
        "process's own user namespace",
        target.type() == NsType::kMnt ? " (and CAP_SYS_CHROOT)" : "",
        ", which this process (euid ", ::geteuid(),
        ") does not have: run as root, or enter its owning user namespace first "
        "(setns: EPERM)");
  }
  return absl::StrCat("setns into ", id, " fails: ", std::strerror(err),
                      " (setns: ", ErrnoName(err), ")");
}

// Runs setns(target) in a throwaway child with its own memory (a time
// namespace admits no process whose memory is shared); 0 or its errno.
absl::StatusOr<int> TrySetnsInChild(const NsFd& target) {
  LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack stack,
                           internal::ChildStack::Allocate(kProbeStackSize));
  EnterPlan plan{target.get(), static_cast<long>(CloneFlag(target.type()))};
  internal::CloneSpec spec;
  spec.share_memory = false;
  spec.fn = EnterAndExit;
  spec.arg = &plan;
  spec.stack = &stack;
  LINUXNS_ASSIGN_OR_RETURN(PidFd child, internal::CloneVm(spec));
  return WaitExitCode(child);
}

// Whether `target` is the calling thread's own namespace of its type.
absl::StatusOr<bool> IsCurrent(const NsFd& target) {
  struct stat st;
  if (::stat(internal::ThreadNsPath(target.type(), false), &st) != 0) {
    return ErrnoError(
        errno, absl::StrCat("stat ", internal::ThreadNsPath(target.type(), false)));
  }
  return st.st_dev == target.id().dev && st.st_ino == target.id().inode;
}

// ---------------------------------------------------------------------------
// Id-map helpers.

// Empty when the helper at `path` can raise privilege; otherwise why not.
std::string HelperPrivilegeProblem(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::StrCat("stat ", path, ": ", std::strerror(errno));
  }
  if ((st.st_mode & S_ISUID) != 0 && st.st_uid == 0) return "";
  if (::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0) return "";
  return absl::StrCat(path,
                      " is neither set-user-ID root nor given file capabilities, so it "
                      "cannot write maps: reinstall the uidmap package");
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
    features.push_back(KernelFeature{spec_of.id, spec_of.name, spec_of.major,
                                     spec_of.minor, answer.available,
                                     std::move(answer.detail)});
  }
  return features;
}

absl::StatusOr<NamespaceProbe> ProbeCreate(NsTypeSet types) {
  if (types.empty()) {
    return absl::InvalidArgumentError("ProbeCreate: no namespace type given");
  }
  LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack stack,
                           internal::ChildStack::Allocate(kProbeStackSize));
  internal::CloneSpec spec;
  spec.flags = types.ToCloneFlags();
  spec.fn = ExitAtOnce;
  spec.stack = &stack;
  absl::StatusOr<PidFd> child = internal::CloneVm(spec);
  NamespaceProbe probe{types, false, ""};
  if (child.ok()) {
    absl::Status reaped = internal::Reap(*child);
    if (!reaped.ok()) {
      stack.Leak();  // it may still run on it
      return reaped;
    }
    probe.can_create = true;
    return probe;
  }
  const std::optional<int> err = ErrnoOf(child.status());
  // Without an errno, or with one that says nothing about namespaces (too
  // many processes), the probe cannot tell.
  if (!err.has_value() || *err == EAGAIN) return child.status();
  probe.reason = ExplainRefusal(*err, types, child.status());
  return probe;
}

absl::StatusOr<EnterProbe> ProbeEnter(const NsFd& target) {
  if (target.get() < 0) {
    return absl::FailedPreconditionError("ProbeEnter: the NsFd is empty (moved from)");
  }
  EnterProbe probe;
  probe.target = target.id();
  const NsType type = target.type();
  if (type == NsType::kUser || type == NsType::kMnt) {
    LINUXNS_ASSIGN_OR_RETURN(bool current, IsCurrent(target));
    if (current) {
      probe.from_child = probe.from_this_thread = true;
      return probe;
    }
  }
  LINUXNS_ASSIGN_OR_RETURN(int err, TrySetnsInChild(target));
  if (err != 0) {
    probe.reason = ExplainSetnsErrno(err, target);
    return probe;
  }
  probe.from_child = true;
  if (type != NsType::kUser && type != NsType::kTime && type != NsType::kMnt) {
    probe.from_this_thread = true;
    return probe;
  }
  LINUXNS_ASSIGN_OR_RETURN(int threads, internal::CountThreads());
  if (threads == 1) {
    probe.from_this_thread = true;
    return probe;
  }
  probe.reason =
      type == NsType::kMnt
          ? absl::StrCat("this process has ", threads,
                         " threads, and a thread can enter a mount namespace only after "
                         "unshare(CLONE_FS) (RunInNamespacesOnThread does that)")
          : absl::StrCat(
                "only a single-threaded process can enter a ", NsTypeName(type),
                " namespace, and this one has ", threads,
                " threads: enter it from a child process (ChildProcess) instead");
  return probe;
}

std::optional<std::string> FindHelper(absl::string_view name) {
  if (name.empty() || absl::StrContains(name, '/')) return std::nullopt;
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/bin:/usr/bin";
  for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
    std::string candidate = absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/", name);
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::faccessat(AT_FDCWD, candidate.c_str(), X_OK, AT_EACCESS) == 0) {
      return candidate;
    }
  }
  return std::nullopt;
}

IdMapHelpers ProbeIdMapHelpers() {
  IdMapHelpers helpers;
  helpers.newuidmap = FindHelper("newuidmap");
  helpers.newgidmap = FindHelper("newgidmap");
  const char* path_env = std::getenv("PATH");
  const std::pair<const char*, const std::optional<std::string>*> kHelpers[] = {
      {"newuidmap", &helpers.newuidmap}, {"newgidmap", &helpers.newgidmap}};
  for (const auto& [name, found_ptr] : kHelpers) {
    const std::optional<std::string>& found = *found_ptr;
    if (!found) {
      helpers.reason = absl::StrCat(
          name, " is not in PATH (", path_env != nullptr ? path_env : "unset",
          "): install the uidmap package (Debian, Ubuntu; shadow-utils elsewhere), "
          "which provides newuidmap and newgidmap");
      return helpers;
    }
    std::string problem = HelperPrivilegeProblem(*found);
    if (!problem.empty()) {
      helpers.reason = std::move(problem);
      return helpers;
    }
  }
  for (const char* file : {"/etc/subuid", "/etc/subgid"}) {
    absl::StatusOr<SubordinateRange> range = FindSubordinateRange(file, ::geteuid());
    if (!range.ok()) {
      helpers.reason = absl::StrCat(range.status().message(),
                                    " (without a range the helpers map nothing but the "
                                    "user's own id)");
      return helpers;
    }
  }
  helpers.usable = true;
  return helpers;
}

}  // namespace linuxns

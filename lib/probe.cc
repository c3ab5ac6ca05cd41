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
#include "child/kernel_constants.h"
#include "child/probe_child.h"
#include "child/raw_syscall.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/probe_util.h"
#include "internal/small_file.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/subid.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

using child::EnterAndExit;
using child::EnterPlan;
using child::ExitAtOnce;
using internal::ErrnoName;
using internal::HasEffectiveCap;
using internal::IdMapCovers;
using internal::kProbeStackSize;
using internal::ProcStatusNumber;
using internal::ReadNumberFile;
using internal::ReadSmallFile;
using internal::SeccompClause;
using internal::WaitExitCode;

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
    blockers.push_back({EINVAL, 0,
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
    blockers.push_back({EPERM, 0,
                        absl::StrCat("this process's effective ", uid_unmapped ? "uid" : "gid",
                                     " has no mapping in its own user namespace (/proc/self/",
                                     uid_unmapped ? "uid_map" : "gid_map",
                                     " does not cover it), and the kernel lets no unmapped owner "
                                     "create a user namespace: write uid_map and gid_map of the "
                                     "current user namespace first")});
  }
  if (cap_sys_admin) return;
  if (ReadNumberFile("/proc/sys/kernel/unprivileged_userns_clone") == 0) {
    blockers.push_back({EPERM, 0,
                        "unprivileged user namespaces are disabled: "
                        "/proc/sys/kernel/unprivileged_userns_clone is 0; enable them (sysctl -w "
                        "kernel.unprivileged_userns_clone=1) or run as root"});
  }
  if (ReadNumberFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1) {
    blockers.push_back({EACCES, EPERM,
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
    blockers.push_back({EPERM, 0,
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
          "the kernel refuses to create ", what, " and nothing the probe can read explains it: ",
          seccomp.empty() ? "" : absl::StrCat(seccomp, " that may refuse clone; "),
          "a security module (SELinux, AppArmor, Landlock) may refuse it, see the "
          "kernel log (dmesg)",
          types.Contains(NsType::kUser) ? "; a process in a chroot cannot create user namespaces"
                                        : "");
    }
    case ENOSPC: {
      std::vector<std::string> limits;
      for (NsType t : types) {
        const std::string file = LimitFile(t);
        std::optional<long long> max = ReadNumberFile(file.c_str());
        limits.push_back(absl::StrCat(file, " is ", max ? absl::StrCat(*max) : "unreadable"));
      }
      return absl::StrCat("a namespace limit is reached: ", absl::StrJoin(limits, ", "),
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
    return absl::StrCat("entering ", id,
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
    return ErrnoError(errno, absl::StrCat("stat ", internal::ThreadNsPath(target.type(), false)));
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
          : absl::StrCat("only a single-threaded process can enter a ", NsTypeName(type),
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
  const std::pair<const char*, const std::optional<std::string>*> found_helpers[] = {
      {"newuidmap", &helpers.newuidmap}, {"newgidmap", &helpers.newgidmap}};
  for (const auto& [name, found_ptr] : found_helpers) {
    const std::optional<std::string>& found = *found_ptr;
    if (!found) {
      helpers.reason =
          absl::StrCat(name, " is not in PATH (", path_env != nullptr ? path_env : "unset",
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

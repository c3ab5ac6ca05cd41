// Private: the Status for a step a spawned child reported as failed, with the
// errno, the step named in the caller's terms (which mount, which map, which
// descriptor) and, where one exists, what to do about it (RELIABILITY rule 10).
#include "linuxns/spawn_failure.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/spawn_plan.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

constexpr absl::string_view kSpawnFailurePayload = "linuxns/spawn-failure";

// The public numbers are the child's (and linuxns-init's).
#define LINUXNS_SAME_STEP(name) \
  static_assert(static_cast<int>(SpawnStep::name) == static_cast<int>(child::SpawnStep::name))
LINUXNS_SAME_STEP(kWaitForParent);
LINUXNS_SAME_STEP(kCallerCredentials);
LINUXNS_SAME_STEP(kWriteSetgroups);
LINUXNS_SAME_STEP(kWriteUidMap);
LINUXNS_SAME_STEP(kWriteGidMap);
LINUXNS_SAME_STEP(kUnshareTime);
LINUXNS_SAME_STEP(kWriteTimensOffsets);
LINUXNS_SAME_STEP(kSetns);
LINUXNS_SAME_STEP(kSetnsProcess);
LINUXNS_SAME_STEP(kCloneIntoPidNamespace);
LINUXNS_SAME_STEP(kPropagation);
LINUXNS_SAME_STEP(kEnterRoot);
LINUXNS_SAME_STEP(kEnterCwd);
LINUXNS_SAME_STEP(kSethostname);
LINUXNS_SAME_STEP(kSetdomainname);
LINUXNS_SAME_STEP(kRootBind);
LINUXNS_SAME_STEP(kOpenRoot);
LINUXNS_SAME_STEP(kOpenTarget);
LINUXNS_SAME_STEP(kOpenSource);
LINUXNS_SAME_STEP(kBindMount);
LINUXNS_SAME_STEP(kRemountReadOnly);
LINUXNS_SAME_STEP(kMountTmpfs);
LINUXNS_SAME_STEP(kOpenDevNode);
LINUXNS_SAME_STEP(kMountDev);
LINUXNS_SAME_STEP(kMakeDevEntry);
LINUXNS_SAME_STEP(kBindDevNode);
LINUXNS_SAME_STEP(kMountDevPts);
LINUXNS_SAME_STEP(kMountDevShm);
LINUXNS_SAME_STEP(kProcIsSymlink);
LINUXNS_SAME_STEP(kMountProc);
LINUXNS_SAME_STEP(kMountSys);
LINUXNS_SAME_STEP(kChroot);
LINUXNS_SAME_STEP(kPivotRoot);
LINUXNS_SAME_STEP(kUmountOldRoot);
LINUXNS_SAME_STEP(kLoopback);
LINUXNS_SAME_STEP(kChdir);
LINUXNS_SAME_STEP(kSetsid);
LINUXNS_SAME_STEP(kRlimit);
LINUXNS_SAME_STEP(kDropBounding);
LINUXNS_SAME_STEP(kSetgroups);
LINUXNS_SAME_STEP(kSetgid);
LINUXNS_SAME_STEP(kSetuid);
LINUXNS_SAME_STEP(kCapabilities);
LINUXNS_SAME_STEP(kNoNewPrivs);
LINUXNS_SAME_STEP(kParentDeathSignal);
LINUXNS_SAME_STEP(kParentGone);
LINUXNS_SAME_STEP(kDupFd);
LINUXNS_SAME_STEP(kCloseFds);
LINUXNS_SAME_STEP(kResetSignals);
LINUXNS_SAME_STEP(kSeccomp);
LINUXNS_SAME_STEP(kExec);
#undef LINUXNS_SAME_STEP

}  // namespace

std::optional<SpawnFailure> SpawnFailureOf(const absl::Status& status) {
  auto payload = status.GetPayload(kSpawnFailurePayload);
  if (!payload) return std::nullopt;
  std::vector<std::string> parts = absl::StrSplit(std::string(*payload), ' ');
  int step = 0;
  int index = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &step) ||
      !absl::SimpleAtoi(parts[1], &index)) {
    return std::nullopt;
  }
  return SpawnFailure{static_cast<SpawnStep>(step), index};
}

const char* SpawnStepName(SpawnStep step) {
  switch (step) {
    case SpawnStep::kWaitForParent:
      return "wait for the parent";
    case SpawnStep::kCallerCredentials:
      return "take the caller's credentials";
    case SpawnStep::kWriteSetgroups:
      return "write setgroups";
    case SpawnStep::kWriteUidMap:
      return "write uid_map";
    case SpawnStep::kWriteGidMap:
      return "write gid_map";
    case SpawnStep::kUnshareTime:
      return "unshare time";
    case SpawnStep::kWriteTimensOffsets:
      return "write timens_offsets";
    case SpawnStep::kSetns:
      return "setns";
    case SpawnStep::kSetnsProcess:
      return "setns into a process's namespaces";
    case SpawnStep::kCloneIntoPidNamespace:
      return "clone into the joined pid namespace";
    case SpawnStep::kPropagation:
      return "propagation";
    case SpawnStep::kEnterRoot:
      return "enter root_fd";
    case SpawnStep::kEnterCwd:
      return "enter cwd_fd";
    case SpawnStep::kSethostname:
      return "sethostname";
    case SpawnStep::kSetdomainname:
      return "setdomainname";
    case SpawnStep::kRootBind:
      return "bind the new root";
    case SpawnStep::kOpenRoot:
      return "open the root";
    case SpawnStep::kOpenTarget:
      return "open a mount target";
    case SpawnStep::kOpenSource:
      return "open a bind source";
    case SpawnStep::kBindMount:
      return "bind mount";
    case SpawnStep::kRemountReadOnly:
      return "remount read-only";
    case SpawnStep::kMountTmpfs:
      return "mount tmpfs";
    case SpawnStep::kOpenDevNode:
      return "open a device node for /dev";
    case SpawnStep::kMountDev:
      return "mount tmpfs on /dev";
    case SpawnStep::kMakeDevEntry:
      return "make an entry of /dev";
    case SpawnStep::kBindDevNode:
      return "bind a device node into /dev";
    case SpawnStep::kMountDevPts:
      return "mount devpts on /dev/pts";
    case SpawnStep::kMountDevShm:
      return "mount tmpfs on /dev/shm";
    case SpawnStep::kProcIsSymlink:
      return "check /proc";
    case SpawnStep::kMountProc:
      return "mount proc";
    case SpawnStep::kMountSys:
      return "mount sysfs";
    case SpawnStep::kChroot:
      return "chroot";
    case SpawnStep::kPivotRoot:
      return "pivot_root";
    case SpawnStep::kUmountOldRoot:
      return "detach the old root";
    case SpawnStep::kLoopback:
      return "bring up lo";
    case SpawnStep::kChdir:
      return "chdir";
    case SpawnStep::kSetsid:
      return "setsid";
    case SpawnStep::kRlimit:
      return "setrlimit";
    case SpawnStep::kDropBounding:
      return "drop a bounding capability";
    case SpawnStep::kSetgroups:
      return "setgroups";
    case SpawnStep::kSetgid:
      return "setresgid";
    case SpawnStep::kSetuid:
      return "setresuid";
    case SpawnStep::kCapabilities:
      return "keep capabilities";
    case SpawnStep::kNoNewPrivs:
      return "no_new_privs";
    case SpawnStep::kParentDeathSignal:
      return "parent-death signal";
    case SpawnStep::kParentGone:
      return "check the parent";
    case SpawnStep::kDupFd:
      return "dup a descriptor";
    case SpawnStep::kCloseFds:
      return "close descriptors";
    case SpawnStep::kResetSignals:
      return "reset a signal";
    case SpawnStep::kSeccomp:
      return "install the seccomp filter";
    case SpawnStep::kExec:
      return "exec";
  }
  return "unknown step";
}

namespace internal {
namespace {

std::string Quote(absl::string_view s) { return absl::StrCat("\"", absl::CHexEscape(s), "\""); }

}  // namespace

absl::Status WithSpawnFailure(absl::Status status, child::SpawnStep step, int index) {
  status.SetPayload(kSpawnFailurePayload,
                    absl::Cord(absl::StrCat(static_cast<int>(step), " ", index)));
  return status;
}

// The hint of an exec step that failed under SpawnOptions::seccomp.
constexpr char kFilteredExecHint[] =
    "the child's seccomp filter was installed: it may forbid the call";

absl::Status ExecError(int err, const std::string& program, int index, bool filtered) {
  const char* hint = err == ENOENT && !absl::StrContains(program, '/') ? "not found in PATH"
                     : filtered                                        ? kFilteredExecHint
                                                                       : "";
  return WithSpawnFailure(ErrnoError(err, absl::StrCat("spawn: execve ", program), hint),
                          child::SpawnStep::kExec, index);
}

namespace {

// " in mnt:[N]" when the child joined a mount namespace (where its paths
// were resolved), else "".
std::string InJoinedMountNamespace(const PreparedSpawn& prepared) {
  for (const NsFd* ns : prepared.joins) {
    if (ns->type() == NsType::kMnt) return absl::StrCat(" in ", ns->id().ToString());
  }
  const SpawnOptions& o = *prepared.options;
  if (o.join_process != nullptr && o.join_process_types.Contains(NsType::kMnt)) {
    absl::StatusOr<NsFd> mnt = NsFd::FromPidFd(*o.join_process, NsType::kMnt);
    if (mnt.ok()) return absl::StrCat(" in ", mnt->id().ToString());
    return absl::StrCat(" in the mount namespace of pid ", o.join_process->pid());
  }
  return "";
}

// "/dev/NAME" of kMakeDevEntry's or kOpenDevNode's index, or "/dev".
std::string DevEntryPath(int index) {
  if (index >= 0 && index < child::kDevNodeCount)
    return absl::StrCat("/dev/", child::kDevNodes[index]);
  if (index >= child::kDevNodeCount && index < child::kDevNodeCount + child::kDevEntryCount) {
    return absl::StrCat("/dev/", child::kDevEntries[index - child::kDevNodeCount].name);
  }
  return "/dev";
}

// " under the new root ROOT", or "" without one.
std::string UnderRoot(const SpawnOptions& o) {
  return o.root ? absl::StrCat(" under the new root ", Quote(*o.root)) : "";
}

// " (PATH)": what `fd` names, as /proc/self/fd shows it, or "".
std::string DescribeDirectory(int fd) {
  char path[PATH_MAX];
  const ssize_t n = ::readlink(absl::StrCat("/proc/self/fd/", fd).c_str(), path, sizeof path);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof path) return "";
  return absl::StrCat(" (", absl::string_view(path, static_cast<std::size_t>(n)), ")");
}

absl::Status DescribeStep(const PreparedSpawn& prepared, const child::SpawnOutcome& plan,
                          absl::string_view who) {
  const SpawnOptions& o = *prepared.options;
  const std::vector<const NsFd*>& joins = prepared.joins;
  const std::vector<std::string>& candidates = prepared.candidates;
  const std::string& uid_map = prepared.uid_map;
  const std::string& gid_map = prepared.gid_map;
  using child::SpawnStep;
  const int err = plan.failed_errno;
  std::string what;
  std::string hint;
  switch (plan.failed_step) {
    case SpawnStep::kExec:
      if (plan.failed_index < 0) {
        return ErrnoError(err, "spawn: child: execveat linuxns-init",
                          o.seccomp ? kFilteredExecHint : "");
      }
      return ExecError(err,
                       candidates.size() == 1 ? candidates[0] : o.executable.value_or(o.argv[0]),
                       plan.failed_index, o.seccomp.has_value());
    case SpawnStep::kNone:
      return absl::InternalError("spawn: child failed without a reason");
    case SpawnStep::kWaitForParent:
      what = "wait for the parent";
      break;
    case SpawnStep::kCallerCredentials:
      what = "take the calling thread's credentials";
      break;
    case SpawnStep::kWriteSetgroups:
      what = "write \"deny\" to /proc/self/setgroups";
      break;
    case SpawnStep::kWriteUidMap:
      what = absl::StrCat("write ", Quote(uid_map), " to /proc/self/uid_map");
      break;
    case SpawnStep::kWriteGidMap:
      what = absl::StrCat("write ", Quote(gid_map), " to /proc/self/gid_map");
      break;
    case SpawnStep::kSetns:
      what = absl::StrCat("setns into ",
                          joins[static_cast<std::size_t>(plan.failed_index)]->id().ToString());
      if (err == EPERM) hint = "CAP_SYS_ADMIN in the namespace's owning user namespace is needed";
      break;
    case SpawnStep::kPropagation:
      what = "set the propagation of /";
      break;
    case SpawnStep::kEnterRoot:
      what = absl::StrCat("chroot into root_fd ", o.root_fd, DescribeDirectory(o.root_fd),
                          InJoinedMountNamespace(prepared));
      if (err == EPERM) hint = "CAP_SYS_CHROOT in the child's user namespace is needed";
      break;
    case SpawnStep::kEnterCwd:
      what = absl::StrCat("fchdir to cwd_fd ", o.cwd_fd, DescribeDirectory(o.cwd_fd),
                          InJoinedMountNamespace(prepared));
      break;
    case SpawnStep::kSethostname:
      what = absl::StrCat("sethostname ", Quote(*o.hostname));
      break;
    case SpawnStep::kSetdomainname:
      what = absl::StrCat("setdomainname ", Quote(*o.domainname));
      break;
    case SpawnStep::kProcIsSymlink:
      what = absl::StrCat("mount proc on ", o.mount_proc_at);
      hint = absl::StrCat(o.mount_proc_at, " is a symbolic link; refusing to mount over it");
      break;
    case SpawnStep::kMountProc:
      what = absl::StrCat("mount proc on ", o.mount_proc_at);
      if (err == EPERM && !o.EffectiveNewNamespaces().Contains(NsType::kPid)) {
        hint =
            "proc can be mounted only with CAP_SYS_ADMIN over the user namespace that owns "
            "the pid namespace: ask for a new pid namespace too";
      }
      break;
    case SpawnStep::kRootBind:
      what = absl::StrCat("bind the new root ", Quote(*o.root), " onto itself");
      break;
    case SpawnStep::kOpenRoot:
      what = absl::StrCat("open the root ", Quote(o.root ? *o.root : "/"));
      break;
    case SpawnStep::kOpenTarget: {
      const MountSpec& m = o.mounts[static_cast<std::size_t>(plan.failed_index)];
      what = absl::StrCat("open mount target ", Quote(m.target));
      if (err == ELOOP)
        hint = "a component is a symbolic link; targets are resolved without following any";
      if (err == EXDEV) hint = "a \"..\" component is refused where the kernel has no openat2";
      break;
    }
    case SpawnStep::kOpenSource:
      what = absl::StrCat("open bind source ",
                          Quote(o.mounts[static_cast<std::size_t>(plan.failed_index)].source));
      break;
    case SpawnStep::kBindMount: {
      const MountSpec& m = o.mounts[static_cast<std::size_t>(plan.failed_index)];
      what = absl::StrCat("bind ", Quote(m.source), " on ", Quote(m.target));
      break;
    }
    case SpawnStep::kRemountReadOnly:
      what =
          absl::StrCat("make ", Quote(o.mounts[static_cast<std::size_t>(plan.failed_index)].target),
                       " read-only");
      break;
    case SpawnStep::kMountTmpfs:
      what = absl::StrCat("mount tmpfs on ",
                          Quote(o.mounts[static_cast<std::size_t>(plan.failed_index)].target));
      break;
    case SpawnStep::kOpenDevNode:
      what = absl::StrCat("open ", DevEntryPath(plan.failed_index), " for the minimal /dev");
      if (err == ENOENT) hint = "the caller's /dev has no such node to bind";
      break;
    case SpawnStep::kMountDev:
      what = absl::StrCat("mount tmpfs on /dev", UnderRoot(o));
      if (err == ELOOP)
        hint =
            "/dev or a component before it is a symbolic link; targets are resolved without "
            "following any";
      if (err == ENOENT) hint = "the minimal /dev needs a /dev directory to mount on";
      break;
    case SpawnStep::kMakeDevEntry: {
      const int i = plan.failed_index;
      const int entry = i - child::kDevNodeCount;
      const char* kind = entry < 0                                   ? "file"
                         : entry >= child::kDevEntryCount            ? "entry"
                         : child::kDevEntries[entry].link != nullptr ? "symbolic link"
                                                                     : "directory";
      what = absl::StrCat("make ", kind, " ", DevEntryPath(i), " in the new /dev", UnderRoot(o));
      break;
    }
    case SpawnStep::kBindDevNode:
      what = absl::StrCat("bind ", DevEntryPath(plan.failed_index), " onto ",
                          DevEntryPath(plan.failed_index), " of the new /dev", UnderRoot(o));
      break;
    case SpawnStep::kMountDevPts:
      what = absl::StrCat("mount devpts on /dev/pts", UnderRoot(o));
      break;
    case SpawnStep::kMountDevShm:
      what = absl::StrCat("mount tmpfs on /dev/shm", UnderRoot(o));
      break;
    case SpawnStep::kPivotRoot:
      what = absl::StrCat("pivot_root into ", Quote(*o.root));
      if (err == EINVAL)
        hint = "the new root's mount must not be shared: use a private or slave propagation";
      break;
    case SpawnStep::kUmountOldRoot:
      what = "detach the old root";
      break;
    case SpawnStep::kChroot:
      what = absl::StrCat("chroot into ", Quote(*o.root));
      break;
    case SpawnStep::kMountSys:
      what = "mount sysfs on /sys";
      break;
    case SpawnStep::kLoopback:
      what = "bring up lo";
      break;
    case SpawnStep::kChdir:
      what = absl::StrCat("chdir ", Quote(*o.cwd), InJoinedMountNamespace(prepared));
      break;
    case SpawnStep::kSetsid:
      what = "setsid";
      break;
    case SpawnStep::kRlimit: {
      const Rlimit& l = o.rlimits[static_cast<std::size_t>(plan.failed_index)];
      what = absl::StrCat("setrlimit ", l.resource, " to ", l.soft, "/", l.hard);
      break;
    }
    case SpawnStep::kSetgroups:
      what = "setgroups";
      if (err == EPERM) hint = "setgroups is denied in this user namespace (deny_setgroups)";
      break;
    case SpawnStep::kSetgid:
      what = absl::StrCat("setresgid ", *o.gid);
      break;
    case SpawnStep::kSetuid:
      what = absl::StrCat("setresuid ", *o.uid);
      break;
    case SpawnStep::kCapabilities:
      what = "keep capabilities (ambient)";
      break;
    case SpawnStep::kNoNewPrivs:
      what = "set no_new_privs";
      break;
    case SpawnStep::kUnshareTime:
      what = "unshare a time namespace";
      break;
    case SpawnStep::kWriteTimensOffsets:
      what =
          absl::StrCat("write ", Quote(prepared.timens_offsets), " to /proc/self/timens_offsets");
      if (err == ERANGE) hint = "an offset would make a clock negative";
      break;
    case SpawnStep::kDropBounding:
      what = absl::StrCat("drop capability ",
                          o.drop_bounding_capabilities[static_cast<std::size_t>(plan.failed_index)],
                          " from the bounding set");
      break;
    case SpawnStep::kParentDeathSignal:
      what = "set the parent-death signal";
      break;
    case SpawnStep::kParentGone:
      what = "check the parent";
      hint = "it has exited";
      break;
    case SpawnStep::kSetnsProcess:
      what = absl::StrCat("setns into the namespaces of pid ", o.join_process->pid());
      if (err == ESRCH) hint = "the process has exited";
      break;
    case SpawnStep::kDupFd: {
      // The moves are o.fds, then the stdio modes' own descriptors.
      const auto i = static_cast<std::size_t>(plan.failed_index);
      if (i < o.fds.size()) {
        what = absl::StrCat("dup fd ", o.fds[i].source, " onto ", o.fds[i].target);
      } else {
        constexpr const char* kStreams[] = {"stdin", "stdout", "stderr"};
        const int target = i < prepared.moves.size() ? prepared.moves[i].target : -1;
        what = absl::StrCat("set up ", target >= 0 && target <= 2 ? kStreams[target] : "a stream",
                            " (", target >= 0 ? "fd " : "", target >= 0 ? absl::StrCat(target) : "",
                            ")");
      }
      if (err == EMFILE) hint = "the descriptor limit (RLIMIT_NOFILE) is reached";
      break;
    }
    case SpawnStep::kCloseFds:
      what = "close inherited descriptors";
      break;
    case SpawnStep::kCloneIntoPidNamespace:
      what = "clone into the joined pid namespace";
      if (err == ENOMEM) hint = "the pid namespace's init has exited: it takes no new process";
      break;
    case SpawnStep::kResetSignals:
      what = absl::StrCat("reset signal ", plan.failed_index);
      break;
    case SpawnStep::kSeccomp: {
      const std::size_t size = o.seccomp ? o.seccomp->size() : 0;
      what = absl::StrCat("install the seccomp filter (", size,
                          size == 1 ? " instruction)" : " instructions)");
      if (err == EINVAL) {
        hint = "the kernel refused the program: an invalid BPF instruction or jump";
      } else if (err == ENOMEM) {
        hint =
            "the filters of the process would exceed the kernel's total of 32768 instructions, "
            "counting the ones it inherited";
      } else if (err == EACCES) {
        hint =
            "seccomp_keeps_privilege_gain needs CAP_SYS_ADMIN in the child's user namespace at "
            "that step (its credential changes may have dropped it)";
      } else if (err == ENOSYS) {
        hint = "this kernel has no seccomp(2) (Linux 3.17, CONFIG_SECCOMP_FILTER)";
      }
      break;
    }
  }
  return ErrnoError(err, absl::StrCat(who, ": ", what), hint);
}

}  // namespace

absl::Status DescribeChildFailure(const PreparedSpawn& prepared, const child::SpawnOutcome& plan,
                                  absl::string_view who) {
  absl::Status described = DescribeStep(prepared, plan, who);
  if (plan.failed_step == child::SpawnStep::kNone) return described;
  return WithSpawnFailure(described, plan.failed_step, plan.failed_index);
}

}  // namespace internal
}  // namespace linuxns

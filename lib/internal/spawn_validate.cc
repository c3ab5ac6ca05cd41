// Private: ValidateSpawnOptions(), the first step of the spawn corridor
// (spawn_plan.h): every field of SpawnOptions, before any system call.
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "internal/spawn_plan.h"
#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

constexpr std::size_t kMaxNameLength = 64;  // HOST_NAME_MAX, __NEW_UTS_LEN

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("spawn: ", what));
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

absl::Status CheckName(const char* field, const std::optional<std::string>& name) {
  if (!name.has_value()) return absl::OkStatus();
  if (name->size() > kMaxNameLength) {
    return Invalid(absl::StrCat(field, " is ", name->size(), " bytes long; at most ",
                                kMaxNameLength, " are allowed"));
  }
  if (HasNul(*name)) return Invalid(absl::StrCat(field, " contains a NUL byte"));
  return absl::OkStatus();
}

// -1, or an open descriptor of a directory.
absl::Status CheckDirectoryFd(const char* field, int fd) {
  if (fd == -1) return absl::OkStatus();
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    return Invalid(absl::StrCat(field, " ", fd, " is not an open descriptor"));
  }
  if (!S_ISDIR(st.st_mode)) return Invalid(absl::StrCat(field, " ", fd, " is not a directory"));
  return absl::OkStatus();
}

// True when the calling thread has CAP_SYS_ADMIN in its effective set.
bool CallerHasCapSysAdmin() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

absl::Status CheckSeccomp(const SpawnOptions& o) {
  if (!o.seccomp_keeps_privilege_gain) return absl::OkStatus();
  if (!o.seccomp) return Invalid("seccomp_keeps_privilege_gain without a seccomp filter");
  if (o.no_new_privs) {
    return Invalid("seccomp_keeps_privilege_gain contradicts no_new_privs; set one of them");
  }
  if (!(o.EffectiveNewNamespaces() | o.JoinedNamespaces()).Contains(NsType::kUser) &&
      !CallerHasCapSysAdmin()) {
    return Invalid(
        "seccomp_keeps_privilege_gain: the child stays in this user namespace, where the calling "
        "thread has no CAP_SYS_ADMIN, and the kernel installs a filter without no_new_privs only "
        "for a process that has it");
  }
  return absl::OkStatus();
}

// Everything the options must satisfy, checked before any system call.
absl::Status ValidateImpl(const SpawnOptions& o, SpawnTarget target) {
  // An empty argv[0] is allowed: as with execvp(3), such a program is not
  // found (ENOENT at the exec step).
  if (o.argv.empty()) return Invalid("argv is empty");
  if (o.executable && (o.executable->empty() || HasNul(*o.executable))) {
    return Invalid("executable is empty or has a NUL");
  }
  for (const std::string& a : o.argv) {
    if (HasNul(a)) return Invalid("an argv string contains a NUL byte");
  }
  if (o.env.has_value()) {
    for (const std::string& e : *o.env) {
      if (HasNul(e)) return Invalid("an env string contains a NUL byte");
    }
  }
  NsTypeSet joined;
  for (const NsFd* ns : o.join) {
    if (ns == nullptr) return Invalid("null namespace in join");
    // An empty NsFd, or one whose descriptor was closed and its number
    // reused, would have the child join another namespace or fail after
    // the clone.
    absl::Status held = ns->CheckStillHeld("join");
    if (!held.ok()) {
      // The same words and errno payload, as the InvalidArgument of a field.
      absl::Status invalid(absl::StatusCode::kInvalidArgument,
                           absl::StrCat("spawn: ", held.message()));
      held.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
        invalid.SetPayload(url, payload);
      });
      return invalid;
    }
    if (joined.Contains(ns->type())) {
      return Invalid(absl::StrCat("two ", NsTypeName(ns->type()), " namespaces in join"));
    }
    if (o.new_namespaces.Contains(ns->type())) {
      return Invalid(
          absl::StrCat("a ", NsTypeName(ns->type()), " namespace is both new and joined"));
    }
    joined.Add(ns->type());
  }
  if (o.join_process != nullptr) {
    if (!o.join_process->valid()) return Invalid("join_process is an empty PidFd");
    if (o.join_process_types.empty()) return Invalid("join_process without join_process_types");
    if (!(o.join_process_types & (joined | o.new_namespaces)).empty()) {
      return Invalid("a namespace type is both in join_process_types and new or joined");
    }
    joined = joined | o.join_process_types;
  } else if (!o.join_process_types.empty()) {
    return Invalid("join_process_types without join_process");
  }
  // The fields that imply a new namespace (SpawnOptions::EffectiveNewNamespaces)
  // and find that type joined instead.
  const NsTypeSet fresh = o.EffectiveNewNamespaces();
  if ((o.uid_map || o.gid_map) && !fresh.Contains(NsType::kUser)) {
    return Invalid("uid_map/gid_map need a new user namespace, and the user namespace is joined");
  }
  LINUXNS_RETURN_IF_ERROR(CheckName("hostname", o.hostname));
  LINUXNS_RETURN_IF_ERROR(CheckName("domainname", o.domainname));
  if (o.mount_proc && !fresh.Contains(NsType::kMnt)) {
    return Invalid(
        "mount_proc needs a new mnt namespace, and the mnt namespace is joined (it would cover "
        "the /proc of every process in it)");
  }
  for (const NsPin& pin : o.pins) {
    if (pin.path.empty() || HasNul(pin.path)) return Invalid("a pin path is empty or has a NUL");
    if (pin.type == NsType::kTime && o.time_offsets) {
      return Invalid("a time namespace with time_offsets cannot be pinned before the exec");
    }
  }
  if (o.mount_proc_at.empty() || HasNul(o.mount_proc_at)) {
    return Invalid("mount_proc_at is empty or has a NUL");
  }
  if (o.time_offsets && !fresh.Contains(NsType::kTime)) {
    return Invalid(
        "time_offsets need a new time namespace, and the time namespace is joined (offsets are "
        "fixed once a process is in it)");
  }
  if (o.init && !fresh.Contains(NsType::kPid)) {
    return Invalid("init needs a new pid namespace, and the pid namespace is joined");
  }
  const bool pivot = o.root && o.root_change == RootChange::kPivotRoot;
  if ((pivot || !o.mounts.empty()) && !fresh.Contains(NsType::kMnt)) {
    return Invalid(
        "mounts and pivot_root need a new mnt namespace, and the mnt namespace is joined (they "
        "would change it for every process in it)");
  }
  if (o.root && (o.root->empty() || HasNul(*o.root))) return Invalid("root is empty or has a NUL");
  for (const MountSpec& m : o.mounts) {
    if (m.target.empty() || HasNul(m.target) || HasNul(m.source) || HasNul(m.options)) {
      return Invalid("a mount has an empty target or a NUL byte");
    }
    if (!m.tmpfs && m.source.empty()) return Invalid("a bind mount has no source");
  }
  if (o.minimal_dev && !fresh.Contains(NsType::kMnt)) {
    return Invalid(
        "minimal_dev needs a new mnt namespace, and the mnt namespace is joined (it would cover "
        "the /dev of every process in it)");
  }
  if (o.mount_sys && !fresh.Contains(NsType::kMnt)) {
    return Invalid(
        "mount_sys needs a new mnt namespace, and the mnt namespace is joined (it would cover "
        "the /sys of every process in it)");
  }
  if (o.cwd.has_value() && (o.cwd->empty() || HasNul(*o.cwd))) {
    return Invalid("cwd is empty or contains a NUL byte");
  }
  LINUXNS_RETURN_IF_ERROR(CheckDirectoryFd("root_fd", o.root_fd));
  LINUXNS_RETURN_IF_ERROR(CheckDirectoryFd("cwd_fd", o.cwd_fd));
  if (o.root_fd >= 0 && o.root) {
    return Invalid("root_fd and root both give a new root; set one of them");
  }
  if (o.umask.has_value() && (*o.umask & ~mode_t{0777}) != 0) {
    return Invalid("umask has bits outside 0777");
  }
  LINUXNS_RETURN_IF_ERROR(CheckSeccomp(o));
  for (const Rlimit& r : o.rlimits) {
    // prlimit(2) answers EINVAL to these whatever the child's limits are,
    // but only after the clone. Raising a hard limit (EPERM without
    // CAP_SYS_RESOURCE) is left to it: that depends on the child's limits
    // and capabilities by then.
    if (r.resource < 0 || r.resource >= RLIM_NLIMITS) {
      return Invalid(absl::StrCat("rlimits: resource ", r.resource, " is not an RLIMIT_* (0 to ",
                                  RLIM_NLIMITS - 1, ")"));
    }
    if (r.soft > r.hard) {
      return Invalid(absl::StrCat("rlimits: resource ", r.resource, " has soft limit ", r.soft,
                                  " above its hard limit ", r.hard));
    }
  }
  if (o.kill_on_parent_death && (o.parent_death_signal < 1 || o.parent_death_signal > SIGRTMAX)) {
    return Invalid(absl::StrCat("parent_death_signal ", o.parent_death_signal,
                                " is not a signal (1 to ", SIGRTMAX, ")"));
  }
  if (o.cgroup_fd >= 0 && ::fcntl(o.cgroup_fd, F_GETFD) < 0) {
    return Invalid(absl::StrCat("cgroup_fd ", o.cgroup_fd, " is not an open descriptor"));
  }
  if (target == SpawnTarget::kInPlace) {
    if (o.init) {
      return Invalid(
          "init cannot run in place (this process does not become PID 1 of a new pid "
          "namespace); spawn a ChildProcess");
    }
    if (o.kill_on_parent_death) return Invalid("kill_on_parent_death needs a spawned child");
    if (o.record_namespaces) return Invalid("record_namespaces needs a spawned child");
    if (o.stdin_mode == Stdio::kPipe || o.stdout_mode == Stdio::kPipe ||
        o.stderr_mode == Stdio::kPipe) {
      return Invalid("a Stdio::kPipe stream needs a spawned child (nobody holds the other end)");
    }
  }
  std::vector<int> targets;
  const Stdio modes[3] = {o.stdin_mode, o.stdout_mode, o.stderr_mode};
  for (const FdMapping& m : o.fds) {
    if (m.target >= 0 && m.target <= 2 && modes[m.target] != Stdio::kInherit) {
      return Invalid(absl::StrCat("fd target ", m.target, " is also set by a Stdio mode"));
    }
  }
  for (const FdMapping& m : o.fds) {
    if (m.target < 0) return Invalid(absl::StrCat("fd target ", m.target, " is negative"));
    if (std::find(targets.begin(), targets.end(), m.target) != targets.end()) {
      return Invalid(absl::StrCat("fd target ", m.target, " given twice"));
    }
    if (::fcntl(m.source, F_GETFD) < 0) {
      return Invalid(absl::StrCat("fd source ", m.source, " is not an open descriptor"));
    }
    targets.push_back(m.target);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSpawnOptions(const SpawnOptions& options, SpawnTarget target) {
  return ValidateImpl(options, target);
}

}  // namespace linuxns::internal

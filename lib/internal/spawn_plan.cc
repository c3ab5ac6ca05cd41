#include "internal/spawn_plan.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/kernel.h"
#include "linuxns/child_process.h"
#include "linuxns/probe.h"
#include "linuxns/status.h"

extern char** environ;

namespace linuxns::internal {
namespace {

constexpr std::size_t kMaxNameLength = 64;  // HOST_NAME_MAX, __NEW_UTS_LEN
constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

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

// Everything the options must satisfy, checked before any system call.
absl::Status ValidateImpl(const SpawnOptions& o) {
  if (o.argv.empty() || o.argv[0].empty()) return Invalid("argv is empty");
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
  const NsTypeSet own = o.new_namespaces | joined;
  if ((o.uid_map || o.gid_map) && !o.new_namespaces.Contains(NsType::kUser)) {
    return Invalid("uid_map/gid_map need a new user namespace");
  }
  LINUXNS_RETURN_IF_ERROR(CheckName("hostname", o.hostname));
  LINUXNS_RETURN_IF_ERROR(CheckName("domainname", o.domainname));
  if ((o.hostname || o.domainname) && !own.Contains(NsType::kUts)) {
    return Invalid(
        "hostname/domainname need a new or joined uts namespace (they "
        "would change the host's)");
  }
  if (o.mount_proc && !o.new_namespaces.Contains(NsType::kMnt)) {
    return Invalid("mount_proc needs a new mnt namespace (it would cover the host's /proc)");
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
  if (o.time_offsets && !o.new_namespaces.Contains(NsType::kTime)) {
    return Invalid("time_offsets need a new time namespace");
  }
  if (o.init && !o.new_namespaces.Contains(NsType::kPid)) {
    return Invalid("init needs a new pid namespace");
  }
  const bool pivot = o.root && o.root_change == RootChange::kPivotRoot;
  if ((pivot || !o.mounts.empty()) && !o.new_namespaces.Contains(NsType::kMnt)) {
    return Invalid("mounts and pivot_root need a new mnt namespace (they would change the host's)");
  }
  if (o.root && (o.root->empty() || HasNul(*o.root))) return Invalid("root is empty or has a NUL");
  for (const MountSpec& m : o.mounts) {
    if (m.target.empty() || HasNul(m.target) || HasNul(m.source) || HasNul(m.options)) {
      return Invalid("a mount has an empty target or a NUL byte");
    }
    if (!m.tmpfs && m.source.empty()) return Invalid("a bind mount has no source");
  }
  if (o.mount_sys && !o.new_namespaces.Contains(NsType::kMnt)) {
    return Invalid("mount_sys needs a new mnt namespace (it would cover the host's /sys)");
  }
  if (o.loopback_up && !own.Contains(NsType::kNet)) {
    return Invalid("loopback_up needs a new or joined network namespace");
  }
  if (o.cwd.has_value() && (o.cwd->empty() || HasNul(*o.cwd))) {
    return Invalid("cwd is empty or contains a NUL byte");
  }
  if (o.umask.has_value() && (*o.umask & ~mode_t{0777}) != 0) {
    return Invalid("umask has bits outside 0777");
  }
  if (o.keep_capabilities && !o.uid) {
    return Invalid("keep_capabilities needs uid (capabilities survive exec as root anyway)");
  }
  if (o.cgroup_fd >= 0 && ::fcntl(o.cgroup_fd, F_GETFD) < 0) {
    return Invalid(absl::StrCat("cgroup_fd ", o.cgroup_fd, " is not an open descriptor"));
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

unsigned long PropagationFlags(const SpawnOptions& o) {
  if (!o.new_namespaces.Contains(NsType::kMnt)) return 0;
  switch (o.propagation) {
    case Propagation::kPrivate:
      return MS_REC | MS_PRIVATE;
    case Propagation::kSlave:
      return MS_REC | MS_SLAVE;
    case Propagation::kShared:
      return MS_REC | MS_SHARED;
    case Propagation::kUnchanged:
      return 0;
  }
  return 0;
}

// Whether `user` is the caller's user namespace or one of its ancestors:
// entering it drops privilege, so it goes last.
bool IsOwnOrAncestorUserNs(const NsFd& user) {
  absl::StatusOr<NsFd> ns = NsFd::OpenCurrent(NsType::kUser);
  for (int depth = 0; depth < 33 && ns.ok(); ++depth) {
    if (ns->id() == user.id()) return true;
    ns = ns->Parent();
  }
  return false;
}

// The namespaces to setns into, in order, without those the caller's thread
// (and so the child, which inherits them) is already in.
std::vector<const NsFd*> JoinOrder(const SpawnOptions& o) {
  std::vector<const NsFd*> order;
  const NsFd* user = nullptr;
  for (const NsFd* ns : o.join) {
    absl::StatusOr<NsFd> current = ns->type() == NsType::kPid || ns->type() == NsType::kTime
                                       ? NsFd::OpenForChildren(ns->type())
                                       : NsFd::OpenCurrent(ns->type());
    if (current.ok() && current->id() == ns->id()) continue;
    if (ns->type() == NsType::kUser) {
      user = ns;
    } else {
      order.push_back(ns);
    }
  }
  if (user != nullptr) {
    if (IsOwnOrAncestorUserNs(*user)) {
      order.push_back(user);
    } else {
      order.insert(order.begin(), user);
    }
  }
  return order;
}

// PATH candidates for argv[0].
std::vector<std::string> Candidates(const SpawnOptions& o) {
  const std::string& program = o.executable ? *o.executable : o.argv[0];
  if (absl::StrContains(program, '/')) return {program};
  std::string path = kDefaultPath;
  if (o.env.has_value()) {
    for (const std::string& e : *o.env) {
      if (absl::StartsWith(e, "PATH=")) path = e.substr(5);
    }
  } else if (const char* p = ::getenv("PATH")) {
    path = p;
  }
  std::vector<std::string> out;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    out.push_back(absl::StrCat(dir.empty() ? "." : dir, "/", program));
  }
  return out;
}

// Searches PATH here, as execvp would, when the child sees the same files.
absl::StatusOr<std::string> ResolveInParent(const std::vector<std::string>& candidates,
                                            const std::string& program) {
  bool found_not_executable = false;
  for (const std::string& c : candidates) {
    struct stat st;
    if (::stat(c.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::faccessat(AT_FDCWD, c.c_str(), X_OK, AT_EACCESS) == 0) return c;
    found_not_executable = true;
  }
  return ExecError(found_not_executable ? EACCES : ENOENT, program);
}

// /proc/sys/kernel/cap_last_cap, or CAP_LAST_CAP of these headers.
int LastCapability() {
  UniqueFd fd(::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC));
  char buf[16] = {};
  int last = 40;
  if (fd && ::read(fd.get(), buf, sizeof buf - 1) > 0) last = std::atoi(buf);
  return last;
}

// The flags for setns(pidfd, flags): join_process_types without the types
// whose namespace is already ours (setns refuses one's own user namespace).
absl::StatusOr<std::uint64_t> ProcessJoinFlags(const SpawnOptions& o) {
  std::uint64_t flags = o.join_process_types.ToCloneFlags();
  if (o.join_process_types.Contains(NsType::kUser)) {
    LINUXNS_ASSIGN_OR_RETURN(NsFd theirs, NsFd::FromPidFd(*o.join_process, NsType::kUser));
    LINUXNS_ASSIGN_OR_RETURN(NsFd ours, NsFd::OpenCurrent(NsType::kUser));
    if (theirs.id() == ours.id()) flags &= ~CloneFlag(NsType::kUser);
  }
  return flags;
}

// C views of a list of strings, null-terminated.
std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Runs newuidmap/newgidmap PID INNER OUTER COUNT... and waits for it.
absl::Status RunMapHelper(const std::string& helper, pid_t pid, const IdMap& map) {
  SpawnOptions run;
  run.argv = {helper, absl::StrCat(pid)};
  for (const IdMapEntry& e : map.entries()) {
    absl::StrAppend(&run.argv.emplace_back(), e.inner);
    absl::StrAppend(&run.argv.emplace_back(), e.outer);
    absl::StrAppend(&run.argv.emplace_back(), e.count);
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd err_read(p[0]), err_write(p[1]);
  run.fds = {{err_write.get(), 2}};
  LINUXNS_ASSIGN_OR_RETURN(ChildProcess child, ChildProcess::Spawn(run));
  err_write.reset();
  std::string said;
  char buf[512];
  ssize_t n;
  while ((n = ::read(err_read.get(), buf, sizeof buf)) > 0)
    said.append(buf, static_cast<std::size_t>(n));
  LINUXNS_ASSIGN_OR_RETURN(ExitStatus status, child.Wait());
  if (status.success()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("spawn: ", helper, " ", status.ToString(), ": ",
                                                  absl::StripTrailingAsciiWhitespace(said)));
}

// Writes a map from the parent; when that is refused for lack of privilege,
// through the set-user-ID helper (newuidmap/newgidmap), which maps the
// ranges /etc/subuid and /etc/subgid give the caller.
absl::Status WriteMap(pid_t pid, const char* file, const char* helper_name, const IdMap& map) {
  absl::Status direct = WithContext(WriteProcFile(pid, file, map.ToString()), "spawn");
  if (direct.ok() || ErrnoOf(direct) != EPERM) return direct;
  std::optional<std::string> helper = FindHelper(helper_name);
  if (!helper) {
    return WithContext(direct, absl::StrCat(helper_name,
                                            " (package uidmap) is not installed, "
                                            "and without it"));
  }
  return RunMapHelper(*helper, pid, map);
}

}  // namespace

absl::Status ExecError(int err, const std::string& program) {
  const char* hint = err == ENOENT && !absl::StrContains(program, '/') ? "not found in PATH" : "";
  return ErrnoError(err, absl::StrCat("spawn: execve ", program), hint);
}

absl::Status ValidateSpawnOptions(const SpawnOptions& options) { return ValidateImpl(options); }

void AddMove(PreparedSpawn& p, int source, int target) {
  p.moves.push_back(child::FdMove{source, target});
  p.plan.moves = p.moves.data();
  p.plan.move_count = static_cast<int>(p.moves.size());
}

void KeepFdInChild(PreparedSpawn& p, int fd) {
  p.keep.push_back(fd);
  std::sort(p.keep.begin(), p.keep.end());
  p.plan.keep = p.keep.data();
  p.plan.keep_count = static_cast<int>(p.keep.size());
}

void UseInit(PreparedSpawn& p, const SpawnOptions& o, int image_fd, int report_fd) {
  p.init_args = {"linuxns-init", absl::StrCat("--report-fd=", report_fd), "--"};
  p.init_args.insert(p.init_args.end(), o.argv.begin(), o.argv.end());
  // The parent's PATH search, when it made one, stands.
  if (p.candidates.size() == 1) p.init_args[3] = p.candidates[0];
  p.init_argv = CStrings(p.init_args);
  p.plan.argv = p.init_argv.data();
  p.plan.exec_fd = image_fd;
}

absl::Status PrepareSpawn(const SpawnOptions& o, PreparedSpawn& p, bool in_place) {
  child::SpawnPlan& plan = p.plan;
  p.clone_types = o.new_namespaces;
  if (o.time_offsets) {
    // Offsets can be written only before anyone entered the namespace, and a
    // clone with CLONE_NEWTIME would enter it at once.
    p.clone_types.Remove(NsType::kTime);
    plan.unshare_time = true;
    p.timens_offsets = ToProcText(*o.time_offsets);
    plan.timens_offsets = p.timens_offsets.c_str();
    plan.timens_offsets_len = p.timens_offsets.size();
  }
  p.joins = JoinOrder(o);
  if (!in_place) {
    // setns into a pid namespace moves only the caller's future children:
    // the child must be cloned from a thread that is in it (pid_join).
    auto pid = std::find_if(p.joins.begin(), p.joins.end(),
                            [](const NsFd* ns) { return ns->type() == NsType::kPid; });
    if (pid != p.joins.end()) {
      p.pid_join = *pid;
      p.joins.erase(pid);
    }
  }
  for (const NsFd* ns : p.joins) {
    p.join_fds.push_back(ns->get());
    p.join_types.push_back(static_cast<int>(CloneFlag(ns->type())));
    if (ns->type() == NsType::kTime) p.joins_time = true;
  }
  plan.join_fds = p.join_fds.data();
  plan.join_types = p.join_types.data();
  plan.join_count = static_cast<int>(p.join_fds.size());
  if (o.join_process != nullptr) {
    LINUXNS_ASSIGN_OR_RETURN(std::uint64_t flags, ProcessJoinFlags(o));
    if (!in_place && (flags & CloneFlag(NsType::kPid)) != 0) {
      flags &= ~CloneFlag(NsType::kPid);
      LINUXNS_ASSIGN_OR_RETURN(NsFd target_pid, NsFd::FromPidFd(*o.join_process, NsType::kPid));
      p.pid_join_owned.emplace(std::move(target_pid));
      p.pid_join = &*p.pid_join_owned;
    }
    if (flags != 0) {
      plan.join_pidfd = o.join_process->get();
      plan.join_pidfd_flags = static_cast<int>(flags);
    }
    if ((flags & CloneFlag(NsType::kTime)) != 0) p.joins_time = true;
  }

  const bool new_user = o.new_namespaces.Contains(NsType::kUser);
  p.uid_map = o.uid_map ? o.uid_map->ToString() : "";
  p.gid_map = o.gid_map ? o.gid_map->ToString() : "";
  // The child may write a map itself only when it is the caller's own id.
  const bool child_writes_maps =
      (!o.uid_map || o.uid_map->MapsOnlyOwnId(::geteuid())) &&
      (!o.gid_map || (o.gid_map->MapsOnlyOwnId(::getegid()) && o.deny_setgroups));
  p.parent_writes_maps = new_user && !child_writes_maps;
  if (new_user && child_writes_maps) {
    plan.write_setgroups_deny = o.deny_setgroups;
    if (o.uid_map) {
      plan.uid_map = p.uid_map.c_str();
      plan.uid_map_len = p.uid_map.size();
    }
    if (o.gid_map) {
      plan.gid_map = p.gid_map.c_str();
      plan.gid_map_len = p.gid_map.size();
    }
  }

  p.candidates = Candidates(o);
  const bool same_files = !o.new_namespaces.Contains(NsType::kMnt) &&
                          std::none_of(o.join.begin(), o.join.end(),
                                       [](const NsFd* ns) { return ns->type() == NsType::kMnt; }) &&
                          !o.join_process_types.Contains(NsType::kMnt);
  if (same_files && p.candidates.size() > 1) {
    LINUXNS_ASSIGN_OR_RETURN(std::string chosen,
                             ResolveInParent(p.candidates, o.executable.value_or(o.argv[0])));
    p.candidates = {chosen};
  }
  for (const std::string& c : p.candidates) p.candidate_ptrs.push_back(c.c_str());
  plan.candidates = p.candidate_ptrs.data();
  plan.candidate_count = static_cast<int>(p.candidate_ptrs.size());
  p.argv = CStrings(o.argv);
  plan.argv = p.argv.data();
  // The caller's environment is passed as it stands, as execv(3) and
  // posix_spawn(3) do: no copy on every spawn.
  if (o.env.has_value()) {
    p.envp = CStrings(*o.env);
    plan.envp = p.envp.data();
  } else {
    plan.envp = environ;
  }

  for (const FdMapping& m : o.fds) {
    p.moves.push_back(child::FdMove{m.source, m.target});
    p.max_target = std::max(p.max_target, m.target);
    if (m.target > 2) p.keep.push_back(m.target);
  }
  std::sort(p.keep.begin(), p.keep.end());
  plan.moves = p.moves.data();
  plan.move_count = static_cast<int>(p.moves.size());
  plan.move_floor = std::max(p.max_target + 1, 3);
  plan.keep = p.keep.data();
  plan.keep_count = static_cast<int>(p.keep.size());
  plan.inherit_fds = o.inherit_fds;

  plan.propagation = PropagationFlags(o);
  if (o.hostname) {
    plan.hostname = o.hostname->c_str();
    plan.hostname_len = o.hostname->size();
  }
  if (o.domainname) {
    plan.domainname = o.domainname->c_str();
    plan.domainname_len = o.domainname->size();
  }
  plan.root = o.root ? o.root->c_str() : nullptr;
  plan.chroot = o.root_change == RootChange::kChroot;
  for (const MountSpec& m : o.mounts) {
    p.mounts.push_back(child::MountStep{m.tmpfs, m.source.c_str(), m.target.c_str(),
                                        m.options.empty() ? nullptr : m.options.c_str(),
                                        m.read_only});
  }
  plan.mounts = p.mounts.data();
  plan.mount_count = static_cast<int>(p.mounts.size());
  plan.mount_proc = o.mount_proc;
  plan.proc_target = o.mount_proc_at.c_str();
  plan.mount_sys = o.mount_sys;
  plan.loopback_up = o.loopback_up;
  plan.cwd = o.cwd ? o.cwd->c_str() : nullptr;
  plan.umask = o.umask ? static_cast<int>(*o.umask) : -1;
  plan.new_session = o.new_session;
  for (const Rlimit& l : o.rlimits) {
    p.rlimits.push_back(
        {l.resource, static_cast<unsigned long>(l.soft), static_cast<unsigned long>(l.hard)});
  }
  plan.rlimits = p.rlimits.data();
  plan.rlimit_count = static_cast<int>(p.rlimits.size());
  if (o.groups) {
    p.groups.assign(o.groups->begin(), o.groups->end());
    plan.groups = p.groups.data();
    plan.group_count = static_cast<int>(p.groups.size());
  }
  plan.gid = o.gid ? static_cast<long>(*o.gid) : -1;
  plan.uid = o.uid ? static_cast<long>(*o.uid) : -1;
  plan.keep_capabilities = o.keep_capabilities;
  if (o.keep_capabilities) plan.cap_last_cap = LastCapability();
  plan.no_new_privs = o.no_new_privs;
  plan.parent_death_signal = o.parent_death_signal;
  plan.drop_bounding = o.drop_bounding_capabilities.data();
  plan.drop_bounding_count = static_cast<int>(o.drop_bounding_capabilities.size());
  return absl::OkStatus();
}

absl::Status PinNamespacesOf(const PidFd& child, const SpawnOptions& o) {
  std::vector<std::pair<std::string, bool>> made;
  for (const NsPin& pin : o.pins) {
    absl::StatusOr<NsFd> ns = pin.type == NsType::kTime || pin.type == NsType::kPid
                                  ? NsFd::FromPidFdForChildren(child, pin.type)
                                  : NsFd::FromPidFd(child, pin.type);
    absl::StatusOr<bool> created =
        ns.ok() ? PinNamespace(*ns, pin.path) : absl::StatusOr<bool>(ns.status());
    if (!created.ok()) {
      for (const auto& [path, file] : made) static_cast<void>(UnpinNamespace(path, file));
      return WithContext(created.status(), "spawn");
    }
    made.emplace_back(pin.path, *created);
  }
  return absl::OkStatus();
}

absl::Status WriteMapsOf(pid_t pid, const SpawnOptions& o) {
  if (o.deny_setgroups) {
    LINUXNS_RETURN_IF_ERROR(WithContext(WriteProcFile(pid, "setgroups", "deny"), "spawn"));
  }
  if (o.uid_map) LINUXNS_RETURN_IF_ERROR(WriteMap(pid, "uid_map", "newuidmap", *o.uid_map));
  if (o.gid_map) LINUXNS_RETURN_IF_ERROR(WriteMap(pid, "gid_map", "newgidmap", *o.gid_map));
  return absl::OkStatus();
}

void JoinPidInChild(PreparedSpawn& p, const SpawnOptions& o) {
  child::SpawnPlan& plan = p.plan;
  if (p.pid_join_owned.has_value()) {
    // From join_process: the same setns(pidfd) as the other types, which the
    // kernel orders (user first, so that the pid join is allowed there).
    plan.join_pidfd = o.join_process->get();
    plan.join_pidfd_flags |= static_cast<int>(CloneFlag(NsType::kPid));
  } else {
    // From `join`: after the others, whose order puts user first.
    p.joins.push_back(p.pid_join);
    p.join_fds.push_back(p.pid_join->get());
    p.join_types.push_back(static_cast<int>(CloneFlag(NsType::kPid)));
    plan.join_fds = p.join_fds.data();
    plan.join_types = p.join_types.data();
    plan.join_count = static_cast<int>(p.join_fds.size());
  }
  p.pid_join = nullptr;
}

}  // namespace linuxns::internal

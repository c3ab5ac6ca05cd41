// Private: BuildSpawn(), the plan of the spawn corridor (spawn_plan.h).
#include "internal/spawn_plan.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/caller_context.h"
#include "internal/init_image.h"
#include "internal/kernel.h"
#include "linuxns/status.h"

extern char** environ;

namespace linuxns::internal {
namespace {

constexpr std::size_t kSpawnStackSize = std::size_t{64} * 1024;

// Two stacks per thread, reused for CLONE_VFORK children: the thread that
// clones sleeps while such a child runs on one, and wakes when it has exec'd
// or exited. The second is for the process a joiner clones (it runs while
// the joiner sleeps on the first). A child cloned without CLONE_VFORK runs
// while the parent works (a newuidmap helper could be spawned meanwhile): it
// gets a stack of its own.
absl::StatusOr<ChildStack*> ThreadStack(int which) {
  thread_local std::optional<ChildStack> stacks[2];
  std::optional<ChildStack>& stack = stacks[which];
  if (!stack.has_value()) {
    LINUXNS_ASSIGN_OR_RETURN(ChildStack s, ChildStack::Allocate(kSpawnStackSize));
    stack.emplace(std::move(s));
  }
  return &*stack;
}

absl::Status MakePipe(UniqueFd& read_end, UniqueFd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError(errno, "spawn: pipe2");
  read_end.reset(p[0]);
  write_end.reset(p[1]);
  return absl::OkStatus();
}

// A copy of `fd` above every descriptor number the child's moves target, so
// that no move overwrites it.
absl::StatusOr<UniqueFd> CopyAbove(const UniqueFd& fd, int floor) {
  UniqueFd copy(::fcntl(fd.get(), F_DUPFD_CLOEXEC, floor));
  if (!copy) return ErrnoError(errno, "spawn: fcntl F_DUPFD_CLOEXEC");
  return copy;
}

unsigned long PropagationFlags(const SpawnOptions& o, NsTypeSet fresh) {
  if (!fresh.Contains(NsType::kMnt)) return 0;
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
  constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";
  const std::string& program = o.executable ? *o.executable : o.argv[0];
  // An empty name is no file (execvp(3): ENOENT), not every PATH directory.
  if (program.empty() || absl::StrContains(program, '/')) return {program};
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
  return ExecError(found_not_executable ? EACCES : ENOENT, program, -2);
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

// The new namespaces, the joins (a pid join set apart for the launch, unless
// in place), a time namespace's offsets.
absl::Status RenderNamespaces(const SpawnOptions& o, PreparedSpawn& p, SpawnTarget target) {
  child::SpawnPlan& plan = p.plan;
  p.clone_types = p.new_namespaces;
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
  if (target == SpawnTarget::kChild) {
    // setns into a pid namespace moves only the caller's future children.
    auto pid = std::find_if(p.joins.begin(), p.joins.end(),
                            [](const NsFd* ns) { return ns->type() == NsType::kPid; });
    if (pid != p.joins.end()) {
      p.pid_join = *pid;
      p.joins.erase(pid);
    }
  }
  if (o.join_process != nullptr) {
    LINUXNS_ASSIGN_OR_RETURN(std::uint64_t flags, ProcessJoinFlags(o));
    if (target == SpawnTarget::kChild && (flags & CloneFlag(NsType::kPid)) != 0) {
      flags &= ~CloneFlag(NsType::kPid);
      LINUXNS_ASSIGN_OR_RETURN(NsFd target_pid, NsFd::FromPidFd(*o.join_process, NsType::kPid));
      p.pid_join_owned.emplace(std::move(target_pid));
      p.pid_join = &*p.pid_join_owned;
    }
    if (flags != 0) {
      plan.join_pidfd = o.join_process->get();
      plan.join_pidfd_flags = static_cast<int>(flags);
    }
  }
  return absl::OkStatus();
}

bool JoinsTime(const PreparedSpawn& p) {
  return std::any_of(p.joins.begin(), p.joins.end(),
                     [](const NsFd* ns) { return ns->type() == NsType::kTime; }) ||
         (p.plan.join_pidfd_flags & static_cast<int>(CloneFlag(NsType::kTime))) != 0;
}

// The maps to write: the explicit ones, else those of user_mapping. The
// child may write a map itself only when it is the caller's own id.
void RenderMaps(const SpawnOptions& o, PreparedSpawn& p) {
  child::SpawnPlan& plan = p.plan;
  if (!p.new_namespaces.Contains(NsType::kUser)) return;
  p.uid_ids = o.uid_map ? o.uid_map : OwnIdMap(o.user_mapping, ::geteuid());
  p.gid_ids = o.gid_map ? o.gid_map : OwnIdMap(o.user_mapping, ::getegid());
  p.uid_map = p.uid_ids ? p.uid_ids->ToString() : "";
  p.gid_map = p.gid_ids ? p.gid_ids->ToString() : "";
  const bool child_writes_maps =
      (!p.uid_ids || p.uid_ids->MapsOnlyOwnId(::geteuid())) &&
      (!p.gid_ids || (p.gid_ids->MapsOnlyOwnId(::getegid()) && o.deny_setgroups));
  p.parent_writes_maps = !child_writes_maps;
  if (!child_writes_maps) return;
  plan.write_setgroups_deny = o.deny_setgroups;
  if (p.uid_ids) {
    plan.uid_map = p.uid_map.c_str();
    plan.uid_map_len = p.uid_map.size();
  }
  if (p.gid_ids) {
    plan.gid_map = p.gid_map.c_str();
    plan.gid_map_len = p.gid_map.size();
  }
}

// The program: PATH candidates (one, when searched here), argv, envp.
absl::Status RenderCommand(const SpawnOptions& o, PreparedSpawn& p) {
  child::SpawnPlan& plan = p.plan;
  p.candidates = Candidates(o);
  const bool same_files = !p.new_namespaces.Contains(NsType::kMnt) && o.root_fd < 0 &&
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
  if (o.shell_fallback) {
    // For each candidate: /bin/sh CANDIDATE argv[1]... (execvp's fallback).
    p.shell_argvs.resize(p.candidates.size());
    for (std::size_t i = 0; i < p.candidates.size(); ++i) {
      std::vector<char*>& a = p.shell_argvs[i];
      a = {const_cast<char*>(child::kShellPath), const_cast<char*>(p.candidates[i].c_str())};
      a.insert(a.end(), p.argv.begin() + 1, p.argv.end());  // with its null
      p.shell_argv_ptrs.push_back(a.data());
    }
    plan.shell_argvs = p.shell_argv_ptrs.data();
  }
  // The caller's environment is passed as it stands, as execv(3) and
  // posix_spawn(3) do: no copy on every spawn.
  if (o.env.has_value()) {
    p.envp = CStrings(*o.env);
    plan.envp = p.envp.data();
  } else {
    plan.envp = environ;
  }
  return absl::OkStatus();
}

// Everything between the joins and the descriptors: mounts, names, cwd,
// limits, credentials, signals.
void RenderSetup(const SpawnOptions& o, PreparedSpawn& p, SpawnTarget target) {
  child::SpawnPlan& plan = p.plan;
  plan.propagation = PropagationFlags(o, p.new_namespaces);
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
  plan.minimal_dev = o.minimal_dev;
  plan.mount_proc = o.mount_proc;
  plan.proc_target = o.mount_proc_at.c_str();
  plan.mount_sys = o.mount_sys;
  plan.loopback_up = o.loopback_up;
  plan.root_fd = o.root_fd;
  plan.cwd_fd = o.cwd_fd;
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
  if (o.seccomp) {
    // The program's instructions are shared and immutable: the child reads
    // them where the caller's SeccompProgram keeps them.
    plan.seccomp_filter = o.seccomp->instructions().data();
    plan.seccomp_length = static_cast<unsigned short>(o.seccomp->size());
    plan.seccomp_no_new_privs_unless_admin = !o.seccomp_keeps_privilege_gain;
  }
  plan.parent_death_signal = o.parent_death_signal;
  plan.drop_bounding = o.drop_bounding_capabilities.data();
  plan.drop_bounding_count = static_cast<int>(o.drop_bounding_capabilities.size());
  if (target == SpawnTarget::kChild) {
    plan.must_clear_handlers = true;
    plan.reset_signals = o.reset_ignored_signals ? ~0ULL : 0;
  } else {
    plan.reset_signals = o.reset_ignored_signals ? IgnoredSignals() : 0;
  }
}

// The launch mode and the thread that clones (spawn_plan.h, LaunchMode).
void DecideLaunch(const SpawnOptions& o, PreparedSpawn& p) {
  p.parent_pins = !o.pins.empty();
  const bool parent_acts = p.parent_writes_maps || p.parent_pins;
  if (JoinsTime(p)) {
    p.mode = LaunchMode::kOwnMemory;
  } else if (parent_acts) {
    p.mode = LaunchMode::kParentActsFirst;
  } else if (p.pid_join != nullptr && Clone3Available()) {
    p.mode = LaunchMode::kVforkJoiner;
  } else {
    p.mode = LaunchMode::kVfork;
  }
  if (p.mode == LaunchMode::kVforkJoiner) {
    child::SpawnPlan& plan = p.plan;
    if (p.pid_join_owned.has_value()) {
      // From join_process: the same setns(pidfd) as the other types, which
      // the kernel orders (user first, so that the pid join is allowed).
      plan.join_pidfd = o.join_process->get();
      plan.join_pidfd_flags |= static_cast<int>(CloneFlag(NsType::kPid));
    } else {
      // From `join`: after the others, whose order puts user first.
      p.joins.push_back(p.pid_join);
    }
    p.pid_join = nullptr;
  }
  p.on_spawner_thread = o.kill_on_parent_death || p.pid_join != nullptr;
}

// The joins' descriptors and types, once the list is final.
void FinishJoins(PreparedSpawn& p) {
  for (const NsFd* ns : p.joins) {
    p.join_fds.push_back(ns->get());
    p.join_types.push_back(static_cast<int>(CloneFlag(ns->type())));
  }
  p.plan.join_fds = p.join_fds.data();
  p.plan.join_types = p.join_types.data();
  p.plan.join_count = static_cast<int>(p.join_fds.size());
}

// Stdio modes become moves onto 0, 1, 2; the parent keeps pipes' far ends.
absl::Status MakeStdio(const SpawnOptions& o, PreparedSpawn& p) {
  const Stdio modes[3] = {o.stdin_mode, o.stdout_mode, o.stderr_mode};
  for (int i = 0; i < 3; ++i) {
    if (modes[i] == Stdio::kNull) {
      p.child_ends[i].reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!p.child_ends[i]) return ErrnoError(errno, "spawn: open /dev/null");
    } else if (modes[i] == Stdio::kPipe) {
      UniqueFd read_end, write_end;
      LINUXNS_RETURN_IF_ERROR(MakePipe(read_end, write_end));
      p.child_ends[i] = std::move(i == 0 ? read_end : write_end);
      p.parent_ends[i] = std::move(i == 0 ? write_end : read_end);
    }
  }
  return absl::OkStatus();
}

// The descriptors and the stack of the launch, each decided by the mode.
absl::Status MakeLaunchResources(const SpawnOptions& o, PreparedSpawn& p) {
  child::SpawnPlan& plan = p.plan;
  const int floor = p.max_target + 1;
  const bool vfork = p.mode == LaunchMode::kVfork || p.mode == LaunchMode::kVforkJoiner;
  if (!vfork && (p.parent_writes_maps || p.parent_pins)) {
    // A socket, not a pipe: the parent's send() to a child that someone else
    // killed must fail with EPIPE, never raise SIGPIPE in the host.
    int s[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0) {
      return ErrnoError(errno, "spawn: socketpair");
    }
    p.go_parent.reset(s[0]);
    p.go_child.reset(s[1]);
    plan.wait_fd = p.go_child.get();
  }
  if (!vfork || o.init) {
    // The outcome comes on this pipe: a SpawnReport, or end-of-file at exec.
    UniqueFd low_write;
    LINUXNS_RETURN_IF_ERROR(MakePipe(p.report_read, low_write));
    LINUXNS_ASSIGN_OR_RETURN(p.report_write, CopyAbove(low_write, floor));
    p.keep.push_back(p.report_write.get());
    plan.report_fd = p.report_write.get();
  }
  if (o.init) {
    LINUXNS_ASSIGN_OR_RETURN(p.init_image, InitImageCopy(floor));
    p.keep.push_back(p.init_image.get());
    p.init_args = {"linuxns-init", absl::StrCat("--report-fd=", plan.report_fd), "--"};
    p.init_args.insert(p.init_args.end(), o.argv.begin(), o.argv.end());
    // The parent's PATH search, when it made one, stands.
    if (p.candidates.size() == 1) p.init_args[3] = p.candidates[0];
    p.init_argv = CStrings(p.init_args);
    plan.argv = p.init_argv.data();
    plan.exec_fd = p.init_image.get();
  }
  if (o.record_namespaces) {
    for (NsType type : kAllNsTypes) {
      p.record_paths.push_back(absl::StrCat(
          "/proc/thread-self/ns/", type == NsType::kTime ? "time_for_children" : NsTypeName(type)));
    }
    for (const std::string& path : p.record_paths) p.record_path_ptrs.push_back(path.c_str());
    LINUXNS_ASSIGN_OR_RETURN(p.records, SharedRecords::Map(p.record_paths.size()));
    plan.record_paths = p.record_path_ptrs.data();
    plan.record_count = static_cast<int>(p.record_path_ptrs.size());
  }
  if (vfork) {
    LINUXNS_ASSIGN_OR_RETURN(p.stack, ThreadStack(0));
  } else {
    LINUXNS_ASSIGN_OR_RETURN(p.own_stack, ChildStack::Allocate(kSpawnStackSize));
    p.stack = &*p.own_stack;
  }
  if (p.mode == LaunchMode::kVforkJoiner) {
    LINUXNS_ASSIGN_OR_RETURN(ChildStack * after, ThreadStack(1));
    plan.after_joins_stack = after->top();
    plan.after_joins_stack_size = after->size();
  }
  if (o.kill_on_parent_death) {
    LINUXNS_ASSIGN_OR_RETURN(PidFd self, PidFd::Self());
    p.self = std::make_unique<PidFd>(std::move(self));
    plan.parent_pidfd = p.self->get();
  }
  if (p.on_spawner_thread) LINUXNS_RETURN_IF_ERROR(TakeCallerIdentity(p));
  return absl::OkStatus();
}

// The descriptor moves (o.fds, then the stdio modes' own) and the sorted
// list of those the child keeps.
void FinishDescriptors(const SpawnOptions& o, PreparedSpawn& p) {
  child::SpawnPlan& plan = p.plan;
  for (const FdMapping& m : o.fds) {
    if (m.target > 2) p.keep.push_back(m.target);
  }
  for (int i = 0; i < 3; ++i) {
    if (p.child_ends[i]) p.moves.push_back(child::FdMove{p.child_ends[i].get(), i});
  }
  std::sort(p.keep.begin(), p.keep.end());
  plan.moves = p.moves.data();
  plan.move_count = static_cast<int>(p.moves.size());
  plan.move_floor = std::max(p.max_target + 1, 3);
  plan.keep = p.keep.data();
  plan.keep_count = static_cast<int>(p.keep.size());
  plan.inherit_fds = o.inherit_fds;
}

}  // namespace

const char* LaunchModeName(LaunchMode mode) {
  switch (mode) {
    case LaunchMode::kVfork:
      return "vfork";
    case LaunchMode::kVforkJoiner:
      return "vfork-joiner";
    case LaunchMode::kParentActsFirst:
      return "parent-acts-first";
    case LaunchMode::kOwnMemory:
      return "own-memory";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<PreparedSpawn>> BuildSpawn(const SpawnOptions& o,
                                                          SpawnTarget target) {
  LINUXNS_RETURN_IF_ERROR(ValidateSpawnOptions(o, target));
  auto p = std::make_unique<PreparedSpawn>();
  p->options = &o;
  p->new_namespaces = o.EffectiveNewNamespaces();
  for (const FdMapping& m : o.fds) {
    p->moves.push_back(child::FdMove{m.source, m.target});
    p->max_target = std::max(p->max_target, m.target);
  }
  LINUXNS_RETURN_IF_ERROR(RenderNamespaces(o, *p, target));
  RenderMaps(o, *p);
  LINUXNS_RETURN_IF_ERROR(RenderCommand(o, *p));
  RenderSetup(o, *p, target);
  if (target == SpawnTarget::kChild) DecideLaunch(o, *p);
  FinishJoins(*p);
  LINUXNS_RETURN_IF_ERROR(MakeStdio(o, *p));
  if (target == SpawnTarget::kChild) LINUXNS_RETURN_IF_ERROR(MakeLaunchResources(o, *p));
  FinishDescriptors(o, *p);
  return p;
}

absl::StatusOr<SharedRecords> SharedRecords::Map(std::size_t count) {
  void* at = ::mmap(nullptr, count * sizeof(child::NsRecord), PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (at == MAP_FAILED) return ErrnoError(errno, "spawn: mmap the namespace records");
  SharedRecords records;
  records.records_ = static_cast<child::NsRecord*>(at);
  records.count_ = count;
  return records;
}

SharedRecords::~SharedRecords() {
  if (records_ != nullptr) ::munmap(records_, count_ * sizeof(child::NsRecord));
}

std::vector<NsId> RecordedNamespaces(const PreparedSpawn& p) {
  std::vector<NsId> ids;
  for (std::size_t i = 0; i < p.records.size(); ++i) {
    const child::NsRecord& r = p.records.get()[i];
    if (r.ino == 0) continue;
    ids.push_back(NsId{kAllNsTypes[i], makedev(r.dev_major, r.dev_minor), r.ino});
  }
  return ids;
}

}  // namespace linuxns::internal

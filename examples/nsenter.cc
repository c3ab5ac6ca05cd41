// nsenter: run a program in the namespaces of other processes, as util-linux
// 2.42's nsenter(1) does. See `nsenter --help` and nsenter(1).
//
// Everything is opened first (the target's pidfd, every namespace, the root,
// the working directory, the environment, the cgroup), then entered: the
// target's namespaces through its pidfd in one setns(pidfd) call, in a child
// (ChildProcess) when a pid namespace is entered, else in this process
// (ExecInPlace), as util-linux forks only when it must.
#include <fcntl.h>
#include <grp.h>
#include <linux/sockios.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "nsenter_options.h"
#include "tool_common.h"

namespace linuxns::tools {
namespace {

constexpr char kTool[] = "nsenter";

// A failure that has been reported already: main() returns `code`.
struct Exit {
  int code;
};

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(errno, absl::StrCat("cannot open ", path));
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, absl::StrCat("cannot read ", path));
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string ProcPath(const PidFd& target, absl::string_view what) {
  return absl::StrCat("/proc/", target.pid(), "/", what);
}

// Anything read through /proc/PID is only trusted once the pidfd shows that
// the process has not exited meanwhile (RELIABILITY rule 12).
absl::Status CheckStillRunning(const PidFd& target) {
  absl::StatusOr<bool> exited = target.HasExited();
  if (!exited.ok()) return exited.status();
  if (*exited) {
    return ErrnoError(ESRCH, absl::StrCat("target process ", target.pid()), "it exited");
  }
  return absl::OkStatus();
}

// The target: a process, or one thread (util-linux reads /proc/TID/ns/* of
// any thread id; here a thread pidfd, Linux 6.9, gives that thread's own
// namespaces, root and directory, race-free as a process's).
absl::StatusOr<PidFd> OpenTarget(pid_t pid, std::optional<std::uint64_t> inode) {
  absl::StatusOr<PidFd> opened = PidFd::Open(pid);
  if (absl::IsInvalidArgument(opened.status())) {  // a thread id, not a process
    absl::StatusOr<PidFd> thread = PidFd::OpenThread(pid);
    if (!absl::IsUnimplemented(thread.status())) opened = std::move(thread);
  }
  if (!opened.ok()) return opened.status();
  PidFd target = std::move(*opened);
  if (inode) {
    // util-linux 2.42's PID:INODE: the inode of the pidfd (pidfs, Linux 6.9)
    // names one process for the boot, never a later one with the same pid.
    struct stat st;
    if (::fstat(target.get(), &st) != 0) return ErrnoError(errno, "fstat pidfd");
    if (static_cast<std::uint64_t>(st.st_ino) != *inode) {
      return absl::NotFoundError(absl::StrCat("pidfd inode ", *inode, " not found for pid ", pid));
    }
  }
  return target;
}

// The network namespace of socket `fd` of the target (-N): pidfd_getfd(2)
// (Linux 5.6, needs ptrace access) and SIOCGSKNS.
absl::StatusOr<NsFd> NetOfSocket(const PidFd& target, int fd) {
  UniqueFd sock(static_cast<int>(::syscall(SYS_pidfd_getfd, target.get(), fd, 0)));
  if (!sock) {
    return ErrnoError(errno, absl::StrCat("pidfd_getfd ", fd, " of pid ", target.pid()));
  }
  UniqueFd net(::ioctl(sock.get(), SIOCGSKNS));
  if (!net) {
    const int err = errno;
    return ErrnoError(err, absl::StrCat("ioctl SIOCGSKNS on fd ", fd, " of pid ", target.pid()),
                      err == ENOTTY ? "it is not a socket" : "");
  }
  return NsFd::Adopt(std::move(net), NsType::kNet);
}

// Whether `user` is this process's user namespace or one of its ancestors.
bool IsOwnOrAncestorUserNs(const NsFd& user) {
  absl::StatusOr<NsFd> ns = NsFd::OpenCurrent(NsType::kUser);
  for (int depth = 0; depth < 33 && ns.ok(); ++depth) {
    if (ns->id() == user.id()) return true;
    ns = ns->Parent();
  }
  return false;
}

// Whether this process (or, for pid and time, its future children) is in `ns`
// already: entering it is then a no-op, not an error. One stat(2) of the
// thread's own nsfs file is enough to compare identities; nsenter -a asks
// this for every type, so no descriptor is opened for it.
bool AlreadyIn(const NsFd& ns) {
  const bool for_children = ns.type() == NsType::kPid || ns.type() == NsType::kTime;
  const std::string path = absl::StrCat("/proc/thread-self/ns/", NsTypeName(ns.type()),
                                        for_children ? "_for_children" : "");
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && st.st_dev == ns.id().dev && st.st_ino == ns.id().inode;
}

// Maps `outside` (an id of this process's user namespace) into the target's
// user namespace through its uid_map or gid_map text.
std::optional<std::uint32_t> MapInside(const std::string& map, std::uint32_t outside) {
  for (absl::string_view line : absl::StrSplit(map, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    std::uint32_t in, out, count;
    if (f.size() != 3 || !absl::SimpleAtoi(f[0], &in) || !absl::SimpleAtoi(f[1], &out) ||
        !absl::SimpleAtoi(f[2], &count)) {
      continue;
    }
    if (outside >= out && outside - out < count) return in + (outside - out);
  }
  return std::nullopt;
}

// Everything opened before anything is entered.
struct Plan {
  std::optional<PidFd> target;
  NsTypeSet from_target;           // entered through the pidfd
  std::vector<NsFd> from_files;    // entered one by one (files, -N, --user-parent)
  NsTypeSet entered;               // every type really entered
  std::optional<NsFd> target_pid;  // the pid namespace, for the fork
  std::optional<NsFd> user;        // the user namespace entered, if any
  UniqueFd root;                   // -r: SpawnOptions::root_fd
  UniqueFd wd;                     // -w: SpawnOptions::cwd_fd
  UniqueFd cgroup;                 // -c
  bool drop_groups_here = false;   // setgroups(0) here first (a gid is set)
  SpawnOptions spawn;
};

absl::Status OpenNamespaces(const NsenterOptions& o, Plan& plan) {
  for (NsType type : kAllNsTypes) {
    const NsenterNamespace& want = o.ns(type);
    const bool by_socket = type == NsType::kNet && o.net_socket.has_value();
    const bool parent_user = type == NsType::kUser && o.user_parent;
    if (!want.enter && !(o.all && !want.file) && !by_socket && !parent_user) continue;
    std::optional<NsFd> ns;
    bool through_pidfd = false;
    if (by_socket) {
      LINUXNS_ASSIGN_OR_RETURN(ns, NetOfSocket(*plan.target, *o.net_socket));
    } else if (want.file) {
      LINUXNS_ASSIGN_OR_RETURN(ns, NsFd::OpenPath(*want.file, type));
    } else {
      absl::StatusOr<NsFd> theirs = NsFd::FromPidFd(*plan.target, type);
      // -a skips what the kernel does not have (time before 5.6), as util-linux.
      if (!theirs.ok() && o.all && !want.enter && ErrnoOf(theirs.status()) == ENOENT) continue;
      if (!theirs.ok()) return theirs.status();
      ns = std::move(*theirs);
      through_pidfd = true;
    }
    if (parent_user) {
      LINUXNS_ASSIGN_OR_RETURN(NsFd parent, ns->Parent());
      ns = std::move(parent);
      through_pidfd = false;
    }
    if (AlreadyIn(*ns)) continue;  // one's own user namespace, say: a no-op
    plan.entered.Add(type);
    if (type == NsType::kPid) {
      LINUXNS_ASSIGN_OR_RETURN(plan.target_pid, ns->Dup());
    }
    if (type == NsType::kUser) {
      LINUXNS_ASSIGN_OR_RETURN(plan.user, ns->Dup());
    }
    if (through_pidfd) {
      plan.from_target.Add(type);
    } else {
      plan.from_files.push_back(std::move(*ns));
    }
  }
  return absl::OkStatus();
}

// A mount point as mountinfo writes it, with space, tab, newline and
// backslash as three octal digits after a backslash (proc(5)), made a path
// again.
std::string UnescapeMountPoint(absl::string_view field) {
  std::string path;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const auto octal = [&](std::size_t at) { return field[at] >= '0' && field[at] <= '7'; };
    if (field[i] == '\\' && i + 3 < field.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      path += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                (field[i + 3] - '0'));
      i += 3;
    } else {
      path += field[i];
    }
  }
  return path;
}

// Where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup, or
// /sys/fs/cgroup/unified on a hybrid v1 + v2 system.
absl::StatusOr<std::string> Cgroup2Mount() {
  LINUXNS_ASSIGN_OR_RETURN(std::string mountinfo, ReadFile("/proc/self/mountinfo"));
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n', absl::SkipEmpty())) {
    // Fields are split by single spaces: the escaping keeps them out of paths.
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    const auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() > 4 && dash != f.end() && dash + 1 != f.end() && dash[1] == "cgroup2") {
      return UnescapeMountPoint(f[4]);
    }
  }
  return absl::NotFoundError("cannot join cgroup: no cgroup v2 hierarchy is mounted");
}

// -r and -w, as util-linux: the target's /proc/PID/root and /proc/PID/cwd
// (its root and working directory in its own mount namespace), or DIR
// opened here, before any namespace is entered; the command's child enters
// them after the joins (SpawnOptions::root_fd, cwd_fd). --wdns is a path
// resolved there, after the root change.
absl::Status OpenDirectories(const NsenterOptions& o, Plan& plan) {
  auto open_dir = [&](const std::optional<std::string>& dir, const char* proc,
                      UniqueFd& fd) -> absl::Status {
    if (!dir) return absl::OkStatus();
    if (dir->empty() && !plan.target) {
      return absl::InvalidArgumentError(
          absl::StrCat("neither filename nor target pid supplied for ", proc));
    }
    const std::string path = dir->empty() ? ProcPath(*plan.target, proc) : *dir;
    fd.reset(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return ErrnoError(errno, absl::StrCat("cannot open ", path));
    return absl::OkStatus();
  };
  LINUXNS_RETURN_IF_ERROR(open_dir(o.root, "root", plan.root));
  LINUXNS_RETURN_IF_ERROR(open_dir(o.wd, "cwd", plan.wd));
  if (o.wdns) plan.spawn.cwd = *o.wdns;
  if (o.join_cgroup) {
    LINUXNS_ASSIGN_OR_RETURN(std::string cgroups, ReadFile(ProcPath(*plan.target, "cgroup")));
    std::optional<std::string> path;
    for (absl::string_view line : absl::StrSplit(cgroups, '\n', absl::SkipEmpty())) {
      if (absl::ConsumePrefix(&line, "0::")) path = std::string(line);
    }
    if (!path) {
      return absl::FailedPreconditionError(absl::StrCat("cannot join the cgroup of pid ",
                                                        plan.target->pid(),
                                                        ": it is in no cgroup v2 hierarchy"));
    }
    LINUXNS_ASSIGN_OR_RETURN(std::string mount, Cgroup2Mount());
    const std::string dir = absl::StrCat(mount, *path);
    plan.cgroup.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!plan.cgroup) return ErrnoError(errno, absl::StrCat("cannot open ", dir));
  }
  return absl::OkStatus();
}

absl::Status ReadEnvironment(const NsenterOptions& o, Plan& plan) {
  if (!o.env) return absl::OkStatus();
  LINUXNS_ASSIGN_OR_RETURN(std::string environ_text, ReadFile(ProcPath(*plan.target, "environ")));
  std::vector<std::string> env;
  for (absl::string_view e : absl::StrSplit(environ_text, '\0', absl::SkipEmpty())) {
    env.emplace_back(e);
  }
  plan.spawn.env = std::move(env);
  return absl::OkStatus();
}

// util-linux: entering a user namespace without --preserve-credentials
// becomes uid 0 and gid 0 there (unless -S/-G say otherwise) with no
// supplementary groups. Setting a gid drops them, as util-linux does: first
// here, before anything is entered (Run()), so that a user namespace that
// denies setgroups(2) does not keep them (unmapped, shown as 65534, but
// granting their access all the same); where this process may not, the
// command's process does once the user namespace is entered, unless the
// target's denies it. util-linux fails only when both drops fail and a user
// namespace is entered without --preserve-credentials; otherwise the drop is
// a best effort, and a gid of one's own can be set without privilege.
absl::Status PlanCredentials(const NsenterOptions& o, Plan& plan) {
  const bool user = plan.entered.Contains(NsType::kUser);
  const bool user_from_target = plan.from_target.Contains(NsType::kUser);
  std::optional<std::uint32_t> uid, gid;
  if (user && !o.preserve_credentials) uid = gid = 0;
  struct stat st = {};
  if ((o.uid && o.uid->follow) || (o.gid && o.gid->follow)) {
    const std::string proc = absl::StrCat("/proc/", plan.target->pid());
    if (::stat(proc.c_str(), &st) != 0) return ErrnoError(errno, absl::StrCat("stat ", proc));
  }
  auto follow = [&](const NsenterId& id, std::uint32_t outside,
                    const char* map) -> absl::StatusOr<std::uint32_t> {
    if (!id.follow) return id.id;
    if (!user_from_target) return outside;
    LINUXNS_ASSIGN_OR_RETURN(std::string text, ReadFile(ProcPath(*plan.target, map)));
    std::optional<std::uint32_t> inside = MapInside(text, outside);
    if (!inside) {
      return absl::FailedPreconditionError(absl::StrCat(
          "id ", outside, " of pid ", plan.target->pid(), " is not mapped in its ", map));
    }
    return *inside;
  };
  if (o.uid) {
    LINUXNS_ASSIGN_OR_RETURN(uid, follow(*o.uid, st.st_uid, "uid_map"));
  }
  if (o.gid) {
    LINUXNS_ASSIGN_OR_RETURN(gid, follow(*o.gid, st.st_gid, "gid_map"));
  }
  plan.spawn.uid = uid;
  plan.spawn.gid = gid;
  if (gid) {
    plan.drop_groups_here = true;
    // Whether the command's process drops them too, where this one cannot.
    bool drop_inside = false;
    if (user_from_target) {
      absl::StatusOr<std::string> text = ReadFile(ProcPath(*plan.target, "setgroups"));
      drop_inside = !text.ok() || !absl::StartsWith(*text, "deny");
    } else if (user) {
      // A user namespace given as a file: whether it allows setgroups(2) is
      // not known, so only a drop that must happen is tried (and fails there
      // if it denies it, as util-linux's does).
      drop_inside = !o.preserve_credentials;
    }
    if (drop_inside) plan.spawn.groups = std::vector<gid_t>{};
  }
  // As util-linux: only the capabilities a user namespace entered grants are
  // kept; elsewhere they are the caller's own, which a program run under
  // another uid (-S) must not keep.
  plan.spawn.keep_capabilities = o.keep_caps && user;
  if (plan.spawn.keep_capabilities && !plan.spawn.uid) {
    // --preserve-credentials: the uid stays as it is, but linuxns raises the
    // ambient set as part of a uid change, so name the uid the program will
    // have anyway: ours, as the target's user namespace maps it.
    if (!user_from_target) {
      return absl::InvalidArgumentError(
          "--keep-caps with --preserve-credentials needs --setuid for a user namespace "
          "given as a file");
    }
    LINUXNS_ASSIGN_OR_RETURN(std::string text, ReadFile(ProcPath(*plan.target, "uid_map")));
    const std::optional<std::uint32_t> inside = MapInside(text, ::geteuid());
    if (!inside) {
      return absl::FailedPreconditionError(
          absl::StrCat("--keep-caps: uid ", ::geteuid(),
                       " is not mapped in the user namespace of pid ", plan.target->pid()));
    }
    plan.spawn.uid = *inside;
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> OpenEverything(const NsenterOptions& o) {
  Plan plan;
  if (o.target) {
    LINUXNS_ASSIGN_OR_RETURN(plan.target, OpenTarget(*o.target, o.target_inode));
  }
  LINUXNS_RETURN_IF_ERROR(OpenNamespaces(o, plan));
  if (plan.target) {
    LINUXNS_RETURN_IF_ERROR(OpenDirectories(o, plan));
    LINUXNS_RETURN_IF_ERROR(ReadEnvironment(o, plan));
    LINUXNS_RETURN_IF_ERROR(PlanCredentials(o, plan));
    LINUXNS_RETURN_IF_ERROR(CheckStillRunning(*plan.target));
  } else {
    LINUXNS_RETURN_IF_ERROR(OpenDirectories(o, plan));
    LINUXNS_RETURN_IF_ERROR(PlanCredentials(o, plan));
  }
  SpawnOptions& s = plan.spawn;
  s.argv = o.command;
  if (s.argv.empty()) s.argv = {DefaultShell(s.env)};
  s.inherit_fds = true;
  s.shell_fallback = true;  // execvp(3), as util-linux
  return plan;
}

// Points the spawn options at what `plan` holds, once it has its final place.
void BorrowIntoSpawn(Plan& plan) {
  SpawnOptions& s = plan.spawn;
  s.join_process = nullptr;
  s.join_process_types = plan.from_target;
  if (!plan.from_target.empty()) s.join_process = &*plan.target;
  s.join.clear();
  for (const NsFd& ns : plan.from_files) s.join.push_back(&ns);
  s.root_fd = plan.root.get();
  s.cwd_fd = plan.wd.get();
}

// -c: this process moves into the target's cgroup before it enters any
// namespace (as util-linux does), so that the move is judged with its
// original privileges, and the command is born there.
absl::Status JoinCgroupHere(const Plan& plan) {
  if (!plan.cgroup) return absl::OkStatus();
  UniqueFd procs(::openat(plan.cgroup.get(), "cgroup.procs", O_WRONLY | O_CLOEXEC));
  if (!procs) return ErrnoError(errno, "cannot join cgroup: open cgroup.procs");
  if (::write(procs.get(), "0", 1) != 1) {
    return ErrnoError(errno, "cannot join cgroup: write to cgroup.procs");
  }
  return absl::OkStatus();
}

// The pid namespace is entered here, by this single-threaded process, after
// the user namespace that owns it when that lies below ours: without
// CAP_SYS_ADMIN in our own user namespace that is the only order the kernel
// accepts (the library's spawning thread would stay in ours). The child is
// then born inside.
absl::Status EnterPidNamespaceHere(Plan& plan) {
  if (plan.user && !IsOwnOrAncestorUserNs(*plan.user)) {
    LINUXNS_RETURN_IF_ERROR(WithContext(plan.user->Enter(), "reassociate to namespace 'ns/user'"));
    plan.spawn.join_process_types.Remove(NsType::kUser);
    std::erase_if(plan.spawn.join, [](const NsFd* ns) { return ns->type() == NsType::kUser; });
  }
  LINUXNS_RETURN_IF_ERROR(
      WithContext(plan.target_pid->Enter(), "reassociate to namespace 'ns/pid'"));
  plan.spawn.join_process_types.Remove(NsType::kPid);
  std::erase_if(plan.spawn.join, [](const NsFd* ns) { return ns->type() == NsType::kPid; });
  if (plan.spawn.join_process_types.empty()) plan.spawn.join_process = nullptr;
  return absl::OkStatus();
}

// Kills this process with `sig`, as util-linux does to pass on the child's
// death by a signal; returns only if that did not work.
void Reraise(int sig) {
  const rlimit no_core = {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // the child dumped core already, if any
  ::signal(sig, SIG_DFL);
  sigset_t set;
  ::sigemptyset(&set);
  ::sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::kill(::getpid(), sig);
}

// Waits for `child` like util-linux's continue_as_child(): a stop of the
// child stops this process too (and a continue continues the child);
// SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 are forwarded (the terminal sends
// SIGINT and SIGQUIT to the child's process group itself).
int WaitMirroring(ChildProcess& child, const UniqueFd& signals) {
  for (;;) {
    pollfd fds[2] = {{child.pidfd().get(), POLLIN, 0}, {signals.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return ReportFailure(kTool, ErrnoError(errno, "poll"));
    }
    if (fds[0].revents & POLLIN) break;
    signalfd_siginfo info;
    if (!(fds[1].revents & POLLIN) || ::read(signals.get(), &info, sizeof info) != sizeof info) {
      continue;
    }
    const int sig = static_cast<int>(info.ssi_signo);
    if (sig != SIGCHLD) {
      static_cast<void>(child.Signal(sig));
      continue;
    }
    siginfo_t stopped = {};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.pidfd().get()), &stopped,
                 WSTOPPED | WNOHANG | __WALL) == 0 &&
        stopped.si_pid != 0 && stopped.si_code == CLD_STOPPED) {
      ::kill(::getpid(), SIGSTOP);
      static_cast<void>(child.Signal(SIGCONT));
    }
  }
  absl::StatusOr<ExitStatus> status = child.Wait();
  if (!status.ok()) return ReportFailure(kTool, status.status());
  if (status->signaled()) Reraise(status->signal());
  return status->ShellCode();
}

int Run(const NsenterOptions& o) {
  absl::StatusOr<Plan> opened = OpenEverything(o);
  if (!opened.ok()) return ReportFailure(kTool, opened.status());
  Plan& plan = *opened;
  BorrowIntoSpawn(plan);
  if (absl::Status s = JoinCgroupHere(plan); !s.ok()) return ReportFailure(kTool, s);
  // Nothing is entered yet: dropped here, the groups are gone wherever the
  // command runs, and need no setgroups(2) there (see PlanCredentials).
  if (plan.drop_groups_here && ::setgroups(0, nullptr) == 0) plan.spawn.groups.reset();
  const bool fork = plan.entered.Contains(NsType::kPid) && !o.no_fork;
  if (!fork) {
    // Returns only on failure.
    return ReportFailure(kTool, ExecInPlace(plan.spawn));
  }
  // Our own pid namespace, to return to once the child is born (best effort:
  // it may need privilege we gave up by entering a user namespace). A
  // process whose pid_for_children is elsewhere starts its own helpers there,
  // such as LeakSanitizer's tracer at exit, which then cannot find us.
  absl::StatusOr<NsFd> home_pid = NsFd::OpenCurrent(NsType::kPid);
  if (absl::Status s = EnterPidNamespaceHere(plan); !s.ok()) return ReportFailure(kTool, s);
  sigset_t handled;
  ::sigemptyset(&handled);
  for (int sig : {SIGCHLD, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2}) ::sigaddset(&handled, sig);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  // Blocked, and their signalfd made, before the spawn: none is lost, and a
  // signalfd that cannot be made (descriptor exhaustion) stops us before the
  // program starts. The child's mask is reset.
  ::sigprocmask(SIG_BLOCK, &handled, nullptr);
  UniqueFd signals(::signalfd(-1, &handled, SFD_CLOEXEC));
  if (!signals) return ReportFailure(kTool, ErrnoError(errno, "signalfd"));
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(plan.spawn);
  if (home_pid.ok()) static_cast<void>(::setns(home_pid->get(), CLONE_NEWPID));
  if (!child.ok()) return ReportFailure(kTool, child.status());
  return WaitMirroring(*child, signals);
}

}  // namespace
}  // namespace linuxns::tools

int main(int argc, char** argv) {
  namespace tools = linuxns::tools;
  tools::CloseStdoutAtExit("nsenter");
  if (tools::RefuseSetId("nsenter")) return tools::kExitFailure;
  absl::StatusOr<tools::NsenterOptions> parsed = tools::ParseNsenterOptions(argc, argv);
  if (!parsed.ok()) {
    return tools::IsNsenterUsageError(parsed.status())
               ? tools::ReportUsageError("nsenter", parsed.status())
               : tools::ReportFailure("nsenter", parsed.status());
  }
  if (parsed->help) return std::fputs(tools::kNsenterUsage, stdout), 0;
  if (parsed->version) return std::puts("nsenter from linuxns " LINUXNS_VERSION), 0;
  return tools::Run(*parsed);
}

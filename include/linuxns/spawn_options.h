// linuxns/spawn_options.h: the complete description of a child process.
//
// SpawnOptions is a plain value: fill it in, then hand it to
// ChildProcess::Spawn(), which validates all of it before any system call
// (InvalidArgument naming the field) and renders it into the fixed program the
// child runs between clone and exec. The same options can spawn many
// children.
//
//   linuxns::SpawnOptions options;
//   options.argv = {"hostname"};
//   options.new_namespaces = {linuxns::NsType::kUser, linuxns::NsType::kUts};
//   options.MapCurrentUserToRoot();
//   options.hostname = "sandbox";
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::ChildProcess child,
//                            linuxns::ChildProcess::Spawn(options));
//
// What each field does, in the order the child applies them (the order of
// kSpawnStepOrder in lib/child/spawn.h, which a test holds this list to):
//   1. new_namespaces are created by the clone itself (clone3; all at once, a
//      new user namespace first and the others owned by it);
//   2. uid_map / gid_map of the new user namespace (setgroups "deny" first when
//      deny_setgroups): written by the child itself when each map is the single
//      line of the caller's own id (no round trip), otherwise by the parent
//      while the child waits (needs CAP_SETUID/CAP_SETGID, or newuidmap and
//      newgidmap with /etc/subuid and /etc/subgid ranges);
//   3. time_offsets: the child unshares the time namespace and writes them;
//   4. join: setns into each given namespace (a user namespace first when it
//      lies below the caller's, last when it is an ancestor; namespaces the
//      calling thread is already in are skipped); join_process: the
//      namespaces of another process, all in one setns(pidfd) call (Linux
//      5.8), which orders them itself. A pid namespace to join is different:
//      setns moves only the caller's future children, so the child makes the
//      joins (user first, which gives an ordinary user CAP_SYS_ADMIN over a
//      pid namespace of its own user namespace) and then clones, with
//      CLONE_PARENT, the process that runs the later steps and execs: it is
//      born in the joined pid namespace and is the caller's child all the
//      same. When the parent must write id maps or pins, a time namespace is
//      joined too, or clone3 is missing, the library's spawner thread enters
//      the pid namespace and clones the child instead, which then needs
//      CAP_SYS_ADMIN in the caller's user namespace;
//   5. propagation of "/" when the mount namespace is new (private by default);
//   6. root_fd, then cwd_fd: a root and a working directory given as open
//      files, entered after the joins (`nsenter --root`, `--wd`: a process's
//      /proc/PID/root and /proc/PID/cwd are its root and working directory
//      in its own mount namespace);
//   7. hostname and domainname (need a new or joined uts namespace);
//   8. the new root's mounts: with minimal_dev the caller's device nodes are
//      opened before any mount can cover /dev; `root` is bind-mounted onto
//      itself, each of `mounts` is made under it (targets resolved inside it
//      without following any symbolic link, RELIABILITY rule 6), then the
//      minimal_dev /dev (a tmpfs, its entries, the nodes bound, devpts,
//      /dev/shm), then mount_proc (a fresh procfs on mount_proc_at; needs a
//      new mnt namespace, shows a new pid namespace, refuses a /proc that is
//      a symlink) and mount_sys (a fresh sysfs on /sys, so that
//      /sys/class/net shows the network namespace's links), then
//      chroot or pivot_root into it with the old root detached (RootChange);
//   9. loopback_up: bring "lo" up (needs a new or joined network namespace);
//   10. cwd, umask, new_session, rlimits;
//   11. credentials: drop_bounding_capabilities, groups, gid, uid (in that
//       order), then keep_capabilities and no_new_privs; then
//       kill_on_parent_death;
//   12. descriptors: each `fds` entry is duplicated onto its target number;
//       every other descriptor above 2 is closed unless inherit_fds;
//   13. signals: caught ones have their default action from the clone on;
//       with reset_ignored_signals the ignored ones get it too; the signal
//       mask is emptied;
//   14. seccomp: the system-call filter is installed (no_new_privs first
//       where the kernel asks for it), after every step above has made its
//       calls;
//   15. execve of argv[0] (searched in PATH when it has no '/'; see
//       ChildProcess for where the search happens) with env.
//
// Implied namespaces (one rule, as util-linux's unshare has it: --mount-proc
// implies --mount, --map-root-user implies --user): a field that needs a
// namespace of its own implies a new namespace of that type, unless one of
// that type is joined. uid_map, gid_map imply user; hostname, domainname imply
// uts; mounts, root with kPivotRoot, minimal_dev, mount_proc, mount_sys imply
// mnt; loopback_up implies net; time_offsets imply time; init implies pid.
// EffectiveNewNamespaces() is the set the child gets. Where a joined
// namespace cannot serve (mounts, a minimal /dev, /proc, /sys or a pivot_root
// in a joined mount namespace would change it for everyone in it; maps, time
// offsets and an init need a namespace nobody has entered yet), Spawn() says
// so (InvalidArgument) rather than creating one. user_mapping alone implies
// nothing: it applies only when a new user namespace is made.
//
// Thread-safety: a value; nothing here makes a system call.
#ifndef LINUXNS_SPAWN_OPTIONS_H_
#define LINUXNS_SPAWN_OPTIONS_H_

#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "linuxns/export.h"
#include "linuxns/id_map.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_type.h"
#include "linuxns/pid_fd.h"
#include "linuxns/pin.h"
#include "linuxns/seccomp_program.h"
#include "linuxns/time_offsets.h"

namespace linuxns {

// Mount propagation of "/" in a new mount namespace (mount_namespaces(7)).
enum class Propagation {
  kPrivate,    // MS_REC|MS_PRIVATE: nothing flows in or out (the default)
  kSlave,      // MS_REC|MS_SLAVE: host mounts flow in, nothing flows out
  kShared,     // MS_REC|MS_SHARED
  kUnchanged,  // as copied from the parent
};

// How the child changes its root directory to SpawnOptions::root.
enum class RootChange {
  // pivot_root(2) (needs a new mount namespace): the old root is detached, so
  // nothing of it stays reachable. The default.
  kPivotRoot,
  // chroot(2), as `unshare -R` and `nsenter -r` do: needs no mount namespace
  // and works with "/", but the old root stays reachable to a process with
  // CAP_SYS_CHROOT.
  kChroot,
};

// A mount made in the child's new mount namespace.
struct LINUXNS_EXPORT MountSpec {
  // Bind `source` (a path of the caller's file system) onto `target`.
  static MountSpec Bind(std::string source, std::string target, bool read_only = false) {
    return MountSpec{false, std::move(source), std::move(target), "", read_only};
  }
  // A fresh tmpfs on `target`, with mount options such as "size=16m,mode=755".
  static MountSpec Tmpfs(std::string target, std::string options = "") {
    return MountSpec{true, "", std::move(target), std::move(options), false};
  }

  bool tmpfs = false;  // a tmpfs (Tmpfs()) rather than a bind mount (Bind())
  std::string source;  // bind only: the path to bind, in the caller's view
  // A path under the new root (or "/"); no component may be a symbolic link.
  std::string target;
  std::string options;     // tmpfs only
  bool read_only = false;  // bind only: remount the bind read-only
};

// A namespace of the child to pin onto a file (see linuxns/pin.h).
struct LINUXNS_EXPORT NsPin {
  NsType type = NsType::kNet;  // which of the child's namespaces
  std::string path;            // the file to bind-mount it onto (created if missing)
};

// A resource limit to set in the child (setrlimit(2)).
struct LINUXNS_EXPORT Rlimit {
  int resource = 0;  // RLIMIT_*; another number is InvalidArgument before the clone
  rlim_t soft = 0;   // rlim_cur; RLIM_INFINITY for no limit; above hard: InvalidArgument
  rlim_t hard = 0;   // rlim_max; RLIM_INFINITY for no limit
};

// What the child's stdin, stdout or stderr is.
enum class Stdio {
  kInherit,  // the caller's (or an `fds` entry for that number)
  kNull,     // /dev/null
  kPipe,     // a pipe whose other end ChildProcess::TakeStdin() etc. hand out
};

// A descriptor of the parent to appear in the child at number `target`.
struct LINUXNS_EXPORT FdMapping {
  int source = -1;  // the parent's descriptor; must stay open until Spawn returns
  int target = -1;  // its number in the child
};

// SpawnOptions: everything about a child to spawn (ChildProcess::Spawn()) or
// about this process to set up and exec (ExecInPlace()), applied in the order
// listed at the top of this file. A plain value: setting a field checks
// nothing; Spawn() checks the whole before any system call.
struct LINUXNS_EXPORT SpawnOptions {
  // The command: argv[0] is the program (searched in PATH when it has no '/').
  std::vector<std::string> argv;
  // The file to execute when it is not argv[0] (a login shell is run with
  // argv[0] "-sh"); searched in PATH the same way.
  std::optional<std::string> executable;
  // When the program is found but the kernel cannot execute it (ENOEXEC: a
  // shell script without a "#!" line), run `/bin/sh FILE argv[1]...` instead,
  // as execvp(3) does. Off by default, as posix_spawn(3) and most spawn APIs
  // have it: a file the kernel refuses is an error (ENOEXEC at the exec step)
  // rather than code handed to a shell. The example tools turn it on, to run
  // commands as util-linux's execvp() does. With `init`, linuxns-init runs
  // the command with execvp(3), which always falls back so.
  bool shell_fallback = false;
  // The environment, "NAME=value" each; std::nullopt passes the caller's
  // `environ` as it stands at Spawn() (like execv(3), not safe against a
  // concurrent setenv(3)).
  std::optional<std::vector<std::string>> env;

  // Namespaces to create for the child (clone(2) CLONE_NEW* flags).
  NsTypeSet new_namespaces;
  // Pin these namespaces of the child onto files before the command runs
  // (`unshare --net=FILE`); the pins stay after the child exits, until
  // UnpinNamespace(). Made by the parent, in its mount namespace, while the
  // child waits. A time namespace with time_offsets cannot be pinned (it does
  // not exist before the exec).
  std::vector<NsPin> pins;
  // Clock offsets of a new time namespace (implies NsType::kTime). The child
  // then unshares it itself, writes the offsets, and enters it at exec.
  std::optional<TimeOffsets> time_offsets;
  // Namespaces to enter, borrowed: they must stay valid until Spawn returns.
  // An empty (moved-from) NsFd, or one whose descriptor no longer refers to
  // its namespace (closed behind its back), is InvalidArgument.
  std::vector<const NsFd*> join;
  // Enter `join_process_types` namespaces of this process (borrowed), e.g.
  // every type, as `nsenter -t PID -a` does.
  const PidFd* join_process = nullptr;
  // The types of join_process's namespaces to enter (with join_process only).
  NsTypeSet join_process_types;

  // The id maps of a new user namespace, in the vocabulary Namespace uses
  // too (linuxns/id_map.h): user_mapping gives the usual map of the caller's
  // own euid and egid (root inside by default, as `unshare -r`; kNone for the
  // kernel's unmapped state, every id 65534, as `unshare -U`), and uid_map or
  // gid_map, when set, replaces it for uids or gids (several ranges, or
  // /etc/subuid ranges through newuidmap). A map of only the caller's own id
  // is written by the child itself; any other by the parent (see step 2).
  UserNsMapping user_mapping = UserNsMapping::kCurrentUserToRoot;
  // An explicit uid map (implies a new user namespace).
  std::optional<IdMap> uid_map;
  // An explicit gid map (implies a new user namespace).
  std::optional<IdMap> gid_map;
  // Write "deny" to setgroups before gid_map (required unless the parent has
  // CAP_SETGID over the parent namespace).
  bool deny_setgroups = true;

  // Propagation of "/" in a new mount namespace (only with NsType::kMnt).
  Propagation propagation = Propagation::kPrivate;
  // The new root directory (see RootChange); nullopt keeps the caller's
  // root. cwd is then a path inside the new root.
  std::optional<std::string> root;
  // How `root` becomes the root directory (only with root set).
  RootChange root_change = RootChange::kPivotRoot;
  std::vector<MountSpec> mounts;  // imply a new mnt namespace
  // At most 64 bytes, no NUL; imply a new uts namespace unless one is joined.
  std::optional<std::string> hostname;
  std::optional<std::string> domainname;  // as hostname
  // A minimal /dev, as bubblewrap's --dev and minijail's -d make it (implies
  // a new mnt namespace): a tmpfs on /dev under the new root (or "/"; mode
  // 0755, nosuid, nodev, noexec, 64 KiB) holding null, zero, full, random,
  // urandom and tty, each bind-mounted from the caller's /dev (a user
  // namespace may not create device nodes), pts (a devpts instance of its
  // own: newinstance, ptmxmode=0666, mode=620, and gid=5 where the child's
  // user namespace maps it), ptmx (a symbolic link to pts/ptmx), shm (a tmpfs
  // of mode 1777), and the links fd (/proc/self/fd), stdin, stdout and
  // stderr (/proc/self/fd/0, 1, 2), which need a /proc. The caller's nodes
  // are opened before any of the child's mounts, so that nothing can cover
  // them; /dev must exist under the root, as a directory reached without a
  // symbolic link. Nothing else of the caller's /dev is visible. Each failure
  // is its own SpawnStep (kOpenDevNode, kMountDev, kMakeDevEntry,
  // kBindDevNode, kMountDevPts, kMountDevShm), its message naming the path.
  bool minimal_dev = false;
  // Mount a fresh procfs on mount_proc_at (implies a new mnt namespace).
  bool mount_proc = false;
  std::string mount_proc_at = "/proc";  // where (`unshare --mount-proc=DIR`)
  // Mount a fresh sysfs on /sys (implies a new mnt namespace).
  bool mount_sys = false;
  // Bring the loopback link "lo" up (implies a new net namespace unless one
  // is joined).
  bool loopback_up = false;

  // A root directory and a working directory given as open descriptors
  // (O_PATH is enough; borrowed: they must stay open until Spawn() or
  // ExecInPlace() returns), entered right after the joins and the
  // propagation, before every later step: what `nsenter --root` and
  // `nsenter --wd` do. Opened before the spawn, a process's /proc/PID/root
  // and /proc/PID/cwd are its root and working directory in its own mount
  // namespace, whichever namespaces the child joins; a directory opened by
  // path is the one the path named where it was opened (util-linux documents
  // the same for `nsenter --root=DIR`).
  //   root_fd: fchdir(2) to it and chroot(".") (CAP_SYS_CHROOT in the child's
  //     user namespace); the working directory then goes back to the one the
  //     joins left (setns(2) into a mount namespace leaves it at that
  //     namespace's root), unless cwd_fd or cwd says otherwise.
  //   cwd_fd: fchdir(2) to it, after root_fd.
  // -1: none. root_fd with `root` is InvalidArgument (two new roots). Each
  // failure is its own SpawnStep (kEnterRoot, kEnterCwd).
  int root_fd = -1;
  // The working directory as an open descriptor (see root_fd), or -1.
  int cwd_fd = -1;

  // The working directory to chdir(2) into, after the root change (and after
  // cwd_fd: a relative path starts there); nullopt leaves the one the child
  // inherited.
  std::optional<std::string> cwd;
  // The file mode creation mask (umask(2)); nullopt keeps the caller's.
  std::optional<mode_t> umask;
  // Start a new session (setsid(2)): no controlling terminal.
  bool new_session = false;
  // Resource limits to set, in order (setrlimit(2)).
  std::vector<Rlimit> rlimits;

  // Credentials after setup, as ids of the child's user namespace.
  std::optional<std::vector<gid_t>> groups;  // setgroups(2); needs setgroups allowed
  // The real, effective and saved gid (setresgid(2)); nullopt keeps them.
  std::optional<gid_t> gid;
  // The real, effective and saved uid (setresuid(2)), set after gid;
  // nullopt keeps them.
  std::optional<uid_t> uid;
  // Keep the capabilities the child has (in its user namespace) across the
  // exec of a program that is not run as root: they are made inheritable and
  // ambient (`unshare --keep-caps`). With `uid` they survive the uid change;
  // without it they are those the child has, all of them in a new user
  // namespace, where an unmapped uid (65534) would lose them at exec.
  bool keep_capabilities = false;
  // Capabilities (CAP_* numbers) to drop from the bounding set, so that no
  // exec can ever give them back (prctl PR_CAPBSET_DROP; needs CAP_SETPCAP).
  std::vector<int> drop_bounding_capabilities;
  // prctl(PR_SET_NO_NEW_PRIVS): exec never grants privilege (set-user-ID bits
  // and file capabilities are ignored).
  bool no_new_privs = false;

  // A system-call filter (linuxns/seccomp_program.h; SyscallFilter of
  // linuxns/syscall_filter.h compiles one from rules), installed with
  // seccomp(2) as the child's last step before execve (step 14), so that a
  // filter which forbids mount(2), setns(2) or setuid(2) still lets the child
  // set itself up: it governs the command (and with `init`, linuxns-init and
  // then the command) and everything they start, for good. The kernel takes
  // a filter from a process with CAP_SYS_ADMIN in its user namespace, or
  // with no_new_privs: when the child has neither at that step, it sets
  // no_new_privs first (kNoNewPrivs), unless seccomp_keeps_privilege_gain.
  // A failure is SpawnStep::kSeccomp with the errno (EINVAL: the kernel
  // refused the program; ENOMEM: the filters of the process exceed the
  // kernel's total of 32768 instructions). A call the filter kills the
  // process for ends it with SIGSYS, which Wait() reports (ExitStatus's
  // ToString() names the seccomp cause), the execve itself included: Spawn()
  // cannot tell a child killed there from one killed just after the exec. In place (ExecInPlace()),
  // a failed execve leaves the calling process under the filter.
  std::optional<SeccompProgram> seccomp;
  // Install `seccomp` without setting no_new_privs, so that set-user-ID
  // programs and file capabilities still work under it: the child must then
  // have CAP_SYS_ADMIN in its user namespace at that step (kSeccomp fails
  // with EACCES otherwise). InvalidArgument without `seccomp`, with
  // no_new_privs, and when the child stays in the caller's user namespace
  // and the calling thread has no effective CAP_SYS_ADMIN.
  bool seccomp_keeps_privilege_gain = false;

  // Run the library's minimal init as PID 1 of the new pid namespace (implies
  // NsType::kPid), with the command as its child: it reaps orphans, forwards
  // SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to the
  // command, gives it the terminal's foreground, and exits with the command's
  // status (128 + N for a signal). Without it the command itself is PID 1 and
  // ignores every signal it has no handler for. The init is carried inside
  // the library and executed from a sealed memfd, so it works under any
  // root. The command's exec failure is still reported by Spawn().
  bool init = false;

  // The child gets SIGKILL when this process exits, however it exits, and
  // never outlives it (RELIABILITY rule 7): it is cloned from the library's
  // long-lived spawner thread (so the exit of the thread that called Spawn
  // does not count), PR_SET_PDEATHSIG is set after the credential changes that
  // would clear it, and a pidfd of this process, opened before the clone, is
  // checked afterwards so that a parent that died in between is caught. Costs
  // a hand-over to that thread per spawn.
  bool kill_on_parent_death = false;
  // The signal kill_on_parent_death sends (`unshare --kill-child=SIGNAL`);
  // with kill_on_parent_death, one outside 1..SIGRTMAX is InvalidArgument.
  int parent_death_signal = SIGKILL;
  // The child records the ids of its namespaces once its joins are made
  // (the ones its program will run in: time_for_children for time), and
  // ChildProcess::NamespaceAtExec() gives them after Spawn() returns, even
  // when the program has exited already (reading /proc/PID/ns then races
  // its exit). Costs eight statx(2) calls in the child; a type the child
  // could not read (no /proc of a pid namespace that shows it, in a joined
  // mount namespace) is left out. Not in place (InvalidArgument).
  bool record_namespaces = false;

  // Start the child in this cgroup v2 directory (an O_DIRECTORY fd, borrowed)
  // with CLONE_INTO_CGROUP (Linux 5.7, clone3 only); -1 for the caller's.
  int cgroup_fd = -1;

  Stdio stdin_mode = Stdio::kInherit;   // what the child's stdin is
  Stdio stdout_mode = Stdio::kInherit;  // what the child's stdout is
  Stdio stderr_mode = Stdio::kInherit;  // what the child's stderr is
  // Descriptors of the parent to give the child at chosen numbers: each
  // target at most once, and a target 0..2 only when that stream's mode is
  // kInherit (InvalidArgument otherwise).
  std::vector<FdMapping> fds;
  // Give the signals the caller ignores their default action in the child
  // too (SIGPIPE, for one, that a program which writes to a pipe expects).
  // Off by default: ignored signals stay ignored across the exec, as with
  // fork+exec, posix_spawn(3) and util-linux's unshare(1); on, it costs a
  // system call per signal (about 62). Caught ones are always reset.
  bool reset_ignored_signals = false;

  // Keep every inherited descriptor (those not close-on-exec), as exec
  // wrappers such as unshare(1) and nsenter(1) do. Off by default: the child
  // then sees only 0, 1, 2 and the `fds` targets.
  bool inherit_fds = false;

  // Maps the caller's effective uid and gid to 0 inside a new user namespace
  // (what `unshare -r` does): adds NsType::kUser to new_namespaces, sets
  // user_mapping to kCurrentUserToRoot and clears uid_map and gid_map.
  SpawnOptions& MapCurrentUserToRoot();

  // AddNamespacesLookingNew()
  //
  // The preset for namespaces that look new from inside, as nsexec makes
  // them: adds `types` to new_namespaces, and for each what a program in it
  // expects to see of it. A network namespace gets a fresh /sys (mount_sys:
  // /sys/class/net then lists its own links, not the host's) and "lo" up
  // (loopback_up); a pid namespace gets a fresh /proc (mount_proc: ps and
  // /proc/self then show the new pid namespace); both imply a new mount
  // namespace. A new user namespace maps the caller to root (user_mapping's
  // default). Other types need nothing more. Without the preset the kernel's
  // own state stays: a new network namespace with the host's /sys mounted
  // and "lo" down.
  SpawnOptions& AddNamespacesLookingNew(NsTypeSet types);

  // EffectiveNewNamespaces()
  //
  // new_namespaces and the types the other fields imply (see "Implied
  // namespaces" above): the namespaces the child gets new.
  NsTypeSet EffectiveNewNamespaces() const;

  // JoinedNamespaces()
  //
  // The types of the namespaces the child joins: those of `join` and
  // join_process_types (with join_process).
  NsTypeSet JoinedNamespaces() const;
};

}  // namespace linuxns

#endif  // LINUXNS_SPAWN_OPTIONS_H_

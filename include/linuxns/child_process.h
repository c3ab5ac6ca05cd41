// linuxns/child_process.h: a process spawned into new or joined namespaces.
//
// ChildProcess::Spawn() starts a command as SpawnOptions describe it and
// returns once the command is running (its execve succeeded) or with the
// precise reason it could not be started:
//
//   linuxns::SpawnOptions options;
//   options.argv = {"/bin/sh", "-c", "hostname; echo $$"};
//   options.new_namespaces = {linuxns::NsType::kUts, linuxns::NsType::kPid};
//   options.hostname = "box";
//   absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
//   if (!child.ok()) return child.status();
//   // e.g. "spawn: child: sethostname "box": Operation not permitted"
//   absl::StatusOr<linuxns::ExitStatus> status = child->Wait();   // prints box, 1
//
// How: the parent validates the options and prepares everything the child
// needs (argv, envp, map text, the PATH candidates, every descriptor) in its
// own memory, blocks every signal, and clones a child with
// CLONE_VM|CLONE_VFORK on a stack of its own, so the cost does not grow with
// the parent's size (no page tables are copied) and the parent sleeps until
// the child has exec'd or failed. The child runs a fixed program of raw system
// calls (no allocation, no lock, no thread-local storage: safe in a
// multi-threaded host whose other threads hold malloc's locks) and reports a
// failed step as (step, errno). A few options need another launch, decided
// once per spawn (docs/design.md, "Launch modes"): the parent acts first
// (id maps beyond the caller's own id, pins), the child does not share our
// memory (joining a time namespace), the child joins a pid namespace and
// clones the process that execs there, or the child is cloned by the
// library's spawner thread (kill_on_parent_death). Whatever the mode, the
// child starts in the namespaces, root, working directory, umask and
// credentials of the thread that called Spawn(), exactly as in the direct
// path.
//
// Signals: every caught signal has its default action in the child from the
// clone on (clone3's CLONE_CLEAR_SIGHAND; a reset in the child where the
// kernel lacks it), so no handler of the host ever runs there; ignored ones
// stay ignored across the exec, as with fork+exec and posix_spawn(3), unless
// SpawnOptions::reset_ignored_signals; the signal mask is emptied.
//
// PATH: a program name without '/' is searched in the PATH of the child's
// environment (or "/usr/local/bin:/usr/bin:/bin"). The parent searches it
// before the clone when the child keeps the parent's mount namespace (so a
// missing command is NotFound before any process exists); otherwise the child
// tries each candidate inside its namespaces and reports the first error that
// is not ENOENT (EACCES if a candidate was found but not executable).
//
// Errors: InvalidArgument for options that do not fit together (before any
// system call); the clone's errno with an actionable message (see
// Namespace); "spawn: child: <step>: <strerror>" with the step's errno for a
// setup step that failed in the child; NotFound (ENOENT) or PermissionDenied
// (EACCES) for a command that could not be executed. Nothing is left behind on
// error: a child that failed is reaped before Spawn returns.
//
// Tracking: every child is held by a pidfd; its exit signal is 0 and it is
// reaped with waitid(P_PIDFD, ..., __WALL), so a host that ignores SIGCHLD or
// runs its own waitpid(-1) reaper neither breaks Wait() nor steals the child.
// The destructor of a ChildProcess whose child has not been waited for kills
// it with SIGKILL and reaps it (no zombie, ever) unless Detach() was called.
// When the child is PID 1 of a new pid namespace, killing it kills every
// process of that namespace; otherwise its own children are not affected and
// are reparented as usual.
//
// fork(): a fork of the process that spawned a child inherits copies of its
// ChildProcess objects. They are the parent's: in the fork, destroying one
// does nothing (the child is neither killed nor reaped), and Wait(),
// WaitFor() and Signal() are FailedPrecondition. A fork may spawn children of
// its own at once, even while other threads of the parent were spawning.
//
// Thread-safety: Spawn() may be called from any thread, concurrently. One
// ChildProcess may be used from several threads: Wait() on one thread while
// another calls Signal() or WaitFor() is fine (a signal sent after the child
// was reaped fails with ESRCH and never reaches another process).
// Needs Linux 5.3 (pidfd, clone3; clone(2) is used where clone3 is refused).
#ifndef LINUXNS_CHILD_PROCESS_H_
#define LINUXNS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linuxns/exit_status.h"
#include "linuxns/export.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pid_fd.h"
#include "linuxns/spawn_options.h"

namespace linuxns {

// ChildProcess: a spawned child, held by its pidfd until it is waited for,
// killed by the destructor or detached.
class LINUXNS_EXPORT ChildProcess {
 public:
  // Spawn()
  //
  // Starts the command described by `options`; see above. "Running" means
  // that its execve passed the point of no return: the kernel finishes
  // setting up the new image a moment later, so /proc/PID/cmdline and
  // /proc/PID/environ can still read as empty right after Spawn() returns
  // (most of the time, on this kernel; posix_spawn and vfork+exec are the
  // same). Poll them where the new image's values must be seen.
  static absl::StatusOr<ChildProcess> Spawn(const SpawnOptions& options);

  // Takes over the child of `other`, which then holds none: its destructor
  // does nothing.
  ChildProcess(ChildProcess&& other) noexcept;
  // Kills and reaps the child this object holds, if it runs and was neither
  // waited for nor detached (as the destructor does), then takes over the
  // child of `other`, which then holds none.
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  // Kills the child with SIGKILL and reaps it, unless it was waited for or
  // Detach() was called. Closes the pipes' parent ends that were not taken.
  ~ChildProcess();

  // The child's pid in the caller's pid namespace.
  pid_t pid() const { return pidfd_.pid(); }
  // The pidfd that holds the child, for polling or NsFd::FromPidFd(); owned
  // by this object.
  const PidFd& pidfd() const { return pidfd_; }

  // Wait()
  //
  // Blocks until the child exits and returns how it ended; later calls return
  // the same status. The status carries the child's resource usage
  // (ExitStatus::usage(): CPU time and peak RSS of the child and of the
  // descendants it waited for), taken by the waitid call that reaps it; it
  // is std::nullopt only when a reaper elsewhere in the host took the child
  // first and the status was read from the pidfd.
  absl::StatusOr<ExitStatus> Wait();

  // WaitFor()
  //
  // Like Wait() for at most `timeout`: std::nullopt if the child still runs.
  // An ended child's status carries its usage as Wait()'s does.
  absl::StatusOr<std::optional<ExitStatus>> WaitFor(absl::Duration timeout);

  // Signal()
  //
  // Sends `sig` through the pidfd. NotFound (ESRCH) once the child is reaped.
  absl::Status Signal(int sig) const;

  // OpenNamespace()
  //
  // The child's namespace of `type` (while it runs).
  absl::StatusOr<NsFd> OpenNamespace(NsType type) const { return NsFd::FromPidFd(pidfd_, type); }

  // NamespaceAtExec()
  //
  // With SpawnOptions::record_namespaces: the id of the child's namespace of
  // `type` as the child recorded it before its exec (also after the child
  // has exited). std::nullopt without the option, or for a type the child
  // could not read.
  std::optional<NsId> NamespaceAtExec(NsType type) const;

  // TakeStdin(), TakeStdout(), TakeStderr()
  //
  // The parent's end of a Stdio::kPipe stream (the write end for stdin, the
  // read end for the others), once; an empty UniqueFd otherwise. Closing the
  // stdin end gives the child end-of-file.
  UniqueFd TakeStdin() { return std::move(pipes_[0]); }
  // The read end of the child's stdout pipe; see TakeStdin().
  UniqueFd TakeStdout() { return std::move(pipes_[1]); }
  // The read end of the child's stderr pipe; see TakeStdin().
  UniqueFd TakeStderr() { return std::move(pipes_[2]); }

  // Detach()
  //
  // The destructor will neither kill nor reap the child. (It stays a zombie
  // after it exits until this process exits, since its exit signal is 0.)
  void Detach();

 private:
  struct State;
  ChildProcess(PidFd pidfd, std::unique_ptr<State> state);
  void KillAndReapIfRunning();

  PidFd pidfd_;
  std::unique_ptr<State> state_;
  UniqueFd pipes_[3];  // the parent's ends of kPipe stdin, stdout, stderr
};

}  // namespace linuxns

#endif  // LINUXNS_CHILD_PROCESS_H_

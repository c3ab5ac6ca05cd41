#include "internal/spawn_launch.h"

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "child/kernel_constants.h"
#include "child/spawn.h"
#include "internal/caller_context.h"
#include "internal/clone.h"
#include "internal/kernel.h"
#include "internal/spawn_parent.h"
#include "internal/spawn_plan.h"
#include "internal/spawner_thread.h"
#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

// Reads the child's SpawnReport, if it sent one before exec or exit.
absl::Status ReadReport(const UniqueFd& report_read, child::SpawnOutcome& outcome) {
  child::SpawnReport report{};
  ssize_t n;
  while ((n = ::read(report_read.get(), &report, sizeof report)) < 0 && errno == EINTR) {
  }
  if (n < 0) return ErrnoError(errno, "spawn: read the child's report");
  if (n == static_cast<ssize_t>(sizeof report)) {
    outcome.failed_step = report.step;
    outcome.failed_index = report.index;
    outcome.failed_errno = report.err;
  }
  return absl::OkStatus();
}

// The parent's actions while the child waits, then the child's wake-up.
absl::Status ActFirst(const PreparedSpawn& p, const PidFd& child) {
  const SpawnOptions& o = *p.options;
  if (p.parent_writes_maps) {
    LINUXNS_RETURN_IF_ERROR(WriteIdMaps(child.pid(), p.uid_ids ? &*p.uid_ids : nullptr,
                                        p.gid_ids ? &*p.gid_ids : nullptr, o.deny_setgroups,
                                        "spawn"));
  }
  // The child's pid namespace is its own at clone: pin it as it is now.
  MadePins pins;
  if (p.parent_pins) {
    LINUXNS_ASSIGN_OR_RETURN(pins, PinNamespacesOf(child, o));
  }
  const char go = 1;
  ssize_t n;
  while ((n = ::send(p.go_parent.get(), &go, 1, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (n != 1) {
    const int err = n < 0 ? errno : EIO;
    RemovePins(pins);
    return ErrnoError(err, "spawn: wake the child",
                      err == EPIPE ? "it was killed before it could go on" : "");
  }
  return absl::OkStatus();
}

// Launch() on this thread.
absl::StatusOr<PidFd> LaunchHere(PreparedSpawn& p) {
  const child::SpawnPlan& plan = p.plan;
  const bool vfork = p.mode == LaunchMode::kVfork || p.mode == LaunchMode::kVforkJoiner;
  std::optional<NsFd> home_pid;
  if (p.pid_join != nullptr) {
    // Only on the spawner thread (PreparedSpawn::on_spawner_thread).
    LINUXNS_ASSIGN_OR_RETURN(home_pid, NsFd::OpenForChildren(NsType::kPid));
    if (::setns(p.pid_join->get(), CLONE_NEWPID) != 0) {
      const int err = errno;
      return ErrnoError(err, absl::StrCat("spawn: setns into ", p.pid_join->id().ToString()),
                        err == EPERM ? "CAP_SYS_ADMIN in the namespace's owning user namespace "
                                       "is needed"
                                     : "");
    }
  }
  child::SpawnOutcome outcome;
  std::vector<int> move_copies(static_cast<std::size_t>(plan.move_count));
  outcome.move_copies = move_copies.data();
  outcome.records = p.records.get();
  child::SpawnRun run{&plan, &outcome};
  UniqueFd thread_pidfd;
  if (plan.parent_pidfd >= 0) {
    // The thread whose exit the child's death signal follows: this one.
    thread_pidfd.reset(static_cast<int>(
        ::syscall(SYS_pidfd_open, ::gettid(), PIDFD_THREAD)));  // EINVAL before 6.9
    run.parent_thread_pidfd = thread_pidfd.get();
  }
  CloneSpec spec;
  spec.flags = p.clone_types.ToCloneFlags() | (vfork ? CLONE_VFORK : 0);
  spec.share_memory = p.mode != LaunchMode::kOwnMemory;
  // A joiner's clone puts its pidfd in our table.
  spec.share_files = p.mode == LaunchMode::kVforkJoiner;
  spec.cgroup_fd = p.options->cgroup_fd;
  spec.clear_signal_handlers = true;
  spec.handlers_cleared = &run.handlers_cleared;
  spec.fn = &child::SpawnMain;
  spec.arg = &run;
  spec.stack = p.stack;
  absl::StatusOr<PidFd> pidfd = CloneVm(spec);
  if (home_pid.has_value()) {
    // Only the clone needed it. Should this fail, the spawner thread's home
    // step puts it back before its next job (spawner_thread.h).
    static_cast<void>(::setns(home_pid->get(), CLONE_NEWPID));
  }
  if (!pidfd.ok()) return WithContext(pidfd.status(), "spawn");
  if (p.mode == LaunchMode::kVforkJoiner) {
    // The joiner has exited (CLONE_VFORK): after its clone exec'd or failed,
    // or after a failure of its own. Go on with its clone, if any.
    static_cast<void>(Reap(*pidfd));
    if (outcome.after_joins_pidfd < 0) return DescribeChildFailure(p, outcome);
    pidfd = PidFd::Adopt(UniqueFd(outcome.after_joins_pidfd),
                         static_cast<pid_t>(outcome.after_joins_pid));
  }
  // The parent's copies of the child's ends: closed, so that end-of-file on
  // the report pipe means exec, and on the go socket that we are gone.
  p.go_child.reset();
  p.report_write.reset();
  if (p.go_parent) {
    absl::Status acted = ActFirst(p, *pidfd);
    if (!acted.ok()) {
      static_cast<void>(KillAndReap(*pidfd));
      return acted;
    }
  }
  if (p.report_read) {
    absl::Status read = ReadReport(p.report_read, outcome);
    if (!read.ok()) {
      static_cast<void>(KillAndReap(*pidfd));  // it may run on own_stack
      return read;
    }
  }
  if (outcome.failed_step != child::SpawnStep::kNone) {
    static_cast<void>(Reap(*pidfd));
    return DescribeChildFailure(p, outcome);
  }
  return pidfd;
}

}  // namespace

absl::StatusOr<PidFd> Launch(PreparedSpawn& p) {
  if (!p.on_spawner_thread) return LaunchHere(p);
  absl::StatusOr<PidFd> child = absl::UnknownError("spawn: the spawner thread did not run");
  LINUXNS_RETURN_IF_ERROR(RunOnSpawnerThread([&] {
    absl::StatusOr<CallerContextSwitch> caller = CallerContextSwitch::Enter(p.caller_tid);
    if (!caller.ok()) {
      child = caller.status();
      return;
    }
    child = LaunchHere(p);
    // A failed restore leaves the spawner thread where it is until its next
    // job, which takes it home first (spawner_thread.h); the child is ours
    // either way.
    static_cast<void>(caller->Restore());
  }));
  return child;
}

absl::StatusOr<ExitStatus> WaitForExit(const PidFd& child) {
  siginfo_t info{};
  struct rusage ru {};
  long r;
  do {
    // The raw system call: glibc's waitid() does not pass on the fifth
    // argument, the reaped process's rusage (getrusage(RUSAGE_BOTH) of it).
    r = ::syscall(SYS_waitid, P_PIDFD, child.get(), &info, WEXITED | __WALL, &ru);
  } while (r != 0 && errno == EINTR);
  if (r == 0) {
    const ExitStatus status =
        info.si_code == CLD_EXITED
            ? ExitStatus::Exited(info.si_status)
            : ExitStatus::Signaled(info.si_status, info.si_code == CLD_DUMPED);
    return status.WithUsage(ResourceUsage{
        .user_cpu = absl::DurationFromTimeval(ru.ru_utime),
        .system_cpu = absl::DurationFromTimeval(ru.ru_stime),
        .max_rss_bytes = static_cast<std::uint64_t>(ru.ru_maxrss) * 1024,
    });
  }
  const int err = errno;
  if (err != ECHILD) return ErrnoError(err, absl::StrCat("waitid pid ", child.pid()));
  // Someone else reaped the child: the kernel does that by itself when this
  // process ignores SIGCHLD, and a waitpid(-1) loop elsewhere in the program
  // takes it too (execve gives the child the exit signal SIGCHLD again). The
  // pidfd keeps the status for us since Linux 6.15.
  return ExitStatusFromPidfd(child);
}

}  // namespace linuxns::internal

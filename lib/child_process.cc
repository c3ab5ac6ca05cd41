#include "linuxns/child_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "child/spawn.h"
#include "internal/clone.h"
#include "internal/init_image.h"
#include "internal/spawn_plan.h"
#include "internal/spawner_thread.h"
#include "linuxns/status.h"

#ifndef CLONE_VFORK
#define CLONE_VFORK 0x00004000
#endif

namespace linuxns {
namespace {

constexpr std::size_t kSpawnStackSize = std::size_t{64} * 1024;

// Two stacks per thread, reused for CLONE_VFORK children: the parent thread
// sleeps while such a child runs on one, and wakes when it has exec'd or
// exited. The second is for the process a pid-joining child clones (it runs
// while that child sleeps on the first). A child cloned without CLONE_VFORK
// runs while the parent works (a nested Spawn(), for newuidmap, could run
// meanwhile): it gets a stack of its own.
absl::StatusOr<internal::ChildStack*> ThreadStack(int which = 0) {
  thread_local std::optional<internal::ChildStack> stacks[2];
  std::optional<internal::ChildStack>& stack = stacks[which];
  if (!stack.has_value()) {
    LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack s,
                             internal::ChildStack::Allocate(kSpawnStackSize));
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

// Reads the child's SpawnReport, if it sent one before exec or exit, into
// the plan's result fields.
absl::Status ReadReport(const UniqueFd& report_read, child::SpawnPlan& plan) {
  child::SpawnReport report{};
  ssize_t n;
  while ((n = ::read(report_read.get(), &report, sizeof report)) < 0 && errno == EINTR) {
  }
  if (n < 0) return ErrnoError(errno, "spawn: read the child's report");
  if (n == static_cast<ssize_t>(sizeof report)) {
    plan.failed_step = report.step;
    plan.failed_index = report.index;
    plan.failed_errno = report.err;
  }
  return absl::OkStatus();
}

}  // namespace

struct ChildProcess::State {
  std::mutex mu;
  std::optional<ExitStatus> status;
  bool detached = false;
};

ChildProcess::ChildProcess(PidFd pidfd, std::unique_ptr<State> state)
    : pidfd_(std::move(pidfd)), state_(std::move(state)) {}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept = default;

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    KillAndReapIfRunning();
    pidfd_ = std::move(other.pidfd_);
    state_ = std::move(other.state_);
    for (int i = 0; i < 3; ++i) pipes_[i] = std::move(other.pipes_[i]);
  }
  return *this;
}

ChildProcess::~ChildProcess() { KillAndReapIfRunning(); }

void ChildProcess::KillAndReapIfRunning() {
  if (!state_ || !pidfd_.valid()) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->detached || state_->status.has_value()) return;
  }
  static_cast<void>(internal::KillAndReap(pidfd_));
}

void ChildProcess::Detach() {
  if (state_) {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->detached = true;
  }
}

absl::StatusOr<ExitStatus> ChildProcess::Wait() {
  if (!state_) return absl::FailedPreconditionError("ChildProcess is empty");
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->status.has_value()) return *state_->status;
  }
  siginfo_t info{};
  int r;
  do {
    r = ::waitid(static_cast<idtype_t>(3 /* P_PIDFD */), static_cast<id_t>(pidfd_.get()), &info,
                 WEXITED | __WALL);
  } while (r != 0 && errno == EINTR);
  const int err = r != 0 ? errno : 0;
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->status.has_value()) return *state_->status;  // another Wait() won
  if (r == 0) {
    state_->status = info.si_code == CLD_EXITED
                         ? ExitStatus::Exited(info.si_status)
                         : ExitStatus::Signaled(info.si_status, info.si_code == CLD_DUMPED);
    return *state_->status;
  }
  if (err != ECHILD) return ErrnoError(err, absl::StrCat("waitid pid ", pid()));
  // Someone else reaped the child: the kernel does that by itself when this
  // process ignores SIGCHLD, and a waitpid(-1) loop elsewhere in the program
  // takes it too (execve gives the child the exit signal SIGCHLD again). The
  // pidfd keeps the status for us since Linux 6.15.
  LINUXNS_ASSIGN_OR_RETURN(state_->status, internal::ExitStatusFromPidfd(pidfd_));
  return *state_->status;
}

absl::StatusOr<std::optional<ExitStatus>> ChildProcess::WaitFor(absl::Duration timeout) {
  if (!state_) return absl::FailedPreconditionError("ChildProcess is empty");
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->status.has_value()) return state_->status;
  }
  LINUXNS_ASSIGN_OR_RETURN(bool exited, pidfd_.WaitForExit(timeout));
  if (!exited) return std::optional<ExitStatus>();
  LINUXNS_ASSIGN_OR_RETURN(ExitStatus status, Wait());
  return std::optional<ExitStatus>(status);
}

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const SpawnOptions& o) {
  LINUXNS_RETURN_IF_ERROR(internal::ValidateSpawnOptions(o));
  // Everything the child reads lives in `prepared` until Spawn() returns,
  // which is after the child has exec'd or exited.
  internal::PreparedSpawn prepared;
  LINUXNS_RETURN_IF_ERROR(internal::PrepareSpawn(o, prepared, /*in_place=*/false));
  // A pid join is done by the child, which then clones the process that
  // execs (SpawnPlan::after_joins_stack), when the child shares our memory
  // and runs alone; otherwise by the spawner thread below.
  if (prepared.pid_join != nullptr && !prepared.parent_writes_maps && o.pins.empty() &&
      !prepared.joins_time && internal::Clone3Available()) {
    internal::JoinPidInChild(prepared, o);
    LINUXNS_ASSIGN_OR_RETURN(internal::ChildStack * stack, ThreadStack(1));
    prepared.plan.after_joins_stack = stack->top();
    prepared.plan.after_joins_stack_size = stack->size();
  }
  if (!o.kill_on_parent_death && prepared.pid_join == nullptr) return Launch(o, prepared);
  absl::StatusOr<PidFd> self = absl::UnknownError("unused");
  if (o.kill_on_parent_death) {
    self = PidFd::Self();
    if (!self.ok()) return self.status();
    prepared.plan.parent_pidfd = self->get();
  }
  // The library's long-lived spawner thread: for kill_on_parent_death the
  // thread whose exit means the process's, and for a pid join a thread that
  // is not the caller's (its pid_for_children changes for the clone, and is
  // put back).
  absl::StatusOr<ChildProcess> child = absl::UnknownError("the spawner thread did not run");
  LINUXNS_RETURN_IF_ERROR(
      internal::RunOnSpawnerThread([&] { child = LaunchInPidNamespace(o, prepared); }));
  return child;
}

absl::StatusOr<ChildProcess> ChildProcess::LaunchInPidNamespace(const SpawnOptions& o,
                                                                internal::PreparedSpawn& prepared) {
  if (prepared.pid_join == nullptr) return Launch(o, prepared);
  LINUXNS_ASSIGN_OR_RETURN(NsFd home, NsFd::OpenForChildren(NsType::kPid));
  if (::setns(prepared.pid_join->get(), CLONE_NEWPID) != 0) {
    const int err = errno;
    return ErrnoError(err, absl::StrCat("spawn: setns into ", prepared.pid_join->id().ToString()),
                      err == EPERM ? "CAP_SYS_ADMIN in the namespace's owning user namespace "
                                     "is needed"
                                   : "");
  }
  absl::StatusOr<ChildProcess> child = Launch(o, prepared);
  // This thread may be the long-lived spawner: put it back.
  if (::setns(home.get(), CLONE_NEWPID) != 0 && child.ok()) {
    return ErrnoError(absl::StatusCode::kInternal, errno,
                      "spawn: restore the spawning thread's pid_for_children");
  }
  return child;
}

absl::StatusOr<ChildProcess> ChildProcess::Launch(const SpawnOptions& o,
                                                  internal::PreparedSpawn& prepared) {
  // The parent sleeps until the child has exec'd (CLONE_VFORK) and reads a
  // failure from the memory they share, unless the parent must act first
  // (write id maps while the child waits on `go`) or the child must not share
  // memory (to enter a time namespace). Then it learns the outcome from the
  // `report` pipe: a SpawnReport, or end-of-file at exec. The pipe's write end
  // sits above every target number so that no move can overwrite it.
  // Stdio modes become moves onto 0, 1, 2; the parent keeps pipes' far ends.
  UniqueFd child_ends[3];
  UniqueFd parent_ends[3];
  const Stdio modes[3] = {o.stdin_mode, o.stdout_mode, o.stderr_mode};
  for (int i = 0; i < 3; ++i) {
    if (modes[i] == Stdio::kNull) {
      child_ends[i].reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
      if (!child_ends[i]) return ErrnoError(errno, "spawn: open /dev/null");
    } else if (modes[i] == Stdio::kPipe) {
      UniqueFd read_end, write_end;
      LINUXNS_RETURN_IF_ERROR(MakePipe(read_end, write_end));
      child_ends[i] = std::move(i == 0 ? read_end : write_end);
      parent_ends[i] = std::move(i == 0 ? write_end : read_end);
    }
    if (child_ends[i]) internal::AddMove(prepared, child_ends[i].get(), i);
  }

  // An init reports the command's exec failure on the pipe too.
  // The parent acts first (the child waits on `go`) to write maps or pins.
  const bool parent_first = prepared.parent_writes_maps || !o.pins.empty();
  const bool no_vfork = parent_first || prepared.joins_time;
  const bool pipe_mode = no_vfork || o.init;
  UniqueFd go_read, go_write, report_read, report_write;
  if (parent_first) {
    LINUXNS_RETURN_IF_ERROR(MakePipe(go_read, go_write));
    prepared.plan.wait_fd = go_read.get();
  }
  if (pipe_mode) {
    UniqueFd low_write;
    LINUXNS_RETURN_IF_ERROR(MakePipe(report_read, low_write));
    report_write.reset(::fcntl(low_write.get(), F_DUPFD_CLOEXEC, prepared.max_target + 1));
    if (!report_write) return ErrnoError(errno, "spawn: fcntl F_DUPFD_CLOEXEC");
    internal::KeepFdInChild(prepared, report_write.get());
    prepared.plan.report_fd = report_write.get();
  }
  UniqueFd init_image;  // a copy above every target number, kept in the child
  if (o.init) {
    LINUXNS_ASSIGN_OR_RETURN(int image, internal::InitImageFd());
    init_image.reset(::fcntl(image, F_DUPFD_CLOEXEC, prepared.max_target + 1));
    if (!init_image) return ErrnoError(errno, "spawn: fcntl F_DUPFD_CLOEXEC");
    internal::KeepFdInChild(prepared, init_image.get());
    internal::UseInit(prepared, o, init_image.get(), report_write.get());
  }

  std::optional<internal::ChildStack> own_stack;
  internal::ChildStack* stack = nullptr;
  if (no_vfork) {
    LINUXNS_ASSIGN_OR_RETURN(own_stack, internal::ChildStack::Allocate(kSpawnStackSize));
    stack = &*own_stack;
  } else {
    LINUXNS_ASSIGN_OR_RETURN(stack, ThreadStack());
  }
  internal::CloneSpec spec;
  spec.flags = prepared.clone_types.ToCloneFlags() | (no_vfork ? 0 : CLONE_VFORK);
  spec.share_memory = !prepared.joins_time;
  // A joiner's clone puts its pidfd in our table.
  spec.share_files = prepared.plan.after_joins_stack != nullptr;
  spec.cgroup_fd = o.cgroup_fd;
  spec.fn = &child::SpawnMain;
  spec.arg = &prepared.plan;
  spec.stack = stack;
  absl::StatusOr<PidFd> pidfd = internal::CloneVm(spec);
  if (!pidfd.ok()) return WithContext(pidfd.status(), "spawn");
  if (spec.share_files) {
    // The joiner has exited (CLONE_VFORK): after its clone exec'd or failed,
    // or after a failure of its own. Go on with its clone, if any.
    static_cast<void>(internal::Reap(*pidfd));
    if (prepared.plan.after_joins_pidfd < 0) {
      return internal::DescribeChildFailure(prepared, o);
    }
    pidfd = PidFd::Adopt(UniqueFd(prepared.plan.after_joins_pidfd),
                         static_cast<pid_t>(prepared.plan.after_joins_pid));
  }

  go_read.reset();
  report_write.reset();
  if (parent_first) {
    absl::Status done =
        prepared.parent_writes_maps ? internal::WriteMapsOf(pidfd->pid(), o) : absl::OkStatus();
    // The child's pid namespace is its own at clone: pin it as it is now.
    if (done.ok()) done = internal::PinNamespacesOf(*pidfd, o);
    char go = 1;
    if (done.ok() && ::write(go_write.get(), &go, 1) != 1) {
      done = ErrnoError(errno, "spawn: wake the child");
    }
    if (!done.ok()) {
      static_cast<void>(internal::KillAndReap(*pidfd));
      return done;
    }
  }
  if (pipe_mode) {
    absl::Status read = ReadReport(report_read, prepared.plan);
    if (!read.ok()) {
      static_cast<void>(internal::KillAndReap(*pidfd));  // it may run on own_stack
      return read;
    }
  }
  if (prepared.plan.failed_step != child::SpawnStep::kNone) {
    static_cast<void>(internal::Reap(*pidfd));
    return internal::DescribeChildFailure(prepared, o);
  }
  ChildProcess child(std::move(*pidfd), std::make_unique<State>());
  for (int i = 0; i < 3; ++i) child.pipes_[i] = std::move(parent_ends[i]);
  return child;
}

}  // namespace linuxns

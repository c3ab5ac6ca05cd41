#include "linuxns/child_process.h"

#include <unistd.h>

#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "internal/clone.h"
#include "internal/spawn_launch.h"
#include "internal/spawn_plan.h"
#include "linuxns/status.h"

namespace linuxns {

struct ChildProcess::State {
  std::mutex mu;
  std::optional<ExitStatus> status;
  bool detached = false;
  // The process that spawned the child: in a fork of it, this object is a
  // copy of the parent's and must not act on the parent's child.
  pid_t owner = ::getpid();

  bool InOwner() const { return ::getpid() == owner; }
};

namespace {

absl::Status NotTheOwner(const ChildProcess& child, pid_t owner) {
  return absl::FailedPreconditionError(
      absl::StrCat("child pid ", child.pid(), " belongs to process ", owner,
                   ", not to this fork of it: only the process that spawned it may wait for it, "
                   "signal it or kill it"));
}

}  // namespace

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
  // In a fork: the parent's child, and perhaps a mutex some thread of the
  // parent held at the fork. Touch neither.
  if (!state_->InOwner()) return;
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
  if (!state_->InOwner()) return NotTheOwner(*this, state_->owner);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->status.has_value()) return *state_->status;
  }
  absl::StatusOr<ExitStatus> status = internal::WaitForExit(pidfd_);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (state_->status.has_value()) return *state_->status;  // another Wait() won
  if (!status.ok()) return status.status();
  state_->status = *status;
  return *state_->status;
}

absl::Status ChildProcess::Signal(int sig) const {
  if (state_ && !state_->InOwner()) return NotTheOwner(*this, state_->owner);
  return pidfd_.SendSignal(sig);
}

absl::StatusOr<std::optional<ExitStatus>> ChildProcess::WaitFor(absl::Duration timeout) {
  if (!state_) return absl::FailedPreconditionError("ChildProcess is empty");
  if (!state_->InOwner()) return NotTheOwner(*this, state_->owner);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->status.has_value()) return state_->status;
  }
  LINUXNS_ASSIGN_OR_RETURN(bool exited, pidfd_.WaitForExit(timeout));
  if (!exited) return std::optional<ExitStatus>();
  LINUXNS_ASSIGN_OR_RETURN(ExitStatus status, Wait());
  return std::optional<ExitStatus>(status);
}

absl::StatusOr<ChildProcess> ChildProcess::Spawn(const SpawnOptions& options) {
  // The corridor (internal/spawn_plan.h): options, plan, launch, outcome.
  LINUXNS_ASSIGN_OR_RETURN(std::unique_ptr<internal::PreparedSpawn> prepared,
                           internal::BuildSpawn(options, internal::SpawnTarget::kChild));
  LINUXNS_ASSIGN_OR_RETURN(PidFd pidfd, internal::Launch(*prepared));
  ChildProcess child(std::move(pidfd), std::make_unique<State>());
  for (int i = 0; i < 3; ++i) child.pipes_[i] = std::move(prepared->parent_ends[i]);
  return child;
}

}  // namespace linuxns

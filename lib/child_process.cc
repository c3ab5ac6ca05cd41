#include "linuxns/child_process.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "internal/clone.h"
#include "internal/spawn_launch.h"
#include "internal/spawn_plan.h"
#include "linuxns/status.h"

namespace linuxns {

namespace {

// Counts the fork()s this process descends from (pthread_atfork's child
// handler): a ChildProcess made before a fork is the parent's. A counter
// rather than getpid(), which is a system call on every Wait() and
// destruction.
std::atomic<std::uint64_t> fork_generation{0};

std::uint64_t ForkGeneration() {
  static const bool kRegistered = [] {
    ::pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
    return true;
  }();
  static_cast<void>(kRegistered);
  return fork_generation.load(std::memory_order_relaxed);
}

}  // namespace

struct ChildProcess::State {
  std::mutex mu;
  // Held by the one Wait() that reaps: a second one, whose waitid(2) would
  // find the child already taken (ECHILD), waits for the first's status
  // (with its usage) instead of reading a usage-less one from the pidfd,
  // or failing on a kernel that keeps none.
  std::mutex reap_mu;
  std::optional<ExitStatus> status;
  bool detached = false;
  std::vector<NsId> at_exec;  // SpawnOptions::record_namespaces
  // In a fork of the process that spawned the child, this object is a copy
  // of the parent's and must not act on the parent's child.
  std::uint64_t generation = ForkGeneration();

  bool InOwner() const { return ForkGeneration() == generation; }
};

namespace {

absl::Status NotTheOwner(const ChildProcess& child) {
  return absl::FailedPreconditionError(
      absl::StrCat("child pid ", child.pid(),
                   " belongs to the process that spawned it, not to this fork of it: only that "
                   "process may wait for it, signal it or kill it"));
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
  if (!state_->InOwner()) return NotTheOwner(*this);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->status.has_value()) return *state_->status;
  }
  std::lock_guard<std::mutex> reaping(state_->reap_mu);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->status.has_value()) return *state_->status;  // another Wait() reaped it
  }
  absl::StatusOr<ExitStatus> status = internal::WaitForExit(pidfd_);
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!status.ok()) return status.status();
  state_->status = *status;
  return *state_->status;
}

absl::Status ChildProcess::Signal(int sig) const {
  if (state_ && !state_->InOwner()) return NotTheOwner(*this);
  return pidfd_.SendSignal(sig);
}

absl::StatusOr<std::optional<ExitStatus>> ChildProcess::WaitFor(absl::Duration timeout) {
  if (!state_) return absl::FailedPreconditionError("ChildProcess is empty");
  if (!state_->InOwner()) return NotTheOwner(*this);
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
  auto state = std::make_unique<State>();
  state->at_exec = internal::RecordedNamespaces(*prepared);
  ChildProcess child(std::move(pidfd), std::move(state));
  for (int i = 0; i < 3; ++i) child.pipes_[i] = std::move(prepared->parent_ends[i]);
  return child;
}

std::optional<NsId> ChildProcess::NamespaceAtExec(NsType type) const {
  if (state_ == nullptr) return std::nullopt;
  for (const NsId& id : state_->at_exec) {
    if (id.type == type) return id;
  }
  return std::nullopt;
}

}  // namespace linuxns

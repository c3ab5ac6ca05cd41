// Private: starting a process that runs a function on its own stack, sharing
// the parent's memory (CLONE_VM), tracked by a pidfd.
//
// CLONE_VM keeps the cost of a clone flat however large the parent is (no page
// tables are copied). The child must then run only code from lib/child/. Every
// signal is blocked in the parent around the clone, so the child starts with
// all signals blocked and no handler of the host can ever run in it. The
// child's exit signal is 0, so a host's SIGCHLD handling never sees it and
// waitpid(-1) without __WALL never takes it; a host reaper that passes
// __WALL does take it, and after the library's own SIGKILL an ECHILD then
// means the child is gone (Reap(), KillAndReap()).
#ifndef LINUXNS_LIB_INTERNAL_CLONE_H_
#define LINUXNS_LIB_INTERNAL_CLONE_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linuxns/exit_status.h"
#include "linuxns/pid_fd.h"

namespace linuxns::internal {

// A stack for a CLONE_VM child, with a guard page below it. Unmapped on
// destruction: destroy it only after the child that runs on it has exited.
class ChildStack {
 public:
  static absl::StatusOr<ChildStack> Allocate(std::size_t size);
  ChildStack(ChildStack&& other) noexcept;
  ChildStack& operator=(ChildStack&& other) noexcept;
  ~ChildStack();
  // The highest address, 16-byte aligned: where the child's stack starts.
  void* top() const;
  void* base() const { return base_; }
  // Forgets the mapping without unmapping it: for a child that could not be
  // reaped and may still be running on it.
  void Leak() { base_ = nullptr; }
  std::size_t size() const { return size_; }

 private:
  ChildStack(void* base, std::size_t size) : base_(base), size_(size) {}
  void* base_ = nullptr;
  std::size_t size_ = 0;
};

struct CloneSpec {
  std::uint64_t flags = 0;  // CLONE_NEW* and others; CLONE_PIDFD added
  // CLONE_VM, unless the child must be a process of its own: the kernel lets
  // only a process whose memory nobody shares enter a time namespace.
  bool share_memory = true;
  // CLONE_FILES: the child shares the descriptor table, so that descriptors
  // it creates (a pidfd of its own clone) are the parent's too.
  bool share_files = false;
  // CLONE_INTO_CGROUP this cgroup v2 directory fd, or -1.
  int cgroup_fd = -1;
  // Ask clone3 for CLONE_CLEAR_SIGHAND (Linux 5.5): every caught signal
  // starts with its default action in the child, so no handler of the host
  // can ever run in a CLONE_VM child. Whether the kernel did is stored in
  // *handlers_cleared before the child starts (false after clone(2), or
  // before 5.5): the child must then reset them itself.
  bool clear_signal_handlers = false;
  bool* handlers_cleared = nullptr;
  int (*fn)(void*) = nullptr;
  void* arg = nullptr;
  const ChildStack* stack = nullptr;
};

// Clones a child running spec.fn(spec.arg) on spec.stack (with CLONE_VM
// unless !spec.share_memory). Uses clone3(2) and,
// when the kernel says ENOSYS (before 5.3, or a seccomp policy), falls back to
// clone(2), which cannot pass CLONE_NEWTIME or CLONE_INTO_CGROUP: such a
// request then fails with Unimplemented naming clone3. Errors keep the errno
// of clone with a message from DescribeCloneError().
absl::StatusOr<PidFd> CloneVm(const CloneSpec& spec);

// False once clone3 has answered ENOSYS here (before 5.3, or a seccomp
// policy such as some container runtimes' default): CloneVm() then uses
// clone(2), and a child cannot clone3 either.
bool Clone3Available();

// Kills (SIGKILL) and reaps a child cloned by CloneVm(). Returns once it is
// gone (also when a host's waitpid(-1, ..., __WALL) reaped it first).
absl::Status KillAndReap(const PidFd& child);

// Reaps a child cloned by CloneVm() that has exited or is exiting. A child
// that someone else in this process reaped (ECHILD) is gone all the same:
// OK once its pidfd says it exited.
absl::Status Reap(const PidFd& child);

// The exit status of a child that someone else reaped, from its pidfd
// (PIDFD_INFO_EXIT, Linux 6.15); waits briefly for the kernel to record it.
// FailedPrecondition naming the cause on older kernels.
absl::StatusOr<ExitStatus> ExitStatusFromPidfd(const PidFd& child);

// A message for an errno from clone/unshare that tells the user what to do
// (RELIABILITY.md rule 10): which limit or privilege, and how to change it.
absl::Status DescribeCloneError(int err, std::uint64_t ns_flags, absl::string_view what);

// For tests: forget that clone3 was found missing.
void ResetCloneFallbackForTesting();

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_CLONE_H_

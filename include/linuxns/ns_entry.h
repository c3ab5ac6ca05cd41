// linuxns/ns_entry.h: run code inside other namespaces, confined to one thread.
//
// setns(2) moves only the calling thread for most namespace types, which makes
// it easy to leave a thread of a large program stranded in a foreign
// namespace. The forms here never do:
//
// (a) On the calling thread, for net, uts, ipc and cgroup namespaces (the
//     types a thread can enter and leave freely): ThreadNsEntry records the
//     thread's current namespaces, enters the targets, runs a function and
//     restores the thread before returning. RunInNamespacesHere() is the
//     one-shot form. Cheap (a few microseconds): no thread, no process.
//
//       // Open a UDP socket inside another network namespace.
//       absl::StatusOr<int> sock = linuxns::RunInNamespacesHere(
//           {&netns}, [] { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
//       // The socket stays in that namespace; this thread is back home.
//
// (b) On a dedicated thread, for every type but user and time, or for callers
//     who accept no risk at all: RunInNamespacesOnThread() starts a thread,
//     makes it private to the filesystem context (unshare(CLONE_FS), so it can
//     enter a mount namespace), enters the targets, runs the function there,
//     and joins it. Nothing of the calling thread changes. User and time
//     namespaces can be entered only by a single-threaded process, which a
//     thread of a program never is: run a ChildProcess for those.
//
// Results: a function returning void or absl::Status gives absl::Status; one
// returning absl::StatusOr<T> gives that; one returning T gives
// absl::StatusOr<T>. Errors of entering come back before the function runs.
//
// Restoring can fail only in extreme conditions (the kernel refusing setns
// into the thread's own former namespace, for example after a seccomp filter
// was installed meanwhile); the failure is reported as kInternal, naming the
// namespace the thread was left in, never hidden; a thread in that state
// should end. If the function throws, the exception reaches the caller: form
// (a) restores the thread (silently) before it propagates; form (b) catches it
// on its thread and rethrows it on the calling thread after the join.
//
// Errors: InvalidArgument for a null target, two targets of one type, or a
// type the form cannot enter (before any system call); otherwise those of
// NsFd::Enter(); for form (b) also ResourceExhausted (ENOMEM) when linuxns'
// own code runs out of memory (std::bad_alloc).
//
// Thread-safety: a ThreadNsEntry belongs to the thread that prepared it: Run()
// on another thread is FailedPrecondition. The free functions are
// thread-safe. Not async-signal-safe.
#ifndef LINUXNS_NS_ENTRY_H_
#define LINUXNS_NS_ENTRY_H_

#include <sys/types.h>

#include <initializer_list>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linuxns/export.h"
#include "linuxns/ns_fd.h"

namespace linuxns {

namespace internal {
template <typename R>
struct EntryResult {
  using type = absl::StatusOr<R>;
};
template <>
struct EntryResult<void> {
  using type = absl::Status;
};
template <>
struct EntryResult<absl::Status> {
  using type = absl::Status;
};
template <typename T>
struct EntryResult<absl::StatusOr<T>> {
  using type = absl::StatusOr<T>;
};
template <typename Fn>
using EntryResultT = typename EntryResult<std::invoke_result_t<Fn&>>::type;

// Runs `body` on a new thread that has entered `targets`; joins it. The status
// is that of starting the thread and entering; `body` did not run unless OK.
// An exception escaping `body` is caught on that thread and rethrown here
// after the join; std::bad_alloc in the library's own code (on either thread)
// is ResourceExhausted instead.
LINUXNS_EXPORT absl::Status RunOnNewThread(absl::Span<const NsFd* const> targets,
                                           absl::FunctionRef<void()> body);
}  // namespace internal

// ThreadNsEntry: a prepared entry into net, uts, ipc and/or cgroup namespaces
// for the calling thread, reusable for many Run() calls.
class LINUXNS_EXPORT ThreadNsEntry {
 public:
  // Prepare()
  //
  // Records the calling thread's current namespaces of the targets' types
  // (so Run() can restore them) and keeps a duplicate handle of each target.
  // Errors: those listed at the top of this file.
  static absl::StatusOr<ThreadNsEntry> Prepare(absl::Span<const NsFd* const> targets);
  // Prepare() of a braced list: Prepare({&net, &uts}).
  static absl::StatusOr<ThreadNsEntry> Prepare(std::initializer_list<const NsFd*> targets) {
    return Prepare(absl::MakeConstSpan(targets.begin(), targets.size()));
  }

  // Moves the prepared entry; the source must not Run() afterwards.
  ThreadNsEntry(ThreadNsEntry&&) noexcept = default;
  // Replaces this entry by `other`'s; the source must not Run() afterwards.
  ThreadNsEntry& operator=(ThreadNsEntry&&) noexcept = default;

  // Run()
  //
  // Enters the targets on the calling thread, runs `fn`, and restores the
  // namespaces recorded by Prepare().
  template <typename Fn>
  internal::EntryResultT<Fn> Run(Fn&& fn) const {
    using R = std::invoke_result_t<Fn&>;
    absl::Status entered = Enter();
    if (!entered.ok()) return entered;
    struct RestoreOnUnwind {
      const ThreadNsEntry* entry;
      bool armed = true;
      ~RestoreOnUnwind() {
        if (armed) static_cast<void>(entry->Restore());
      }
    } guard{this};
    if constexpr (std::is_void_v<R>) {
      fn();
      guard.armed = false;
      return Restore();
    } else {
      internal::EntryResultT<Fn> result = fn();
      guard.armed = false;
      absl::Status restored = Restore();
      if (!restored.ok()) return restored;
      return result;
    }
  }

 private:
  ThreadNsEntry(std::vector<NsFd> targets, std::vector<NsFd> home, pid_t tid)
      : targets_(std::move(targets)), home_(std::move(home)), tid_(tid) {}
  absl::Status Enter() const;
  // Puts the thread back into home_[0..count).
  absl::Status Restore(std::size_t count) const;
  absl::Status Restore() const { return Restore(home_.size()); }

  std::vector<NsFd> targets_;
  std::vector<NsFd> home_;  // home_[i] is the thread's namespace of targets_[i]'s type
  pid_t tid_ = 0;
};

// RunInNamespacesHere()
//
// ThreadNsEntry::Prepare(targets) then Run(fn): form (a) in one call.
template <typename Fn>
internal::EntryResultT<Fn> RunInNamespacesHere(absl::Span<const NsFd* const> targets, Fn&& fn) {
  absl::StatusOr<ThreadNsEntry> entry = ThreadNsEntry::Prepare(targets);
  if (!entry.ok()) return entry.status();
  return entry->Run(std::forward<Fn>(fn));
}
// RunInNamespacesHere() of a braced list: RunInNamespacesHere({&net}, fn).
template <typename Fn>
internal::EntryResultT<Fn> RunInNamespacesHere(std::initializer_list<const NsFd*> targets,
                                               Fn&& fn) {
  return RunInNamespacesHere(absl::MakeConstSpan(targets.begin(), targets.size()),
                             std::forward<Fn>(fn));
}

// RunInNamespacesOnThread()
//
// Form (b): runs `fn` on a new thread inside `targets` (any types but user and
// time) and returns its result once the thread has finished.
//
// An exception escaping `fn` does not end the program, as it would on a bare
// std::thread: it is caught on that thread, the thread ends (and with it its
// place in the namespaces), and the same exception object is rethrown on the
// calling thread after the join. That includes a std::bad_alloc thrown by
// `fn`. An allocation failure in linuxns' own code around `fn` (starting the
// thread, entering the namespaces) is instead the status ResourceExhausted
// (errno ENOMEM), and `fn` did not run. If `fn` ends its thread without
// returning (pthread_exit), the result is kInternal.
template <typename Fn>
internal::EntryResultT<Fn> RunInNamespacesOnThread(absl::Span<const NsFd* const> targets, Fn&& fn) {
  using R = std::invoke_result_t<Fn&>;
  std::optional<internal::EntryResultT<Fn>> result;
  absl::Status ran = internal::RunOnNewThread(targets, [&] {
    if constexpr (std::is_void_v<R>) {
      fn();
      result.emplace(absl::OkStatus());
    } else {
      result.emplace(fn());
    }
  });
  if (!ran.ok()) return ran;
  if (!result.has_value()) {
    return absl::InternalError(
        "RunInNamespacesOnThread: the function ended its thread without returning");
  }
  return *std::move(result);
}
// RunInNamespacesOnThread() of a braced list: RunInNamespacesOnThread({&mnt}, fn).
template <typename Fn>
internal::EntryResultT<Fn> RunInNamespacesOnThread(std::initializer_list<const NsFd*> targets,
                                                   Fn&& fn) {
  return RunInNamespacesOnThread(absl::MakeConstSpan(targets.begin(), targets.size()),
                                 std::forward<Fn>(fn));
}

}  // namespace linuxns

#endif  // LINUXNS_NS_ENTRY_H_

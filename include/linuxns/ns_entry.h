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
//     one-shot form. Cheap (a few microseconds): no thread, no process. A
//     target the thread is in already is skipped (no setns, which would
//     want CAP_SYS_ADMIN even to stay where one is).
//
//       // Open a UDP socket inside another network namespace.
//       absl::StatusOr<linuxns::UniqueFd> sock = linuxns::RunInNamespacesHere({&netns}, [] {
//         return linuxns::FdOrErrno(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
//       });
//       // The socket stays in that namespace; this thread is back home.
//       // linuxns::SocketIn(netns, AF_INET, SOCK_DGRAM) does the same.
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
// A system call that returns a descriptor or -1 is best wrapped in
// FdOrErrno(), so that its failure is an error status with its errno rather
// than an OK status holding -1.
//
// A Namespace as the target (linuxns/namespace.h): the overloads taking a
// `const Namespace&` enter every namespace it holds that the form can enter,
// and say so exactly for the others:
//   - net, uts, ipc and cgroup are entered by both forms, mnt and pid by form
//     (b);
//   - mnt or pid with form (a) is InvalidArgument naming the type and
//     pointing at form (b): running the function in the caller's mount
//     namespace (where its paths name the host's files) or creating its
//     children in the caller's pid namespace would be a silent surprise;
//   - user and time are left out by both forms, since no thread of a
//     multi-threaded process can enter them: the function runs with the
//     caller's credentials and clocks. (Entering the other types still needs
//     CAP_SYS_ADMIN both over them and in the caller's own user namespace,
//     which root has and an ordinary user has not, even for namespaces of a
//     user namespace it created: EPERM.) Code that must run inside the user
//     or time namespace is a job for a ChildProcess (SpawnOptions::join);
//   - a Namespace that holds only user and time, or nothing (moved from, or
//     released), is InvalidArgument.
// To enter fewer types than a Namespace holds, list them:
// RunInNamespacesHere({ns.Find(NsType::kNet)}, fn).
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
// type the form cannot enter, as above for a Namespace (before any system
// call); otherwise those of NsFd::Enter(); for form (b) also
// ResourceExhausted (ENOMEM) when linuxns' own code runs out of memory
// (std::bad_alloc).
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
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "linuxns/export.h"
#include "linuxns/ns_fd.h"
#include "linuxns/unique_fd.h"

namespace linuxns {

class Namespace;  // linuxns/namespace.h

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

// The namespaces of `ns` that form (b) enters (see "A Namespace as the
// target" above), borrowed from `ns`.
LINUXNS_EXPORT absl::StatusOr<std::vector<const NsFd*>> OnThreadTargetsOf(const Namespace& ns);
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
  // Prepare() of the net, uts, ipc and cgroup namespaces `ns` holds; user and
  // time are left out, mnt and pid are InvalidArgument (see "A Namespace as
  // the target" at the top of this file). `ns` may be destroyed afterwards:
  // the entry keeps handles of its own.
  static absl::StatusOr<ThreadNsEntry> Prepare(const Namespace& ns);

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
// RunInNamespacesHere() of the namespaces a Namespace holds: ThreadNsEntry::
// Prepare(ns) then Run(fn). InvalidArgument when `ns` holds a mnt or pid
// namespace (use RunInNamespacesOnThread) or nothing; user and time are left
// out (see "A Namespace as the target" at the top of this file).
template <typename Fn>
internal::EntryResultT<Fn> RunInNamespacesHere(const Namespace& ns, Fn&& fn) {
  absl::StatusOr<ThreadNsEntry> entry = ThreadNsEntry::Prepare(ns);
  if (!entry.ok()) return entry.status();
  return entry->Run(std::forward<Fn>(fn));
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
// RunInNamespacesOnThread() of the namespaces a Namespace holds: every type
// but user and time, which are left out (see "A Namespace as the target" at
// the top of this file). InvalidArgument when `ns` holds nothing.
template <typename Fn>
internal::EntryResultT<Fn> RunInNamespacesOnThread(const Namespace& ns, Fn&& fn) {
  absl::StatusOr<std::vector<const NsFd*>> targets = internal::OnThreadTargetsOf(ns);
  if (!targets.ok()) return targets.status();
  return RunInNamespacesOnThread(absl::MakeConstSpan(*targets), std::forward<Fn>(fn));
}

// FdOrErrno()
//
// The result of a system call that returns a new descriptor or -1 (socket(2),
// open(2), accept4(2), memfd_create(2), ...), as an owned UniqueFd or as
// ErrnoError(errno, call): errno is read first thing, so pass the call
// itself as `fd`. Meant for the function run by the forms above, whose
// result would otherwise be an OK status holding -1:
//
//   absl::StatusOr<linuxns::UniqueFd> tun = linuxns::RunInNamespacesOnThread(ns, [] {
//     return linuxns::FdOrErrno(open("/dev/net/tun", O_RDWR | O_CLOEXEC), "open /dev/net/tun");
//   });
//
// `call` names the call in the message ("socket: Address family not
// supported by protocol"). A negative `fd` with errno 0 (not a system call's
// answer) is kInternal. Makes no system call; async-signal-unsafe (allocates
// on error).
LINUXNS_EXPORT absl::StatusOr<UniqueFd> FdOrErrno(int fd, absl::string_view call);

// SocketIn()
//
// socket(2) inside the network namespace `net`, made by form (a) on the
// calling thread, which is back in its own namespace on return. A socket
// belongs for its whole life to the network namespace it was created in,
// whichever thread or process uses it afterwards (ioctl SIOCGSKNS names it).
// SOCK_CLOEXEC is always added to `type`, as to every descriptor linuxns
// opens; SOCK_NONBLOCK may be given. When the calling thread is already in
// `net`, no setns(2) is made at all, so that works without any privilege.
//
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::UniqueFd sock,
//                            linuxns::SocketIn(netns, AF_INET, SOCK_DGRAM));
//
// Errors: InvalidArgument when `net` is not a network namespace; those of
// entering (PermissionDenied, EPERM, without CAP_SYS_ADMIN over `net` and in
// the caller's own user namespace); socket(2)'s own errno, kept (EAFNOSUPPORT
// for an unknown domain, EPROTONOSUPPORT, EMFILE, ...), with a message naming
// the domain, type, protocol and namespace. Thread-safe.
LINUXNS_EXPORT absl::StatusOr<UniqueFd> SocketIn(const NsFd& net, int domain, int type,
                                                 int protocol = 0);
// SocketIn() in the network namespace `ns` holds (whatever else it holds);
// InvalidArgument when it holds none.
LINUXNS_EXPORT absl::StatusOr<UniqueFd> SocketIn(const Namespace& ns, int domain, int type,
                                                 int protocol = 0);

}  // namespace linuxns

#endif  // LINUXNS_NS_ENTRY_H_

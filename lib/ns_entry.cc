#include "linuxns/ns_entry.h"

#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <new>
#include <string>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "linuxns/namespace.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

// The types a thread may enter and leave without affecting the rest of its
// process and without unsharing its filesystem context first.
constexpr NsTypeSet kThreadLocalTypes = {NsType::kNet, NsType::kUts, NsType::kIpc, NsType::kCgroup};

// Checks the targets: non-null, still held (NsFd::CheckStillHeld()), one per
// type, each of a type in `allowed`.
absl::Status ValidateTargets(absl::Span<const NsFd* const> targets, NsTypeSet allowed,
                             absl::string_view form, absl::string_view advice) {
  NsTypeSet seen;
  for (const NsFd* target : targets) {
    if (target == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(form, ": null target"));
    }
    // As NsFd::Enter(): an empty handle, or one whose number the host closed
    // and reused, must not be duplicated and entered in place of its
    // namespace.
    LINUXNS_RETURN_IF_ERROR(target->CheckStillHeld(form));
    const NsType type = target->type();
    if (!allowed.Contains(type)) {
      return absl::InvalidArgumentError(absl::StrCat(form, " cannot enter ",
                                                     target->id().ToString(), ": it supports only ",
                                                     allowed.ToString(), " namespaces; ", advice));
    }
    if (seen.Contains(type)) {
      return absl::InvalidArgumentError(
          absl::StrCat(form, ": two ", NsTypeName(type), " namespaces given"));
    }
    seen.Add(type);
  }
  return absl::OkStatus();
}

// The namespaces of `ns` a form enters: those of `enterable`, with user and
// time left out (no thread of a multi-threaded process can enter them); any
// other type held is refused, naming it.
absl::StatusOr<std::vector<const NsFd*>> TargetsOf(const Namespace& ns, NsTypeSet enterable,
                                                   absl::string_view form,
                                                   absl::string_view advice) {
  constexpr NsTypeSet kLeftOut = {NsType::kUser, NsType::kTime};
  if (ns.types().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(form, ": the Namespace holds no namespace (moved from or released)"));
  }
  std::vector<const NsFd*> targets;
  for (NsType type : ns.types() - kLeftOut) {
    const NsFd* target = ns.Find(type);
    if (target == nullptr) continue;
    if (!enterable.Contains(type)) {
      return absl::InvalidArgumentError(
          absl::StrCat(form, " cannot enter the ", target->id().ToString(),
                       " the Namespace holds: it supports only ", enterable.ToString(),
                       " namespaces; ", advice));
    }
    targets.push_back(target);
  }
  if (targets.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        form, ": the Namespace holds only ", ns.types().ToString(),
        " namespaces, which no thread of a multi-threaded process can enter: use a ChildProcess "
        "(SpawnOptions::join)"));
  }
  return targets;
}

absl::Status SetnsRaw(const NsFd& ns) {
  if (::setns(ns.get(), static_cast<int>(CloneFlag(ns.type()))) == 0) {
    return absl::OkStatus();
  }
  return ErrnoError(errno, absl::StrCat("setns into ", ns.id().ToString()));
}

}  // namespace

absl::StatusOr<ThreadNsEntry> ThreadNsEntry::Prepare(absl::Span<const NsFd* const> targets) {
  LINUXNS_RETURN_IF_ERROR(ValidateTargets(
      targets, kThreadLocalTypes, "ThreadNsEntry",
      "use RunInNamespacesOnThread for mnt and pid, a ChildProcess for user and time"));
  std::vector<NsFd> dups;
  std::vector<NsFd> home;
  dups.reserve(targets.size());
  home.reserve(targets.size());
  for (const NsFd* target : targets) {
    LINUXNS_ASSIGN_OR_RETURN(NsFd current, NsFd::OpenCurrent(target->type()));
    // A namespace the thread is in already is neither entered nor restored:
    // setns wants CAP_SYS_ADMIN even to stay where one is.
    if (current.id() == target->id()) continue;
    LINUXNS_ASSIGN_OR_RETURN(NsFd dup, target->Dup());
    dups.push_back(std::move(dup));
    home.push_back(std::move(current));
  }
  return ThreadNsEntry(std::move(dups), std::move(home), ::gettid());
}

absl::StatusOr<ThreadNsEntry> ThreadNsEntry::Prepare(const Namespace& ns) {
  LINUXNS_ASSIGN_OR_RETURN(
      std::vector<const NsFd*> targets,
      TargetsOf(ns, kThreadLocalTypes, "ThreadNsEntry",
                "use RunInNamespacesOnThread for mnt and pid, or name the types to enter: "
                "RunInNamespacesHere({ns.Find(NsType::kNet)}, fn)"));
  return Prepare(absl::MakeConstSpan(targets));
}

absl::Status ThreadNsEntry::Enter() const {
  if (::gettid() != tid_) {
    return absl::FailedPreconditionError(
        absl::StrCat("ThreadNsEntry prepared on thread ", tid_, " used on thread ", ::gettid()));
  }
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    absl::Status entered = SetnsRaw(targets_[i]);
    if (!entered.ok()) {
      // Put back only what was changed: returning to a namespace never left
      // could itself be refused (setns needs CAP_SYS_ADMIN even for that).
      absl::Status restored = Restore(i);
      return restored.ok() ? entered : restored;
    }
  }
  return absl::OkStatus();
}

absl::Status ThreadNsEntry::Restore(std::size_t count) const {
  absl::Status result;
  for (std::size_t i = 0; i < count && i < home_.size(); ++i) {
    const NsFd& home = home_[i];
    if (::setns(home.get(), static_cast<int>(CloneFlag(home.type()))) == 0) continue;
    const int err = errno;
    absl::StatusOr<NsFd> now = NsFd::OpenCurrent(home.type());
    result.Update(ErrnoError(
        absl::StatusCode::kInternal, err,
        absl::StrCat("restoring thread ", tid_, " to ", home.id().ToString(),
                     " failed; the thread is left in ",
                     now.ok() ? now->id().ToString() : "an unknown namespace", " and should end")));
  }
  return result;
}

namespace internal {
namespace {

// The status for an allocation failure in the library's own code. Made once
// and copied (a copy only counts a reference), so that reporting running out
// of memory does not itself need memory; while it cannot be made, the code
// alone is returned (an absl::Status without a message allocates nothing).
absl::Status OutOfMemoryError() noexcept {
  try {
    static const absl::Status kOutOfMemory =
        ErrnoError(absl::StatusCode::kResourceExhausted, ENOMEM,
                   "RunInNamespacesOnThread: out of memory (std::bad_alloc)");
    return kOutOfMemory;
  } catch (const std::bad_alloc&) {
    return absl::Status(absl::StatusCode::kResourceExhausted, "");
  }
}

// On the new thread: prepares it and enters `targets`.
absl::Status EnterOnThisThread(absl::Span<const NsFd* const> targets) {
  // A mount namespace can be entered only by a thread with its own
  // filesystem context (root, cwd, umask).
  for (const NsFd* target : targets) {
    if (target->type() == NsType::kMnt && ::unshare(CLONE_FS) != 0) {
      return ErrnoError(errno, "unshare(CLONE_FS)");
    }
  }
  for (const NsFd* target : targets) {
    LINUXNS_RETURN_IF_ERROR(target->Enter());
  }
  return absl::OkStatus();
}

// Starts the thread and joins it. `body`'s exception, if any, is left in
// `thrown`; a bad_alloc of the library's code on the thread becomes the
// returned status. May throw std::bad_alloc on the calling thread.
absl::Status StartAndJoin(absl::Span<const NsFd* const> targets, absl::FunctionRef<void()> body,
                          std::exception_ptr& thrown) {
  absl::Status entered;
  // An exception escaping a std::thread's function calls std::terminate, so
  // no C++ exception may escape this one.
  auto run = [&] {
    try {
      entered = EnterOnThisThread(targets);
    } catch (const std::bad_alloc&) {
      entered = OutOfMemoryError();
    }
    if (!entered.ok()) return;
    try {
      body();
    } catch (...) {
      // The caller's exception, std::bad_alloc included: it is rethrown on
      // the calling thread after the join. A foreign exception has no
      // exception_ptr and goes on unwinding: among those is the forced unwind
      // of pthread_exit() or cancellation, which must not be swallowed (that
      // aborts the process). Catching abi::__forced_unwind by name instead
      // binds a reference to no object, which UBSan rightly reports.
      thrown = std::current_exception();
      if (!thrown) throw;
    }
  };
  try {
    std::thread(run).join();
  } catch (const std::system_error& e) {
    return ErrnoError(e.code().value(), "RunInNamespacesOnThread: start a thread");
  }
  return entered;
}

}  // namespace

absl::Status RunOnNewThread(absl::Span<const NsFd* const> targets, absl::FunctionRef<void()> body) {
  // Made here, once, so that the new thread has it ready should it run out
  // of memory.
  static_cast<void>(OutOfMemoryError());
  std::exception_ptr thrown;
  absl::Status status;
  try {
    LINUXNS_RETURN_IF_ERROR(
        ValidateTargets(targets, NsTypeSet::All() - NsTypeSet{NsType::kUser, NsType::kTime},
                        "RunInNamespacesOnThread",
                        "only a single-threaded process can enter user and time namespaces: "
                        "use a ChildProcess"));
    status = StartAndJoin(targets, body, thrown);
  } catch (const std::bad_alloc&) {
    // Only the library's own allocations get here: `body`'s exceptions are
    // caught on its thread and kept in `thrown`.
    return OutOfMemoryError();
  }
  if (thrown) std::rethrow_exception(thrown);
  return status;
}

absl::StatusOr<std::vector<const NsFd*>> OnThreadTargetsOf(const Namespace& ns) {
  return TargetsOf(ns, NsTypeSet::All() - NsTypeSet{NsType::kUser, NsType::kTime},
                   "RunInNamespacesOnThread", "");
}

}  // namespace internal

absl::StatusOr<UniqueFd> FdOrErrno(int fd, absl::string_view call) {
  const int err = errno;
  if (fd >= 0) return UniqueFd(fd);
  if (err <= 0) {
    return absl::InternalError(absl::StrCat(call, " returned ", fd, " without an errno"));
  }
  return ErrnoError(err, call);
}

namespace {

std::string SocketDomainName(int domain) {
  switch (domain) {
    case AF_UNIX:
      return "AF_UNIX";
    case AF_INET:
      return "AF_INET";
    case AF_INET6:
      return "AF_INET6";
    case AF_NETLINK:
      return "AF_NETLINK";
    case AF_PACKET:
      return "AF_PACKET";
    default:
      return absl::StrCat(domain);
  }
}

// "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC", or the number for an unknown kind.
std::string SocketTypeName(int type) {
  constexpr int kFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  std::string name;
  switch (type & ~kFlags) {
    case SOCK_STREAM:
      name = "SOCK_STREAM";
      break;
    case SOCK_DGRAM:
      name = "SOCK_DGRAM";
      break;
    case SOCK_RAW:
      name = "SOCK_RAW";
      break;
    case SOCK_SEQPACKET:
      name = "SOCK_SEQPACKET";
      break;
    default:
      name = absl::StrCat(type & ~kFlags);
  }
  if ((type & SOCK_NONBLOCK) != 0) name += "|SOCK_NONBLOCK";
  if ((type & SOCK_CLOEXEC) != 0) name += "|SOCK_CLOEXEC";
  return name;
}

}  // namespace

absl::StatusOr<UniqueFd> SocketIn(const NsFd& net, int domain, int type, int protocol) {
  if (net.type() != NsType::kNet) {
    return absl::InvalidArgumentError(
        absl::StrCat("SocketIn: ", net.id().ToString(), " is not a network namespace"));
  }
  type |= SOCK_CLOEXEC;
  // The call is named only when it failed (no formatting on success). In
  // its own namespace already, the thread makes no setns (ThreadNsEntry).
  auto make = [&]() -> absl::StatusOr<UniqueFd> {
    const int fd = ::socket(domain, type, protocol);
    if (fd >= 0) return UniqueFd(fd);
    const int err = errno;
    return ErrnoError(
        err, absl::StrCat("socket(", SocketDomainName(domain), ", ", SocketTypeName(type), ", ",
                          protocol, ") in ", net.id().ToString()));
  };
  bool made = false;
  absl::StatusOr<UniqueFd> sock = RunInNamespacesHere({&net}, [&] {
    made = true;
    return make();
  });
  if (!sock.ok() && !made) return WithContext(sock.status(), "SocketIn");
  return sock;
}

absl::StatusOr<UniqueFd> SocketIn(const Namespace& ns, int domain, int type, int protocol) {
  const NsFd* net = ns.Find(NsType::kNet);
  if (net == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("SocketIn: the Namespace holds no network namespace (it holds ",
                     ns.types().empty() ? "none" : ns.types().ToString(), ")"));
  }
  return SocketIn(*net, domain, type, protocol);
}

}  // namespace linuxns

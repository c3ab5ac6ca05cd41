// linuxns/ns_fd.h: a handle to one namespace, and its identity.
//
// An NsFd owns a file descriptor that refers to a namespace (a file of the
// nsfs filesystem, as found in /proc/PID/ns/, ioctl_ns(2)) and knows the
// namespace's type and identity. Holding it keeps the namespace alive. It can
// be opened from the calling thread, from a process (by pidfd, race-free, or
// by pid), or from a file that pins a namespace (a bind mount such as
// /run/netns/NAME), and entered with setns(2).
//
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::NsFd mine,
//                            linuxns::NsFd::OpenCurrent(linuxns::NsType::kNet));
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::NsFd theirs,
//                            linuxns::NsFd::FromPid(pid, linuxns::NsType::kNet));
//   if (mine.id() == theirs.id()) std::cout << "same " << mine.id() << "\n";
//   // prints "same net:[4026531840]"
//
// Identity: NsId is (type, device, inode) of the nsfs file, as stat(2) gives
// them; two handles refer to the same namespace exactly when their ids are
// equal. It is read once when the handle is made, so id() cannot fail.
//
// Type checking: every factory knows or checks the type. OpenPath() and
// Adopt() ask the kernel (NS_GET_NSTYPE, Linux 4.11): a file that is not a
// namespace is InvalidArgument saying what it is instead; a namespace of
// another type than the one expected is InvalidArgument naming both.
//
// Entering: Enter() calls setns(2) for the calling thread, with the kernel's
// rules checked and explained (ioctl_ns(2), setns(2), and linuxns' own
// RELIABILITY notes):
//   - entering the user or mount namespace the thread is already in is a
//     no-op, decided by comparing ids (the kernel would return EINVAL for the
//     user namespace and reset the working directory to "/" for mnt);
//   - a user namespace can be entered only by a single-threaded process:
//     FailedPrecondition (errno EINVAL), checked before the call;
//   - a time namespace likewise (the kernel's EUSERS): FailedPrecondition;
//   - a mount namespace from a multi-threaded process needs the calling thread
//     to have called unshare(CLONE_FS) first: FailedPrecondition (EINVAL);
//   - without CAP_SYS_ADMIN in the namespace's owning user namespace:
//     PermissionDenied (EPERM).
// Entering changes only the calling thread's namespace for net, uts, ipc,
// cgroup and mnt (with its own fs_struct); for pid and time it changes the
// namespace the thread's future children are created in, and for user it
// changes the whole (single-threaded) process. Prefer the thread-confined
// forms in linuxns/ns_entry.h, which restore the thread.
//
// Thread-safety: an NsFd is an immutable value apart from assignment; its
// const methods may be called from several threads at once. Enter() affects
// only the calling thread (or, for user and time, the process).
// Nothing here is async-signal-safe.
#ifndef LINUXNS_NS_FD_H_
#define LINUXNS_NS_FD_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"
#include "linuxns/ns_type.h"
#include "linuxns/pid_fd.h"
#include "linuxns/unique_fd.h"

namespace linuxns {

// NsId: the identity of a namespace.
struct LINUXNS_EXPORT NsId {
  NsType type = NsType::kMnt;  // the namespace's type
  std::uint64_t dev = 0;       // st_dev of the nsfs file
  std::uint64_t inode = 0;     // st_ino: the number in "net:[4026531840]"

  // "net:[4026531840]", as readlink(2) of /proc/PID/ns/net prints it.
  std::string ToString() const;

  // True when both name the same namespace: type, dev and inode are equal.
  friend bool operator==(const NsId&, const NsId&) = default;

  // Hashes (type, dev, inode), for absl::flat_hash_map<NsId, ...> and
  // absl::Hash.
  template <typename H>
  friend H AbslHashValue(H h, const NsId& id) {
    return H::combine(std::move(h), id.type, id.dev, id.inode);
  }
};

// Writes id.ToString() to `os`: "net:[4026531840]".
LINUXNS_EXPORT std::ostream& operator<<(std::ostream& os, const NsId& id);

// NsFd: an owning, move-only handle to one namespace, with its type and
// identity.
class LINUXNS_EXPORT NsFd {
 public:
  // OpenCurrent()
  //
  // Opens the calling thread's namespace of `type`
  // (`/proc/thread-self/ns/<name>`). Needs a mounted /proc.
  static absl::StatusOr<NsFd> OpenCurrent(NsType type);

  // OpenForChildren()
  //
  // Opens the namespace that the calling thread's future children will be
  // created in, for the two types where it can differ from the thread's own:
  // pid (pid_for_children, Linux 4.12) and time (time_for_children, 5.6).
  // InvalidArgument for any other type.
  static absl::StatusOr<NsFd> OpenForChildren(NsType type);

  // FromPidFd()
  //
  // Opens the namespace of `type` of the process behind `process`, race-free:
  // with the PIDFD_GET_*_NAMESPACE ioctls where the kernel has them (Linux
  // 6.11), otherwise by opening `/proc/PID/ns/<name>` and then checking that the
  // pidfd's process has not exited, so the result never belongs to a process
  // that reused the pid. Errors: NotFound (ESRCH) when the process has exited;
  // PermissionDenied (EACCES or EPERM) when the caller may not inspect it (a
  // non-dumpable process or another user's: ptrace access mode read is
  // needed); InvalidArgument when the PidFd holds a descriptor that is not a
  // pidfd (a PidFd::Adopt() of another file), which changes nothing for later
  // calls.
  static absl::StatusOr<NsFd> FromPidFd(const PidFd& process, NsType type);

  // FromPidFdForChildren()
  //
  // Like FromPidFd(), for the namespace the process's future children will be
  // created in: pid_for_children or time_for_children. InvalidArgument for
  // other types.
  static absl::StatusOr<NsFd> FromPidFdForChildren(const PidFd& process, NsType type);

  // FromPid()
  //
  // PidFd::Open(pid) then FromPidFd(). The pid itself names a process only at
  // the moment of the call; hold a PidFd to keep talking about the same one.
  static absl::StatusOr<NsFd> FromPid(pid_t pid, NsType type);

  // OpenPath()
  //
  // Opens a namespace file: `/proc/PID/ns/<name>` or a file that pins a
  // namespace by bind mount. Checks the type with NS_GET_NSTYPE; when
  // `expected` is given, a namespace of another type is InvalidArgument. A path
  // that is not a namespace gives InvalidArgument saying what it is ("a regular
  // file", "a directory", ...). Errors of open(2) keep their errno (ENOENT:
  // NotFound, EACCES: PermissionDenied); a path with a NUL byte is
  // InvalidArgument (open(2) would open another file).
  //
  // The file is looked at before it is opened for reading, without being
  // opened (O_PATH), and then that same file is opened through
  // /proc/thread-self/fd: a FIFO or a device swapped in for the path is never
  // opened. Without /proc, the path is opened once more and the result kept
  // only when it is the file looked at (Aborted otherwise); there a file
  // swapped in at that moment is opened before it is refused.
  static absl::StatusOr<NsFd> OpenPath(const std::string& path,
                                       std::optional<NsType> expected = std::nullopt);

  // Adopt()
  //
  // Takes ownership of `fd`, which must refer to a namespace (of type
  // `expected` when given), checked as OpenPath() does; a descriptor opened
  // with O_PATH is InvalidArgument (EBADF: it can be neither checked nor
  // entered). On error `fd` is closed.
  static absl::StatusOr<NsFd> Adopt(UniqueFd fd, std::optional<NsType> expected = std::nullopt);

  // Moves the handle; the source holds no descriptor afterwards.
  NsFd(NsFd&&) noexcept = default;
  // Closes this handle's descriptor and takes the other's; the source holds
  // no descriptor afterwards.
  NsFd& operator=(NsFd&&) noexcept = default;

  // The namespace's type: id().type.
  NsType type() const { return id_.type; }
  // The namespace's identity, read when the handle was made.
  const NsId& id() const { return id_; }
  // The descriptor, still owned by this object.
  int get() const { return fd_.get(); }

  // Dup()
  //
  // A second handle to the same namespace (F_DUPFD_CLOEXEC).
  absl::StatusOr<NsFd> Dup() const;

  // Parent()
  //
  // The parent namespace (NS_GET_PARENT, Linux 4.9). Only pid and user
  // namespaces have parents: InvalidArgument (EINVAL) for other types.
  // PermissionDenied (EPERM) when the parent lies outside the caller's user
  // namespace (the initial namespace has none in reach).
  absl::StatusOr<NsFd> Parent() const;

  // OwningUserNs()
  //
  // The user namespace that owns this namespace (NS_GET_USERNS, Linux 4.9).
  // For a user namespace, that is its parent. PermissionDenied (EPERM) when it
  // lies outside the caller's user namespace.
  absl::StatusOr<NsFd> OwningUserNs() const;

  // OwnerUid()
  //
  // The effective uid of the creator of this user namespace, as seen from the
  // caller's user namespace (NS_GET_OWNER_UID, Linux 4.11). InvalidArgument for
  // other types.
  absl::StatusOr<uid_t> OwnerUid() const;

  // Enter()
  //
  // setns(2) into this namespace for the calling thread, with the rules and
  // errors listed at the top of this file. FailedPrecondition for an empty
  // (moved-from) handle, and (EBADF) when its descriptor no longer refers to
  // id(): closed behind its back, the number perhaps reused by another file.
  absl::Status Enter() const;

  // OK when this handle holds a descriptor that still refers to id();
  // FailedPrecondition as Enter() says otherwise, `what` naming the caller.
  absl::Status CheckStillHeld(absl::string_view what) const;

 private:
  NsFd(UniqueFd fd, NsId id) : fd_(std::move(fd)), id_(id) {}
  // Wraps `fd`, whose type is known, reading its identity with fstat(2).
  static absl::StatusOr<NsFd> FromKnownType(UniqueFd fd, NsType type, const std::string& what);
  static absl::StatusOr<NsFd> FromPidFdView(const PidFd& process, NsType type, bool for_children);
  // Adopt(), with `what` naming the file in errors.
  static absl::StatusOr<NsFd> AdoptAs(UniqueFd fd, std::optional<NsType> expected,
                                      const std::string& what);
  absl::StatusOr<NsFd> RelatedNs(unsigned long request, const char* name) const;

  UniqueFd fd_;
  NsId id_;
};

}  // namespace linuxns

#endif  // LINUXNS_NS_FD_H_

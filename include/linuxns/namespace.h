// linuxns/namespace.h: namespaces this program creates and holds.
//
// Namespace::Create() makes new namespaces of any set of the eight types
// without changing any namespace of the calling thread or process, holds them
// as NsFd handles, and can pin them to files by bind mount (as
// `ip netns add` or `unshare --net=FILE` do), so that they outlive the
// program.
//
//   LINUXNS_ASSIGN_OR_RETURN(
//       linuxns::Namespace ns,
//       linuxns::Namespace::Create({linuxns::NsType::kNet, linuxns::NsType::kUts}));
//   std::cout << ns.Find(linuxns::NsType::kNet)->id() << "\n";  // net:[4026532301]
//   LINUXNS_RETURN_IF_ERROR(ns.Pin(linuxns::NsType::kNet, "/run/netns/demo"));
//   ...  // ~Namespace unmounts /run/netns/demo unless ns.Release() was called
//
// How: the namespaces are created by cloning a small holder process (sharing
// the caller's memory, on its own 32 KiB stack) with the CLONE_NEW* flags
// asked for, so that the kernel creates them together, a new user namespace
// first and the others owned by it. The holder closes every descriptor it
// inherited. The parent writes the uid/gid maps of a new user namespace,
// opens every namespace through the holder's pidfd, and, unless a pid
// namespace was asked for, kills and reaps the holder before Create()
// returns. A time namespace is unshared by the holder (so that its offsets
// can be set before anyone enters it) and held through time_for_children.
//
// PID namespaces: a pid namespace lives only while its PID 1 lives. A
// Namespace with kPid keeps its holder alive as that PID 1 for its whole
// lifetime (init()). The holder ignores SIGCHLD, so the orphans of the
// namespace are reaped by the kernel. It exits when the Namespace is
// destroyed (SIGKILL, which also kills every process still in the pid
// namespace) or when the creating *process* exits (it polls a pidfd of the
// creator), whichever comes first. A process that enters the pid namespace
// with setns(2) creates its children there; they are not children of the
// holder.
//
// User namespaces: the current user is mapped as options.user_mapping says
// (root inside by default, like `unshare -r`), and setgroups is set to "deny"
// before the gid map, as the kernel requires of an unprivileged writer. This
// works unprivileged wherever unprivileged user namespaces are allowed; any
// other type of namespace needs CAP_SYS_ADMIN, or a user namespace in the same
// set (then the others are owned by it).
//
// Implied types, the rule SpawnOptions has too: explicit id maps imply a user
// namespace and time offsets a time namespace, added to `types`.
//
// Errors: InvalidArgument for an empty set (before any system call); for clone failures the errno
// with an actionable message (EPERM: privilege or sysctl; ENOSPC: which
// /proc/sys/user/max_*_namespaces limit). Nothing is left behind on error: no
// process, no descriptor, no mount.
//
// fork(): a Namespace belongs to the process that created it. A fork child
// inherits a copy whose destruction (or replacement by move assignment) only
// closes the child's descriptors: it neither kills the holder (the parent's
// pid namespace lives on) nor unmounts the parent's pins. Unpin() called
// explicitly in the child still acts, in the child's mount namespace.
//
// Thread-safety: Create() may be called from any thread of a multi-threaded
// program. One Namespace object needs external synchronization for Pin(),
// Unpin() and Release(); its const methods may run concurrently. Needs Linux
// 5.3 (pidfds, clone3; clone(2) is used where clone3 is refused), 5.6 for
// time namespaces; /proc must be mounted.
#ifndef LINUXNS_NAMESPACE_H_
#define LINUXNS_NAMESPACE_H_

#include <sys/types.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "linuxns/export.h"
#include "linuxns/id_map.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_type.h"
#include "linuxns/pid_fd.h"
#include "linuxns/time_offsets.h"

namespace linuxns {

namespace internal {
class ChildStack;
}

// NamespaceOptions: how Namespace::Create() sets up the namespaces it makes.
struct LINUXNS_EXPORT NamespaceOptions {
  // The id maps of a new user namespace (see linuxns/id_map.h: the same
  // vocabulary and default as SpawnOptions::user_mapping).
  UserNsMapping user_mapping = UserNsMapping::kCurrentUserToRoot;
  // Explicit maps (each implies NsType::kUser), each in place of the one
  // user_mapping gives: several ranges, or the ranges /etc/subuid and
  // /etc/subgid give an ordinary user. Written from this process, and where
  // that is refused (EPERM), through newuidmap/newgidmap (package uidmap),
  // as SpawnOptions' maps are; setgroups is set to "deny" first.
  std::optional<IdMap> uid_map;
  // See uid_map.
  std::optional<IdMap> gid_map;
  // Clock offsets of the new time namespace (implies NsType::kTime).
  std::optional<TimeOffsets> time_offsets;
};

// Namespace: new namespaces, held (and pinned) for as long as this object
// lives; see the top of this file.
class LINUXNS_EXPORT Namespace {
 public:
  // Create()
  //
  // Creates one new namespace of each type in `types` and of each type the
  // options imply, as described above.
  static absl::StatusOr<Namespace> Create(NsTypeSet types, const NamespaceOptions& options = {});

  // Takes over everything `other` holds; `other` is empty afterwards.
  Namespace(Namespace&& other) noexcept;
  // Lets go of what this object holds, as the destructor does, then takes
  // over everything `other` holds; `other` is empty afterwards.
  Namespace& operator=(Namespace&& other) noexcept;
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  // Unpins every pin this object made (umount, and removal of the files it
  // created for them), closes its descriptors and, for a pid namespace, kills
  // and reaps the holder (and so every process in the namespace). Failures
  // here cannot be reported; call Unpin() first to see them. In a process
  // other than the creator (a fork child), only closes the descriptors.
  ~Namespace();

  // The types held (empty after Release() or a move).
  NsTypeSet types() const { return types_; }

  // Find()
  //
  // The namespace of `type`, or nullptr when this object does not hold one.
  const NsFd* Find(NsType type) const;

  // init()
  //
  // For a pid namespace, the handle of its PID 1 (the holder process); nullptr
  // otherwise.
  const PidFd* init() const { return holder_.valid() ? &holder_ : nullptr; }

  // Pin()
  //
  // Bind-mounts the namespace of `type` onto `path` in the calling thread's
  // mount namespace, so it stays alive as long as that mount exists; it can
  // be opened later with NsFd::OpenPath(path). Creates `path` as an empty
  // file when it does not exist (and removes it again on Unpin()). Errors:
  // InvalidArgument when no namespace of `type` is held or `path` exists and is
  // not a regular file; NotFound (ENOENT) when the directory of `path` is
  // missing; FailedPrecondition for a mount namespace when `path` lies on a
  // mount with shared propagation (the kernel refuses that with a bare EINVAL,
  // since the pin would propagate into the namespace itself); the errno of
  // mount(2) otherwise (EPERM without CAP_SYS_ADMIN). Note that a pinned pid
  // namespace whose init has exited can no longer get new processes.
  absl::Status Pin(NsType type, const std::string& path);

  // Unpin()
  //
  // Undoes Pin() for `path`: detaches the mount (umount2 MNT_DETACH) and
  // removes the file if Pin() created it. NotFound when this object made no
  // pin at `path`.
  absl::Status Unpin(const std::string& path);

  // The paths this object has pinned, in the order they were made.
  std::vector<std::string> pinned_paths() const;

  // Release()
  //
  // Keeps everything this object made beyond its lifetime: the pins stay
  // mounted (and their files stay), and a pid namespace's holder stays alive
  // until the creating process exits. Closes the descriptors. The object is
  // empty afterwards.
  void Release();

 private:
  struct PinRecord {
    NsType type;
    std::string path;
    bool created_file;
  };

  Namespace();
  void Reset();

  NsTypeSet types_;
  std::array<std::optional<NsFd>, kNsTypeCount> fds_;
  std::vector<PinRecord> pins_;
  PidFd holder_;
  // The holder's stack, allocated in Create(); owned here while the holder
  // lives (it shares our memory).
  std::unique_ptr<internal::ChildStack> holder_stack_;
  // The process that created the namespaces (0 when empty): only that one
  // kills the holder and removes the pins.
  pid_t creator_pid_ = 0;
};

}  // namespace linuxns

#endif  // LINUXNS_NAMESPACE_H_

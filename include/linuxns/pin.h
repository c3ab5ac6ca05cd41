// linuxns/pin.h: keep a namespace alive by bind-mounting it onto a file.
//
// A namespace lives as long as something refers to it: a process in it, an
// open descriptor, or a bind mount of its nsfs file, which is what
// `ip netns add NAME` (/run/netns/NAME) and `unshare --net=FILE` make. A pin
// outlives the program that made it, until it is unmounted.
//
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::NsFd net, child.OpenNamespace(linuxns::NsType::kNet));
//   LINUXNS_ASSIGN_OR_RETURN(bool created, linuxns::PinNamespace(net, "/run/netns/box"));
//   ...
//   LINUXNS_RETURN_IF_ERROR(linuxns::UnpinNamespace("/run/netns/box", created));
//
// The mount is made in the calling thread's mount namespace; it needs
// CAP_SYS_ADMIN there. Namespace::Pin() is the same for a Namespace object,
// which also unpins on destruction; the pins of SpawnOptions (`unshare
// --net=FILE`) are made by PinNamespace() too.
//
// What a pin path may be, for PinNamespace() and UnpinNamespace() alike:
//   - absolute, or relative to the calling thread's working directory;
//   - made of directories that exist, none of them a symbolic link, and a
//     last component that is a regular file or absent (then created) and not
//     a symbolic link either, dangling or not. A symbolic link on any
//     component is refused, not followed, even root's own (so /var/run/netns/x
//     is refused where /run/netns/x is fine); "." components are allowed;
//   - without ".." components, and without a trailing '/'.
// The path is resolved once, without following symbolic links (openat2(2)
// RESOLVE_NO_SYMLINKS, Linux 5.6; before that, or under a seccomp policy that
// refuses openat2, a walk of O_NOFOLLOW opens), and the file is checked and
// mounted on (or unmounted) through that descriptor: a user who owns a
// directory on the path can neither redirect the pin with a symlink nor swap
// the file for one between the check and the mount (RELIABILITY rule 11).
//
// Errors: InvalidArgument when `path` exists and is not a regular file, or is
// empty, ends in '/', has a ".." component or a NUL byte; InvalidArgument with errno
// ELOOP ("a pin path must not contain a symbolic link") for a symbolic link
// on any component, the last included; NotFound (ENOENT) when its directory
// is missing; FailedPrecondition for a mount namespace pinned on a mount with
// shared propagation (the kernel's bare EINVAL, explained: the pin would
// propagate into the namespace itself); otherwise the errno of mount(2)
// (EPERM without CAP_SYS_ADMIN) or of the open that failed (ENOTDIR, EACCES).
// A file PinNamespace() created is removed again when the mount fails, if
// the name still refers to that file; nothing stays mounted when a call
// fails.
//
// Thread-safety: thread-safe; the mount table is the kernel's. Uses
// /proc/thread-self/fd, so /proc must be mounted.
#ifndef LINUXNS_PIN_H_
#define LINUXNS_PIN_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "linuxns/export.h"
#include "linuxns/ns_fd.h"

namespace linuxns {

// PinNamespace()
//
// Bind-mounts `ns` onto `path`, creating `path` as an empty file (mode 0444)
// when it does not exist. Returns whether it created the file. `path` must be
// a pin path as described above.
LINUXNS_EXPORT absl::StatusOr<bool> PinNamespace(const NsFd& ns, const std::string& path);

// UnpinNamespace()
//
// Detaches the mount at `path` (umount2 MNT_DETACH; a path that is no longer
// a mount point is fine) and, when `remove_file`, removes the file. `path` is
// resolved as PinNamespace() resolves it: a symbolic link on any component
// is refused (InvalidArgument, ELOOP) and nothing is unmounted or removed;
// a missing `path` is NotFound (ENOENT).
LINUXNS_EXPORT absl::Status UnpinNamespace(const std::string& path, bool remove_file);

}  // namespace linuxns

#endif  // LINUXNS_PIN_H_

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
// which also unpins on destruction.
//
// Errors: InvalidArgument when `path` exists and is not a regular file;
// NotFound (ENOENT) when its directory is missing; FailedPrecondition for a
// mount namespace pinned on a mount with shared propagation (the kernel's
// bare EINVAL, explained: the pin would propagate into the namespace
// itself); otherwise the errno of mount(2) (EPERM without CAP_SYS_ADMIN).
// A file PinNamespace() created is removed again when the mount fails.
//
// Thread-safety: thread-safe; the mount table is the kernel's.
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
// Bind-mounts `ns` onto `path`, creating `path` as an empty file when it does
// not exist. Returns whether it created the file.
LINUXNS_EXPORT absl::StatusOr<bool> PinNamespace(const NsFd& ns, const std::string& path);

// UnpinNamespace()
//
// Detaches the mount at `path` (umount2 MNT_DETACH; a path that is no longer
// a mount point is fine) and, when `remove_file`, removes the file.
LINUXNS_EXPORT absl::Status UnpinNamespace(const std::string& path, bool remove_file);

}  // namespace linuxns

#endif  // LINUXNS_PIN_H_

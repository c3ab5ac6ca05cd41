#include "linuxns/pin.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "internal/mountinfo.h"
#include "linuxns/status.h"

namespace linuxns {

absl::StatusOr<bool> PinNamespace(const NsFd& ns, const std::string& path) {
  const std::string what = absl::StrCat("pin ", NsTypeName(ns.type()), " namespace at ", path);
  bool created = false;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": the path exists and is not a regular file"));
    }
  } else if (errno == ENOENT) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444));
    if (!fd) {
      const int err = errno;
      return ErrnoError(err, what, err == ENOENT ? "its directory does not exist" : "");
    }
    created = true;
  } else {
    return ErrnoError(errno, absl::StrCat(what, ": stat"));
  }
  absl::Cleanup remove_file = [&] {
    if (created) ::unlink(path.c_str());
  };

  if (ns.type() == NsType::kMnt) {
    absl::StatusOr<internal::MountInfo> mount = internal::MountOf(path);
    if (!mount.ok()) return WithContext(mount.status(), what);
    if (mount->shared) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": ", mount->mount_point,
                       " is a shared mount, and a mount namespace cannot be pinned where the "
                       "pin would propagate (the kernel says EINVAL); pin it below a private "
                       "mount, e.g. after `mount --make-private ",
                       mount->mount_point, "`"));
    }
  }
  const std::string source = absl::StrCat("/proc/thread-self/fd/", ns.get());
  if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    const int err = errno;
    return ErrnoError(err, absl::StrCat(what, ": mount"),
                      err == EPERM ? "CAP_SYS_ADMIN is needed" : "");
  }
  std::move(remove_file).Cancel();
  return created;
}

absl::Status UnpinNamespace(const std::string& path, bool remove_file) {
  // EINVAL: not a mount point (any more); nothing to detach.
  if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL) {
    return ErrnoError(errno, absl::StrCat("unpin ", path, ": umount"));
  }
  if (remove_file && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(errno, absl::StrCat("unpin ", path, ": unlink"));
  }
  return absl::OkStatus();
}

}  // namespace linuxns

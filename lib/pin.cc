// PinNamespace() and UnpinNamespace(), which never follow a symbolic link on
// any component of the pin path (RELIABILITY rule 11; issue 13). Root pins
// into directories that users may own (`unshare --net=PATH`, a program's
// Namespace::Pin()): a check of the path followed by a mount by path lets such
// a user point a directory component at another place, or swap the last one
// for a symlink between the check and the mount (renameat2 RENAME_EXCHANGE),
// and so put root's mount onto any file.
//
// So the directory is opened O_PATH with openat2(RESOLVE_NO_SYMLINKS), or,
// where openat2 is missing (Linux < 5.6) or refused by a seccomp policy, by a
// walk of O_PATH|O_NOFOLLOW opens; the last component is opened (or created)
// relative to that descriptor with O_NOFOLLOW; the checks look at that
// descriptor, and the mount, the unmount and the removal of a file go through
// the descriptors, never the path again.
//
// The mount is mount(MS_BIND) onto /proc/thread-self/fd/N, a magic link to
// exactly the opened file, as lib/child/mounts.cc does; not open_tree() +
// move_mount(): that would change the errors callers see (move_mount says
// ELOOP where mount says EINVAL for a mount namespace that would pin itself,
// checked on 6.18) and need Linux 5.2.
#include "linuxns/pin.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "child/kernel_constants.h"
#include "internal/mountinfo.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns {
namespace {

// A pin path split at its last '/'.
struct PinPath {
  std::string dir;   // "." for a bare name
  std::string name;  // the last component
};

absl::StatusOr<PinPath> SplitPinPath(const std::string& path, absl::string_view what) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": the path is empty"));
  // The system calls would stop at the NUL: another file than the one named.
  if (path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::CEscape(what), ": the path contains a NUL byte"));
  }
  if (path.back() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the path ends in '/' and so is not a regular file"));
  }
  for (absl::string_view component : absl::StrSplit(path, '/')) {
    if (component == "..") {
      return absl::InvalidArgumentError(absl::StrCat(what, ": a pin path must not contain '..'"));
    }
  }
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return PinPath{".", path};
  return PinPath{slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

absl::Status SymlinkOnThePath(absl::string_view what) {
  return ErrnoError(absl::StatusCode::kInvalidArgument, ELOOP,
                    absl::StrCat(what, ": a pin path must not contain a symbolic link"));
}

std::string FdPath(int fd) { return absl::StrCat("/proc/thread-self/fd/", fd); }

// The error of the system call `step` that just failed, with its errno taken
// before anything else can change it.
absl::Status Failed(absl::string_view what, absl::string_view step) {
  const int err = errno;
  return ErrnoError(err, absl::StrCat(what, ": ", step));
}

// The directory `dir` opened O_PATH by a walk that opens each component
// O_NOFOLLOW below the last: a symlink is ELOOP, as with RESOLVE_NO_SYMLINKS.
// Sets errno on failure.
UniqueFd WalkWithoutSymlinks(const std::string& dir) {
  UniqueFd at(::open(dir[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  for (absl::string_view component : absl::StrSplit(dir, '/', absl::SkipEmpty())) {
    if (!at) break;
    if (component == ".") continue;
    UniqueFd next(
        ::openat(at.get(), std::string(component).c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return next;
    struct stat st;
    if (::fstat(next.get(), &st) != 0) return UniqueFd();
    if (!S_ISDIR(st.st_mode)) {
      errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
      return UniqueFd();
    }
    at = std::move(next);
  }
  return at;
}

// The directory of a pin path, opened O_PATH with no symlink followed.
absl::StatusOr<UniqueFd> OpenPinDirectory(const std::string& dir, absl::string_view what) {
  LinuxnsOpenHow how{O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, dir.c_str(), &how, sizeof how)));
  if (!fd && errno == ENOSYS) fd = WalkWithoutSymlinks(dir);
  if (fd) return fd;
  const int err = errno;
  if (err == ELOOP) return SymlinkOnThePath(what);
  if (err == ENOENT) return ErrnoError(err, what, "its directory does not exist");
  return ErrnoError(err, absl::StrCat(what, ": open ", dir));
}

// The last component of a pin path, below `dir`: a regular file.
struct PinTarget {
  UniqueFd fd;
  bool created = false;
};

absl::StatusOr<PinTarget> OpenOrCreateTarget(int dir, const std::string& name,
                                             absl::string_view what) {
  // EEXIST: someone else made the file between the two opens; look again.
  for (int attempt = 0; attempt < 3; ++attempt) {
    UniqueFd fd(::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (fd) {
      struct stat st;
      if (::fstat(fd.get(), &st) != 0) return Failed(what, "fstat");
      if (S_ISLNK(st.st_mode)) return SymlinkOnThePath(what);
      if (!S_ISREG(st.st_mode)) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": the path exists and is not a regular file"));
      }
      return PinTarget{std::move(fd), false};
    }
    if (errno != ENOENT) return Failed(what, "open");
    UniqueFd made(
        ::openat(dir, name.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444));
    if (made) return PinTarget{std::move(made), true};
    const int err = errno;
    if (err != EEXIST) {
      return ErrnoError(err, what, err == ENOENT ? "its directory does not exist" : "");
    }
  }
  return ErrnoError(EEXIST, absl::StrCat(what, ": create"),
                    "the file keeps appearing and disappearing");
}

// Removes `name` from `dir` if it is still the file `fd` refers to.
void RemoveIfStillOurs(int dir, const std::string& name, int fd) {
  struct stat ours, now;
  if (::fstat(fd, &ours) == 0 && ::fstatat(dir, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 &&
      ours.st_dev == now.st_dev && ours.st_ino == now.st_ino) {
    ::unlinkat(dir, name.c_str(), 0);
  }
}

// A mount namespace must not be pinned where the pin would propagate (the
// kernel's bare EINVAL, explained).
absl::Status CheckNotOnASharedMount(int target, absl::string_view what) {
  absl::StatusOr<internal::MountInfo> mount = internal::MountOf(FdPath(target));
  if (!mount.ok()) return WithContext(mount.status(), what);
  if (mount->shared) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": ", mount->mount_point,
                     " is a shared mount, and a mount namespace cannot be pinned where the "
                     "pin would propagate (the kernel says EINVAL); pin it below a private "
                     "mount, e.g. after `mount --make-private ",
                     mount->mount_point, "`"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> PinNamespace(const NsFd& ns, const std::string& path) {
  const std::string what = absl::StrCat("pin ", NsTypeName(ns.type()), " namespace at ", path);
  LINUXNS_ASSIGN_OR_RETURN(PinPath split, SplitPinPath(path, what));
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd dir, OpenPinDirectory(split.dir, what));
  LINUXNS_ASSIGN_OR_RETURN(PinTarget target, OpenOrCreateTarget(dir.get(), split.name, what));
  absl::Cleanup remove_file = [&] {
    if (target.created) RemoveIfStillOurs(dir.get(), split.name, target.fd.get());
  };

  if (ns.type() == NsType::kMnt) {
    LINUXNS_RETURN_IF_ERROR(CheckNotOnASharedMount(target.fd.get(), what));
  }
  const std::string source = FdPath(ns.get());
  const std::string at = FdPath(target.fd.get());
  if (::mount(source.c_str(), at.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    const int err = errno;
    return ErrnoError(err, absl::StrCat(what, ": mount"),
                      err == EPERM ? "CAP_SYS_ADMIN is needed" : "");
  }
  std::move(remove_file).Cancel();
  return target.created;
}

absl::Status UnpinNamespace(const std::string& path, bool remove_file) {
  const std::string what = absl::StrCat("unpin ", path);
  LINUXNS_ASSIGN_OR_RETURN(PinPath split, SplitPinPath(path, what));
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd dir, OpenPinDirectory(split.dir, what));
  {
    UniqueFd target(::openat(dir.get(), split.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!target) return Failed(what, "open");
    struct stat st;
    if (::fstat(target.get(), &st) != 0) return Failed(what, "fstat");
    if (S_ISLNK(st.st_mode)) return SymlinkOnThePath(what);
    // The magic link leads to the mount on the opened file (checked on 6.18;
    // UMOUNT_NOFOLLOW would stop at the link itself). EINVAL: not a mount
    // point (any more); nothing to detach.
    const std::string at = FdPath(target.get());
    if (::umount2(at.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
      return Failed(what, "umount");
    }
  }
  if (remove_file && ::unlinkat(dir.get(), split.name.c_str(), 0) != 0 && errno != ENOENT) {
    return Failed(what, "unlink");
  }
  return absl::OkStatus();
}

}  // namespace linuxns

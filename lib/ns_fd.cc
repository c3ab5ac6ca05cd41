#include "linuxns/ns_fd.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ostream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "internal/kernel.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

// What a file is, in words, for "X is not a namespace file (a directory)".
const char* DescribeMode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFIFO:
      return "a FIFO";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
    default:
      return "of an unknown file type";
  }
}

absl::Status NotANamespace(const std::string& what, mode_t mode) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is not a namespace file (it is ", DescribeMode(mode), ")"));
}

// Whether `fd` is a pidfd: a file of pidfs, or (before Linux 6.9) the anonymous
// inode "[pidfd]". True when that cannot be told (no /proc), so that only a
// descriptor known to be something else is refused.
bool IsPidfd(int fd) {
  struct statfs fs;
  if (::fstatfs(fd, &fs) != 0) return false;
  if (fs.f_type == PID_FS_MAGIC) return true;
  char link[64];
  const ssize_t n =
      ::readlink(absl::StrCat("/proc/thread-self/fd/", fd).c_str(), link, sizeof link - 1);
  if (n < 0) return true;
  return absl::string_view(link, static_cast<std::size_t>(n)) == "anon_inode:[pidfd]";
}

absl::Status StatNs(const char* path, struct stat* st) {
  if (::stat(path, st) == 0) return absl::OkStatus();
  return ErrnoError(errno, absl::StrCat("stat ", path));
}

absl::Status ExplainMultiThreaded(const NsId& target, int err, int threads,
                                  absl::string_view rule) {
  return ErrnoError(absl::StatusCode::kFailedPrecondition, err,
                    absl::StrCat("setns into ", target.ToString(), ": the process has ", threads,
                                 " threads, and ", rule));
}

}  // namespace

std::string NsId::ToString() const { return absl::StrCat(NsTypeName(type), ":[", inode, "]"); }

std::ostream& operator<<(std::ostream& os, const NsId& id) { return os << id.ToString(); }

absl::StatusOr<NsFd> NsFd::FromKnownType(UniqueFd fd, NsType type, const std::string& what) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    return ErrnoError(errno, absl::StrCat("fstat ", what));
  }
  return NsFd(std::move(fd), NsId{type, st.st_dev, st.st_ino});
}

absl::StatusOr<NsFd> NsFd::OpenCurrent(NsType type) {
  const char* path = internal::ThreadNsPath(type, /*for_children=*/false);
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(errno, absl::StrCat("open ", path));
  return FromKnownType(std::move(fd), type, path);
}

absl::StatusOr<NsFd> NsFd::OpenForChildren(NsType type) {
  if (type != NsType::kPid && type != NsType::kTime) {
    return absl::InvalidArgumentError(absl::StrCat(
        "only pid and time namespaces have a for_children view, not ", NsTypeName(type)));
  }
  const char* path = internal::ThreadNsPath(type, /*for_children=*/true);
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(errno, absl::StrCat("open ", path));
  return FromKnownType(std::move(fd), type, path);
}

absl::StatusOr<NsFd> NsFd::FromPidFd(const PidFd& process, NsType type) {
  return FromPidFdView(process, type, /*for_children=*/false);
}

absl::StatusOr<NsFd> NsFd::FromPidFdForChildren(const PidFd& process, NsType type) {
  if (type != NsType::kPid && type != NsType::kTime) {
    return absl::InvalidArgumentError(absl::StrCat(
        "only pid and time namespaces have a for_children view, not ", NsTypeName(type)));
  }
  return FromPidFdView(process, type, /*for_children=*/true);
}

absl::StatusOr<NsFd> NsFd::FromPidFdView(const PidFd& process, NsType type, bool for_children) {
  if (!process.valid()) return absl::FailedPreconditionError("PidFd is empty");
  const std::string what = absl::StrCat("/proc/", process.pid(), "/ns/", NsTypeName(type),
                                        for_children ? "_for_children" : "");
  auto gone = [&](int err) {
    return ErrnoError(err, absl::StrCat("open ", what, ": process ", process.pid(), " has exited"));
  };
  auto denied = [&](int err) {
    return ErrnoError(err, absl::StrCat("open ", what,
                                        " (the process is not dumpable or belongs "
                                        "to another user; ptrace read access is "
                                        "needed)"));
  };

  if (!internal::pidfs_ns_ioctls_missing.load(std::memory_order_relaxed)) {
    UniqueFd fd(::ioctl(process.get(), internal::PidfdNsIoctl(type, for_children), 0));
    if (fd) return FromKnownType(std::move(fd), type, what);
    const int err = errno;
    switch (err) {
      case ENOTTY:
      case EINVAL:
      case ENOSYS:
        // Any other descriptor answers ENOTTY too: it says nothing of this
        // kernel, and must not switch every later call of the process over
        // to /proc (nor pass for a process that has exited, below).
        if (!IsPidfd(process.get())) {
          return ErrnoError(absl::StatusCode::kInvalidArgument, err,
                            absl::StrCat("open ", what, ": descriptor ", process.get(),
                                         " of the PidFd is not a pidfd (PidFd::Adopt() "
                                         "was given another kind of file)"));
        }
        internal::pidfs_ns_ioctls_missing.store(true, std::memory_order_relaxed);
        break;  // Before Linux 6.11: use /proc below.
      case ESRCH:
        return gone(err);
      case EPERM:
      case EACCES:
        return denied(err);
      case EOPNOTSUPP:
        return ErrnoError(err, absl::StrCat("open ", what, ": this kernel has no ",
                                            NsTypeName(type), " namespaces"));
      default:
        return ErrnoError(err, absl::StrCat("open ", what));
    }
  }

  UniqueFd fd(::open(what.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    if (err == EACCES || err == EPERM) return denied(err);
    if (err == ENOENT || err == ESRCH) return gone(ESRCH);
    return ErrnoError(err, absl::StrCat("open ", what));
  }
  // The open went by pid: make sure that pid still named our process.
  absl::StatusOr<bool> exited = process.HasExited();
  if (!exited.ok()) return exited.status();
  if (*exited) return gone(ESRCH);
  return FromKnownType(std::move(fd), type, what);
}

absl::StatusOr<NsFd> NsFd::FromPid(pid_t pid, NsType type) {
  absl::StatusOr<PidFd> process = PidFd::Open(pid);
  if (!process.ok()) return process.status();
  return FromPidFd(*process, type);
}

absl::StatusOr<NsFd> NsFd::OpenPath(const std::string& path, std::optional<NsType> expected) {
  // open(2) would stop at the NUL and open another file than the one named.
  if (path.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("open ", absl::CEscape(path), ": the path contains a NUL byte"));
  }
  // Look at the file without opening it (O_PATH runs no driver's open, wakes
  // no FIFO writer), then open that very file through its descriptor: a check
  // by path and an open by path could meet two different files.
  UniqueFd where(::open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!where) return ErrnoError(errno, absl::StrCat("open ", path));
  struct stat st;
  if (::fstat(where.get(), &st) != 0) return ErrnoError(errno, absl::StrCat("fstat ", path));
  struct statfs fs;
  if (!S_ISREG(st.st_mode) || ::fstatfs(where.get(), &fs) != 0 ||
      fs.f_type != static_cast<decltype(fs.f_type)>(NSFS_MAGIC)) {
    return NotANamespace(path, st.st_mode);
  }
  constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  // thread-self: this thread may have a file table of its own.
  UniqueFd fd(::open(absl::StrCat("/proc/thread-self/fd/", where.get()).c_str(), kFlags));
  if (!fd && errno == ENOENT) {
    // No /proc of this thread's: open by path once more, and keep what is
    // opened only when it is the file looked at. (A file swapped in between
    // is opened, then refused; only this fallback can do that.)
    fd = UniqueFd(::open(path.c_str(), kFlags));
    struct stat now;
    if (fd &&
        (::fstat(fd.get(), &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino)) {
      return absl::AbortedError(absl::StrCat(path, " changed while it was being opened"));
    }
  }
  if (!fd) return ErrnoError(errno, absl::StrCat("open ", path));
  return AdoptAs(std::move(fd), expected, path);
}

absl::StatusOr<NsFd> NsFd::Adopt(UniqueFd fd, std::optional<NsType> expected) {
  const std::string what = absl::StrCat("fd ", fd.get());
  return AdoptAs(std::move(fd), expected, what);
}

absl::StatusOr<NsFd> NsFd::AdoptAs(UniqueFd fd, std::optional<NsType> expected,
                                   const std::string& what) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoError(errno, absl::StrCat("fstat ", what));
  if (!S_ISREG(st.st_mode)) return NotANamespace(what, st.st_mode);
  const int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl >= 0 && (fl & O_PATH) != 0) {
    // The kernel answers EBADF to both the ioctl and setns(2): say why.
    return ErrnoError(absl::StatusCode::kInvalidArgument, EBADF,
                      absl::StrCat(what,
                                   " is opened with O_PATH, which can be neither checked nor "
                                   "entered; open the namespace file with O_RDONLY"));
  }
  const int flag = ::ioctl(fd.get(), NS_GET_NSTYPE);
  if (flag < 0) {
    const int err = errno;
    if (err == ENOTTY || err == EINVAL) return NotANamespace(what, st.st_mode);
    return ErrnoError(err, absl::StrCat("ioctl NS_GET_NSTYPE on ", what));
  }
  std::optional<NsType> type = NsTypeFromCloneFlag(static_cast<std::uint64_t>(flag));
  if (!type.has_value()) {
    return absl::UnimplementedError(
        absl::StrCat(what, " is a namespace of a type linuxns does not know (flag ", flag, ")"));
  }
  if (expected.has_value() && *expected != *type) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is a ", NsTypeName(*type),
                                                   " namespace, not a ", NsTypeName(*expected),
                                                   " namespace"));
  }
  return NsFd(std::move(fd), NsId{*type, st.st_dev, st.st_ino});
}

absl::Status NsFd::CheckStillHeld(absl::string_view what) const {
  if (!fd_.valid()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " into ", id_.ToString(), ": the NsFd is empty (moved from)"));
  }
  // A descriptor closed behind this object's back, its number reused by
  // another file (another namespace, even), must not be entered in its place.
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0 || st.st_dev != id_.dev || st.st_ino != id_.inode) {
    return ErrnoError(absl::StatusCode::kFailedPrecondition, EBADF,
                      absl::StrCat(what, " into ", id_.ToString(), ": descriptor ", fd_.get(),
                                   " no longer refers to that namespace (it was closed behind "
                                   "the NsFd's back)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<NsFd> NsFd::Dup() const {
  UniqueFd fd(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 0));
  if (!fd) return ErrnoError(errno, absl::StrCat("dup ", id_.ToString()));
  return NsFd(std::move(fd), id_);
}

absl::StatusOr<NsFd> NsFd::RelatedNs(unsigned long request, const char* name) const {
  UniqueFd fd(::ioctl(fd_.get(), request));
  if (!fd) {
    const int err = errno;
    const std::string what = absl::StrCat(name, " of ", id_.ToString());
    if (err == EPERM) {
      return ErrnoError(err, absl::StrCat(what,
                                          ": it lies outside the caller's user "
                                          "namespace"));
    }
    if (err == EINVAL) {
      return ErrnoError(err, absl::StrCat(what,
                                          ": only pid and user namespaces have "
                                          "parents"));
    }
    return ErrnoError(err, what);
  }
  const NsType type = request == NS_GET_PARENT ? id_.type : NsType::kUser;
  return FromKnownType(std::move(fd), type, name);
}

absl::StatusOr<NsFd> NsFd::Parent() const { return RelatedNs(NS_GET_PARENT, "parent"); }

absl::StatusOr<NsFd> NsFd::OwningUserNs() const {
  return RelatedNs(NS_GET_USERNS, "owning user namespace");
}

absl::StatusOr<uid_t> NsFd::OwnerUid() const {
  if (id_.type != NsType::kUser) {
    return absl::InvalidArgumentError(
        absl::StrCat("owner uid of ", id_.ToString(), ": only user namespaces have an owner uid"));
  }
  uid_t uid = 0;
  if (::ioctl(fd_.get(), NS_GET_OWNER_UID, &uid) != 0) {
    return ErrnoError(errno, absl::StrCat("owner uid of ", id_.ToString()));
  }
  return uid;
}

absl::Status NsFd::Enter() const {
  const NsType type = id_.type;
  LINUXNS_RETURN_IF_ERROR(CheckStillHeld("setns"));
  if (type == NsType::kUser || type == NsType::kMnt) {
    struct stat st;
    LINUXNS_RETURN_IF_ERROR(StatNs(internal::ThreadNsPath(type, false), &st));
    if (st.st_dev == id_.dev && st.st_ino == id_.inode) return absl::OkStatus();
  }
  if (type == NsType::kUser || type == NsType::kTime) {
    LINUXNS_ASSIGN_OR_RETURN(int threads, internal::CountThreads());
    if (threads > 1) {
      return type == NsType::kUser
                 ? ExplainMultiThreaded(id_, EINVAL, threads,
                                        "only a single-threaded process can enter "
                                        "a user namespace")
                 : ExplainMultiThreaded(id_, EUSERS, threads,
                                        "only a single-threaded process can enter "
                                        "a time namespace");
    }
  }
  if (::setns(fd_.get(), static_cast<int>(CloneFlag(type))) == 0) {
    return absl::OkStatus();
  }
  const int err = errno;
  if (err == EINVAL && type == NsType::kMnt) {
    absl::StatusOr<int> threads = internal::CountThreads();
    if (threads.ok() && *threads > 1) {
      return ExplainMultiThreaded(id_, err, *threads,
                                  "a thread can enter a mount namespace only after "
                                  "unshare(CLONE_FS) (linuxns::RunInNamespacesOnThread "
                                  "does that)");
    }
  }
  if (err == EPERM) {
    return ErrnoError(err, absl::StrCat("setns into ", id_.ToString(),
                                        " (CAP_SYS_ADMIN in the namespace's owning "
                                        "user namespace is needed)"));
  }
  return ErrnoError(err, absl::StrCat("setns into ", id_.ToString()));
}

}  // namespace linuxns

#include "internal/spawner_thread.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "internal/kernel.h"
#include "linuxns/ns_type.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {
namespace {

// The main thread's namespaces that the spawner thread keeps to. mnt comes
// last: on kernels before 6.11 the others are read through /proc, and which
// /proc a path reaches depends on the mount namespace.
constexpr NsType kHomeTypes[] = {NsType::kNet,    NsType::kUts, NsType::kIpc,
                                 NsType::kCgroup, NsType::kPid, NsType::kMnt};

// pidfd_open flag PIDFD_THREAD (Linux 6.9; child/kernel_constants.h): a
// pidfd of one thread, whose PIDFD_GET_*_NAMESPACE ioctls answer for that
// thread rather than for the main thread.
constexpr unsigned kPidfdThread = PIDFD_THREAD;

// A status for an exception that cannot itself fail: a status with a message
// allocates, and that allocation may throw bad_alloc again; one without a
// message does not.
absl::Status FromException(absl::string_view where, std::exception_ptr e) noexcept {
  try {
    try {
      std::rethrow_exception(std::move(e));
    } catch (const std::bad_alloc&) {
      return absl::ResourceExhaustedError(absl::StrCat(where, ": out of memory (std::bad_alloc)"));
    } catch (const std::exception& ex) {
      return absl::InternalError(absl::StrCat(where, ": exception: ", ex.what()));
    } catch (...) {
      return absl::InternalError(absl::StrCat(where, ": an exception that is no std::exception"));
    }
  } catch (const std::bad_alloc&) {
    return absl::Status(absl::StatusCode::kResourceExhausted, "");
  } catch (...) {
    return absl::Status(absl::StatusCode::kInternal, "");
  }
}

// Runs `fn` (which returns a Status) so that no exception leaves it: on a
// library thread an escaping exception would call std::terminate.
template <typename Fn>
absl::Status Guarded(absl::string_view where, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (...) {
    return FromException(where, std::current_exception());
  }
}

// "net", ..., and "pid_for_children" for pid: the one a clone uses.
std::string NsFileName(NsType type) {
  return type == NsType::kPid ? std::string("pid_for_children") : std::string(NsTypeName(type));
}

// Opens the namespace of `type` (pid: pid_for_children) of the task behind
// `pidfd` with the PIDFD_GET_*_NAMESPACE ioctls, which need no /proc: a
// thread started inside a foreign mount namespace may see a /proc there that
// belongs to another pid namespace, or none. Before Linux 6.11, or without a
// pidfd, opens `proc_dir`/ns/<name> instead. Errors: EOPNOTSUPP when the
// kernel has no namespaces of `type`; ESRCH when the task has exited.
absl::StatusOr<UniqueFd> OpenNs(const UniqueFd& pidfd, const char* proc_dir, NsType type) {
  if (pidfd && !pidfs_ns_ioctls_missing.load(std::memory_order_relaxed)) {
    UniqueFd fd(::ioctl(pidfd.get(), PidfdNsIoctl(type, type == NsType::kPid), 0));
    if (fd) return fd;
    const int err = errno;
    if (err != ENOTTY && err != EINVAL && err != ENOSYS) {
      return ErrnoError(err, absl::StrCat("ioctl PIDFD_GET_NAMESPACE (", NsFileName(type),
                                          ") on a pidfd of ", proc_dir));
    }
    pidfs_ns_ioctls_missing.store(true, std::memory_order_relaxed);
  }
  const std::string path = absl::StrCat(proc_dir, "/ns/", NsFileName(type));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    if (err != ENOENT) return ErrnoError(err, absl::StrCat("open ", path));
    // Say what the ioctls would: a missing link is either a type this
    // kernel lacks, or a main thread that has exited (pthread_exit from
    // main), whose links are gone while this thread's are there.
    const std::string own = absl::StrCat("/proc/thread-self/ns/", NsFileName(type));
    if (::access(own.c_str(), F_OK) == 0) {
      return ErrnoError(ESRCH, absl::StrCat("open ", path, ": the main thread has exited"));
    }
    return ErrnoError(EOPNOTSUPP, absl::StrCat("open ", path, ": no such namespace type here"));
  }
  return fd;
}

// A file's identity.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId&) const = default;
};

FileId IdOf(const struct stat& st) { return FileId{st.st_dev, st.st_ino}; }

std::optional<FileId> StatId(const char* path) {
  struct stat st;
  if (::stat(path, &st) != 0) return std::nullopt;
  return IdOf(st);
}

// What the spawner thread keeps between trips home; lives on that thread.
struct HomeState {
  // unshare(CLONE_FS) succeeded: the thread's root and working directory are
  // its own to change.
  bool own_fs = false;
  // The main thread's root as last seen through /proc/self/root: what the
  // thread's root should be when a job's chroot hides /proc from it.
  std::optional<FileId> root;
};

// Puts the calling thread into each namespace of the main thread that differs
// from its own. Only those: setns() wants CAP_SYS_ADMIN even to "enter" the
// namespace one is in, and for mnt it would reset the root. Returns the main
// thread's mount namespace (empty when the main thread has exited).
absl::StatusOr<UniqueFd> GoHomeNamespaces() {
  // Opened anew each time rather than cached: a host may close descriptors
  // it does not know about, and reuse their numbers.
  const UniqueFd process(PidfdOpen(::getpid(), 0));
  const UniqueFd thread(PidfdOpen(::gettid(), kPidfdThread));
  UniqueFd home[std::size(kHomeTypes)];
  for (std::size_t i = 0; i < std::size(kHomeTypes); ++i) {
    absl::StatusOr<UniqueFd> fd = OpenNs(process, "/proc/self", kHomeTypes[i]);
    if (fd.ok()) {
      home[i] = *std::move(fd);
      continue;
    }
    const std::optional<int> err = ErrnoOf(fd.status());
    if (err == EOPNOTSUPP) continue;      // a type this kernel lacks
    if (err == ESRCH) return UniqueFd();  // no main thread to follow: stay
    return WithContext(fd.status(), "spawner thread: read the main thread's namespaces");
  }
  for (std::size_t i = 0; i < std::size(kHomeTypes); ++i) {
    if (!home[i]) continue;
    const NsType type = kHomeTypes[i];
    absl::StatusOr<UniqueFd> mine = OpenNs(thread, "/proc/thread-self", type);
    if (!mine.ok()) return WithContext(mine.status(), "spawner thread: read its own namespaces");
    struct stat have, want;
    if (::fstat(mine->get(), &have) != 0 || ::fstat(home[i].get(), &want) != 0) {
      return ErrnoError(errno,
                        absl::StrCat("spawner thread: fstat a ", NsTypeName(type), " namespace"));
    }
    if (IdOf(have) == IdOf(want)) continue;
    if (::setns(home[i].get(), static_cast<int>(CloneFlag(type))) != 0) {
      const int err = errno;
      return ErrnoError(err,
                        absl::StrCat("spawner thread: setns back into the main thread's ",
                                     NsFileName(type), " namespace [", want.st_ino, "]"),
                        err == EPERM ? "CAP_SYS_ADMIN over that namespace is needed" : "");
    }
  }
  static_assert(kHomeTypes[std::size(kHomeTypes) - 1] == NsType::kMnt);
  return std::move(home[std::size(kHomeTypes) - 1]);
}

// Puts the thread's root at the main thread's, and its working directory at
// that root, where they are elsewhere: at first the creator's, later where a
// job that could not restore them left them. Only for a thread with a
// filesystem context of its own: on a shared one, chroot() would move every
// thread that shares it.
absl::Status GoHomeRootAndCwd(const UniqueFd& home_mnt, HomeState& state) {
  std::optional<FileId> root = StatId("/");
  if (!root) return ErrnoError(errno, "spawner thread: stat /");
  std::optional<FileId> main_root = StatId("/proc/self/root");
  // /proc is in reach, but the main thread's root is not: it has exited.
  const bool main_gone = !main_root && ::access("/proc/thread-self", F_OK) == 0;
  if (main_root) state.root = main_root;
  if (state.root && *root != *state.root && !main_gone) {
    if (!main_root) {
      // A chroot hides /proc from this thread. setns() into a mount
      // namespace, even the one it is in, puts the root and working
      // directory at that namespace's root.
      if (!home_mnt || ::setns(home_mnt.get(), CLONE_NEWNS) != 0) {
        return ErrnoError(home_mnt ? errno : ENOENT,
                          "spawner thread: leave a root without /proc (setns into the main "
                          "thread's mount namespace)");
      }
      root = StatId("/");
      if (!root) return ErrnoError(errno, "spawner thread: stat /");
      main_root = StatId("/proc/self/root");
      if (main_root) state.root = main_root;
    }
    if (*root != *state.root) {
      const UniqueFd fd(::open("/proc/self/root", O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!fd || ::fchdir(fd.get()) != 0 || ::chroot(".") != 0) {
        const int err = errno;
        return ErrnoError(err,
                          "spawner thread: go back to the main thread's root (/proc/self/root)",
                          err == EPERM ? "CAP_SYS_CHROOT is needed" : "");
      }
      root = state.root;
    }
  }
  if (StatId(".") != root && ::chdir("/") != 0) {
    return ErrnoError(errno, "spawner thread: chdir /");
  }
  return absl::OkStatus();
}

// Takes the spawner thread home: see spawner_thread.h.
absl::Status GoHome(HomeState& state) {
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd home_mnt, GoHomeNamespaces());
  return state.own_fs ? GoHomeRootAndCwd(home_mnt, state) : absl::OkStatus();
}

class Spawner {
 public:
  explicit Spawner(pid_t pid) : pid_(pid) {}
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;

  // The process this instance belongs to.
  pid_t pid() const { return pid_; }

  // Runs `job` on this instance's thread, starting it first when needed.
  absl::Status Run(absl::FunctionRef<void()> job);

 private:
  void Loop() noexcept;

  const pid_t pid_;
  std::mutex call_mu_;    // held by the one caller whose job is queued or runs
  bool started_ = false;  // guarded by call_mu_
  std::mutex mu_;
  std::condition_variable cv_;
  absl::FunctionRef<void()>* job_ = nullptr;  // guarded by mu_
  bool done_ = false;                         // guarded by mu_
  absl::Status result_;                       // guarded by mu_
};

absl::Status Spawner::Run(absl::FunctionRef<void()> job) {
  std::lock_guard<std::mutex> call(call_mu_);
  if (!started_) {
    try {
      std::thread([this] { Loop(); }).detach();
    } catch (const std::system_error& e) {
      return ErrnoError(e.code().value(), "start the spawner thread");
    }
    started_ = true;
  }
  std::unique_lock<std::mutex> lock(mu_);
  job_ = &job;
  done_ = false;
  cv_.notify_all();
  cv_.wait(lock, [this] { return done_; });
  job_ = nullptr;
  return result_;
}

void Spawner::Loop() noexcept {
  // A filesystem context of its own, so that it may enter a mount namespace
  // (the kernel refuses setns(CLONE_NEWNS) to a thread that shares it), holds
  // no host thread's root or working directory, and no host chdir() moves it.
  // Should the unshare fail, the thread keeps sharing its creator's: the
  // process's own, unless that thread had unshared its own (then GoHome()
  // fails on a mount namespace that differs).
  HomeState state;
  state.own_fs = ::unshare(CLONE_FS) == 0;
  const auto go_home = [&state] { return GoHome(state); };
  absl::Status home = Guarded("spawner thread", go_home);
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return job_ != nullptr && !done_; });
    // A failed return home is retried once before the next job; a job does
    // not run in namespaces that are not the process's.
    if (!home.ok()) home = Guarded("spawner thread", go_home);
    if (home.ok()) {
      result_ = Guarded("spawner thread: job", [this] {
        (*job_)();
        return absl::OkStatus();
      });
      // Before the caller wakes, so that the descriptors GoHome() opens are
      // closed by the time RunOnSpawnerThread() returns.
      home = Guarded("spawner thread", go_home);
    } else {
      result_ = home;
    }
    done_ = true;
    cv_.notify_all();
  }
}

// The instance of this process. Not a mutex-guarded global: a fork child
// inherits a mutex as it was, possibly locked by a thread that did not come
// along.
std::atomic<Spawner*> instance{nullptr};
std::atomic<bool> atfork_registered{false};

// A fork child's copy of the instance has no thread: forget it. The pid check
// in Instance() covers forks that skip the handlers (a raw fork or clone
// syscall); this covers a grandchild that gets the pid of a grandparent
// whose instance it inherited through a parent that never spawned.
void ForgetInstanceInForkChild() { instance.store(nullptr, std::memory_order_relaxed); }

// Throws std::bad_alloc.
Spawner& Instance() {
  if (!atfork_registered.exchange(true)) {
    static_cast<void>(::pthread_atfork(nullptr, nullptr, &ForgetInstanceInForkChild));
  }
  const pid_t pid = ::getpid();
  Spawner* current = instance.load(std::memory_order_acquire);
  while (current == nullptr || current->pid() != pid) {
    // None yet, or the parent's copy (never freed: its mutexes may be held).
    auto fresh = std::make_unique<Spawner>(pid);
    if (instance.compare_exchange_strong(current, fresh.get(), std::memory_order_acq_rel,
                                         std::memory_order_acquire)) {
      return *fresh.release();
    }
    // Another thread published first; `current` now holds its instance.
  }
  return *current;
}

}  // namespace

absl::Status RunOnSpawnerThread(absl::FunctionRef<void()> job) {
  try {
    return Instance().Run(job);
  } catch (...) {
    return FromException("spawner thread", std::current_exception());
  }
}

}  // namespace linuxns::internal

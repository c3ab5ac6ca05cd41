// Tests for linuxns/pid_fd.h: opening pidfds, signalling and waiting.
//
// Every child forked here is owned by a ForkedChild, which kills and reaps it
// unless the test reaped it itself, so a failed assertion leaks no process.
#include "linuxns/pid_fd.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/ns_fd.h"
#include "linuxns/ns_type.h"
#include "linuxns/unique_fd.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace {

using ::linuxns::NsFd;
using ::linuxns::NsType;
using ::linuxns::PidFd;
using ::linuxns::UniqueFd;
using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::IsOkAndHolds;
using ::linuxns::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::Eq;

// A forked child that either blocks in pause() until killed or exits at once
// with a given code.
class ForkedChild {
 public:
  enum class Behavior { kPause, kExit };

  explicit ForkedChild(Behavior behavior, int exit_code = 0) {
    std::fflush(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      // ---- Child: nothing here may return into the test runner. ----
      if (behavior == Behavior::kPause) {
        for (;;) ::pause();
      }
      ::_exit(exit_code);
    }
  }
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;

  ~ForkedChild() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    Reap();
  }

  // The child's pid, or -1 when fork() failed.
  pid_t pid() const { return pid_; }

  // Waits for the child and returns its wait status.
  int Reap() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// The state letter of /proc/<pid>/stat ('S', 'Z', ...), or '?' when the
// process is gone.
char ProcState(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat;
  if (!std::getline(in, stat)) return '?';
  // "pid (comm) state ...": comm may hold spaces and parentheses.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return '?';
  return stat[close + 2];
}

// Returns 0 when `fd` is open, else the errno of fcntl(F_GETFD): EBADF once
// it has been closed.
int FcntlErrno(int fd) { return ::fcntl(fd, F_GETFD) == -1 ? errno : 0; }

bool ProcExists(pid_t pid) { return ::access(absl::StrCat("/proc/", pid).c_str(), F_OK) == 0; }

class PidFdTest : public linuxns::testing::LeakCheckedTest {};

// --- Open / Self ---

TEST_F(PidFdTest, OpenOwnPidIsValid) {
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(::getpid()));
  EXPECT_TRUE(proc.valid());
  EXPECT_GE(proc.get(), 0);
  EXPECT_EQ(proc.pid(), ::getpid());
}

TEST_F(PidFdTest, SelfIsValidWithOwnPid) {
  ASSERT_OK_AND_ASSIGN(PidFd self, PidFd::Self());
  EXPECT_TRUE(self.valid());
  EXPECT_EQ(self.pid(), ::getpid());
  EXPECT_THAT(self.HasExited(), IsOkAndHolds(false));
}

TEST_F(PidFdTest, OpenedDescriptorIsCloseOnExec) {
  ASSERT_OK_AND_ASSIGN(PidFd self, PidFd::Self());
  const int flags = ::fcntl(self.get(), F_GETFD);
  ASSERT_NE(flags, -1);
  EXPECT_NE(flags & FD_CLOEXEC, 0);
}

TEST_F(PidFdTest, OpenOfChildGivesItsPid) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  EXPECT_EQ(proc.pid(), child.pid());
}

TEST_F(PidFdTest, MissingPidIsNotFoundWithEsrch) {
  pid_t gone = -1;
  {
    ForkedChild child(ForkedChild::Behavior::kExit);
    ASSERT_GT(child.pid(), 0);
    gone = child.pid();
    child.Reap();
  }
  ASSERT_FALSE(ProcExists(gone)) << "pid " << gone << " was reused";
  absl::StatusOr<PidFd> proc = PidFd::Open(gone);
  EXPECT_THAT(proc, StatusIs(absl::StatusCode::kNotFound,
                             Eq(absl::StrCat("pidfd_open ", gone, ": No such process"))));
  EXPECT_THAT(proc, ErrnoIs(ESRCH));
}

TEST_F(PidFdTest, PidAbovePidMaxIsNotFoundWithEsrch) {
  std::ifstream in("/proc/sys/kernel/pid_max");
  pid_t pid_max = 0;
  ASSERT_TRUE(static_cast<bool>(in >> pid_max));
  absl::StatusOr<PidFd> proc = PidFd::Open(pid_max + 1);
  EXPECT_THAT(proc, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(proc, ErrnoIs(ESRCH));
}

TEST_F(PidFdTest, ZeroPidIsInvalidArgument) {
  EXPECT_THAT(PidFd::Open(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                       Eq("pidfd_open: invalid pid 0 (must be > 0)")));
}

TEST_F(PidFdTest, NegativePidIsInvalidArgument) {
  EXPECT_THAT(PidFd::Open(-5), StatusIs(absl::StatusCode::kInvalidArgument,
                                        Eq("pidfd_open: invalid pid -5 (must be > 0)")));
}

TEST_F(PidFdTest, ThreadIdIsInvalidArgumentKeepingKernelErrno) {
  pid_t tid = -1;
  int kernel_errno = 0;
  absl::StatusOr<PidFd> proc;
  // Opened from the thread itself, so the tid is alive during both calls.
  std::thread thread([&tid, &kernel_errno, &proc] {
    tid = ::gettid();
    // What the kernel itself says: EINVAL before Linux 6.15, ENOENT since
    // ("pidfs: improve uapi when task isn't found").
    if (::syscall(SYS_pidfd_open, tid, 0) < 0) kernel_errno = errno;
    proc = PidFd::Open(tid);
  });
  thread.join();
  ASSERT_NE(tid, ::getpid());
  ASSERT_THAT(kernel_errno, AnyOf(EINVAL, ENOENT));
  EXPECT_THAT(proc, StatusIs(absl::StatusCode::kInvalidArgument,
                             Eq(absl::StrCat("pidfd_open ", tid, ": not a process (a thread id?): ",
                                             std::strerror(kernel_errno)))));
  EXPECT_THAT(proc, ErrnoIs(kernel_errno));
}

// --- OpenThread ---

// A thread that reports its id, runs `body` in itself, then waits until
// Release() before it exits: its id stays alive while the test looks at it.
class HeldThread {
 public:
  explicit HeldThread(std::function<void()> body = [] {})
      : thread_([this, body = std::move(body)] {
          body();
          tid_.set_value(::gettid());
          release_.get_future().wait();
        }) {}
  HeldThread(const HeldThread&) = delete;
  HeldThread& operator=(const HeldThread&) = delete;
  ~HeldThread() {
    Release();
    if (thread_.joinable()) thread_.join();
  }

  pid_t tid() { return tid_future_.get(); }
  void Release() {
    if (!released_) release_.set_value();
    released_ = true;
  }
  void Join() {
    Release();
    thread_.join();
  }

 private:
  std::promise<pid_t> tid_;
  std::shared_future<pid_t> tid_future_ = tid_.get_future().share();
  std::promise<void> release_;
  bool released_ = false;
  std::thread thread_;
};

// Open() refuses a thread id; OpenThread() takes it and follows that thread:
// its exit, not its process's, makes the pidfd readable.
TEST_F(PidFdTest, OpenThreadFollowsTheThreadNotItsProcess) {
  HeldThread thread;
  const pid_t tid = thread.tid();
  ASSERT_NE(tid, ::getpid());
  absl::StatusOr<PidFd> proc = PidFd::OpenThread(tid);
  if (absl::IsUnimplemented(proc.status())) GTEST_SKIP() << proc.status();
  ASSERT_OK(proc.status());
  EXPECT_EQ(proc->pid(), tid);
  EXPECT_THAT(proc->HasExited(), IsOkAndHolds(false));
  thread.Join();
  EXPECT_THAT(proc->WaitForExit(absl::Seconds(10)), IsOkAndHolds(true));
  // The process lives on.
  ASSERT_OK_AND_ASSIGN(PidFd self, PidFd::Self());
  EXPECT_THAT(self.HasExited(), IsOkAndHolds(false));
}

// The namespaces seen through a thread's pidfd are the thread's own, which it
// no longer shares with its process once it unshared one.
TEST_F(PidFdTest, OpenThreadSeesTheThreadsOwnNamespaces) {
  LINUXNS_SKIP_UNLESS_ROOT();
  struct stat thread_uts {};
  int unshare_errno = 0;
  HeldThread thread([&] {
    if (::unshare(CLONE_NEWUTS) != 0) unshare_errno = errno;
    ::stat("/proc/thread-self/ns/uts", &thread_uts);
  });
  const pid_t tid = thread.tid();
  ASSERT_EQ(unshare_errno, 0) << std::strerror(unshare_errno);
  absl::StatusOr<PidFd> proc = PidFd::OpenThread(tid);
  if (absl::IsUnimplemented(proc.status())) GTEST_SKIP() << proc.status();
  ASSERT_OK(proc.status());
  ASSERT_OK_AND_ASSIGN(NsFd theirs, NsFd::FromPidFd(*proc, NsType::kUts));
  ASSERT_OK_AND_ASSIGN(NsFd ours, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_EQ(theirs.id().inode, thread_uts.st_ino);
  EXPECT_NE(theirs.id(), ours.id());
}

// The pending-signal mask of /proc/self/task/TID/status line `field`
// ("SigPnd": the thread's own, "ShdPnd": its process's), or 0.
std::uint64_t PendingMask(pid_t tid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/self/task/", tid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  }
  return 0;
}

// SendSignal() through a thread's pidfd signals that thread, not its process:
// the signal is pending for the thread alone. SIGUSR1 is blocked on both
// threads, so nothing is delivered, and it dies with the thread.
TEST_F(PidFdTest, OpenThreadSignalsTheThreadAlone) {
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
  {
    HeldThread thread;  // inherits the blocked SIGUSR1
    const pid_t tid = thread.tid();
    absl::StatusOr<PidFd> proc = PidFd::OpenThread(tid);
    if (absl::IsUnimplemented(proc.status())) {
      thread.Join();
      ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
      GTEST_SKIP() << proc.status();
    }
    ASSERT_OK(proc.status());
    ASSERT_OK(proc->SendSignal(SIGUSR1));
    const std::uint64_t bit = std::uint64_t{1} << (SIGUSR1 - 1);
    EXPECT_EQ(PendingMask(tid, "SigPnd") & bit, bit);
    EXPECT_EQ(PendingMask(tid, "ShdPnd") & bit, 0u);
    EXPECT_EQ(PendingMask(::gettid(), "SigPnd") & bit, 0u);
  }
  ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
}

TEST_F(PidFdTest, OpenThreadRefusesWhatIsNoThread) {
  EXPECT_THAT(PidFd::OpenThread(0), StatusIs(absl::StatusCode::kInvalidArgument,
                                             Eq("pidfd_open: invalid thread id 0 (must be > 0)")));
  absl::StatusOr<PidFd> beyond = PidFd::OpenThread(INT32_MAX);
  if (absl::IsUnimplemented(beyond.status())) GTEST_SKIP() << beyond.status();
  EXPECT_THAT(beyond, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(beyond, ErrnoIs(ESRCH));
}

// --- HasExited / WaitForExit ---

TEST_F(PidFdTest, LiveChildHasNotExited) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  EXPECT_THAT(proc.HasExited(), IsOkAndHolds(false));
  EXPECT_THAT(proc.WaitForExit(absl::ZeroDuration()), IsOkAndHolds(false));
}

TEST_F(PidFdTest, ExitedChildHasExitedBeforeBeingReaped) {
  ForkedChild child(ForkedChild::Behavior::kExit, 7);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  EXPECT_THAT(proc.WaitForExit(absl::InfiniteDuration()), IsOkAndHolds(true));
  EXPECT_THAT(proc.HasExited(), IsOkAndHolds(true));
  // Not reaped by any of the above: the child is still a zombie.
  EXPECT_EQ(ProcState(child.pid()), 'Z');
  const int status = child.Reap();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

TEST_F(PidFdTest, ReapedChildStillHasExited) {
  ForkedChild child(ForkedChild::Behavior::kExit);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  child.Reap();
  EXPECT_THAT(proc.HasExited(), IsOkAndHolds(true));
  EXPECT_THAT(proc.WaitForExit(absl::Milliseconds(50)), IsOkAndHolds(true));
}

TEST_F(PidFdTest, WaitForExitTimesOutOnLiveChild) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(proc.WaitForExit(absl::Milliseconds(50)), IsOkAndHolds(false));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(50));
}

TEST_F(PidFdTest, WaitForExitWithNegativeTimeoutDoesNotBlock) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  EXPECT_THAT(proc.WaitForExit(absl::Milliseconds(-10)), IsOkAndHolds(false));
}

// --- SendSignal ---

TEST_F(PidFdTest, SendSignalKillsChild) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  EXPECT_OK(proc.SendSignal(SIGKILL));
  EXPECT_THAT(proc.WaitForExit(absl::InfiniteDuration()), IsOkAndHolds(true));
  const int status = child.Reap();
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(PidFdTest, SendSignalZeroProbesLiveChild) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  EXPECT_OK(proc.SendSignal(0));
  EXPECT_THAT(proc.HasExited(), IsOkAndHolds(false));
}

TEST_F(PidFdTest, SendSignalToZombieSucceeds) {
  ForkedChild child(ForkedChild::Behavior::kExit);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(child.pid()));
  ASSERT_THAT(proc.WaitForExit(absl::InfiniteDuration()), IsOkAndHolds(true));
  EXPECT_OK(proc.SendSignal(SIGTERM));
  const int status = child.Reap();
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(PidFdTest, SendSignalToReapedChildIsNotFoundWithEsrch) {
  ForkedChild child(ForkedChild::Behavior::kExit);
  ASSERT_GT(child.pid(), 0);
  const pid_t pid = child.pid();
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(pid));
  child.Reap();
  absl::Status status = proc.SendSignal(SIGTERM);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound,
                               Eq(absl::StrCat("pidfd_send_signal ", SIGTERM, " to pid ", pid,
                                               ": No such process"))));
  EXPECT_THAT(status, ErrnoIs(ESRCH));
}

// --- Empty handles, Adopt, moves ---

TEST_F(PidFdTest, EmptyPidFdIsInvalid) {
  PidFd empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_EQ(empty.get(), -1);
  EXPECT_EQ(empty.pid(), 0);
}

TEST_F(PidFdTest, EmptyPidFdFailsWithFailedPrecondition) {
  PidFd empty;
  EXPECT_THAT(empty.SendSignal(0),
              StatusIs(absl::StatusCode::kFailedPrecondition, Eq("PidFd is empty")));
  EXPECT_THAT(empty.HasExited(),
              StatusIs(absl::StatusCode::kFailedPrecondition, Eq("PidFd is empty")));
  EXPECT_THAT(empty.WaitForExit(absl::InfiniteDuration()),
              StatusIs(absl::StatusCode::kFailedPrecondition, Eq("PidFd is empty")));
}

TEST_F(PidFdTest, AdoptKeepsFdAndPidWithoutChecking) {
  // Adopt() vouches for nothing: /dev/null and a made-up pid are kept as given.
  const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    PidFd adopted = PidFd::Adopt(UniqueFd(raw), 123456);
    EXPECT_TRUE(adopted.valid());
    EXPECT_EQ(adopted.get(), raw);
    EXPECT_EQ(adopted.pid(), 123456);
  }
  // The PidFd owned the descriptor and closed it.
  EXPECT_EQ(FcntlErrno(raw), EBADF);
}

TEST_F(PidFdTest, AdoptOfPidfdWorksLikeOpen) {
  ForkedChild child(ForkedChild::Behavior::kPause);
  ASSERT_GT(child.pid(), 0);
  ASSERT_OK_AND_ASSIGN(PidFd opened, PidFd::Open(child.pid()));
  const int raw = ::fcntl(opened.get(), F_DUPFD_CLOEXEC, 0);
  ASSERT_GE(raw, 0);
  PidFd adopted = PidFd::Adopt(UniqueFd(raw), child.pid());
  EXPECT_OK(adopted.SendSignal(SIGKILL));
  EXPECT_THAT(opened.WaitForExit(absl::InfiniteDuration()), IsOkAndHolds(true));
  const int status = child.Reap();
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(PidFdTest, MoveLeavesSourceEmpty) {
  ASSERT_OK_AND_ASSIGN(PidFd source, PidFd::Self());
  const int raw = source.get();
  PidFd target(std::move(source));
  EXPECT_FALSE(source.valid());    // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(source.get(), -1);     // NOLINT(bugprone-use-after-move)
  EXPECT_THAT(source.HasExited(),  // NOLINT(bugprone-use-after-move)
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(target.valid());
  EXPECT_EQ(target.get(), raw);
  EXPECT_EQ(target.pid(), ::getpid());
}

TEST_F(PidFdTest, MoveAssignmentLeavesSourceEmptyAndClosesOldTarget) {
  ASSERT_OK_AND_ASSIGN(PidFd source, PidFd::Self());
  ASSERT_OK_AND_ASSIGN(PidFd target, PidFd::Self());
  const int source_raw = source.get();
  const int old_target_raw = target.get();
  target = std::move(source);
  EXPECT_FALSE(source.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(target.get(), source_raw);
  EXPECT_EQ(target.pid(), ::getpid());
  EXPECT_EQ(FcntlErrno(old_target_raw), EBADF);
}

}  // namespace

// fork() and the library's own thread (RELIABILITY.md rules 7 and 13): a
// host that forks while its other threads spawn gets a fork child that can
// spawn too (no lock is inherited held); the spawner thread never stays in the
// namespaces or working directory of the host thread that started it; an
// exception on it is a Status; and objects a fork child inherits stay the
// parent's.
//
// A fork child that would hang is bounded: it runs under alarm() and its
// parent polls its pidfd with a deadline, so a deadlock fails the test instead
// of hanging it.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/spawner_thread.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/ns_fd.h"
#include "reliability/reliability_util.h"
#include "support/seccomp.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using testing::Describe;
using ::testing::IsEmpty;
using testing::IsOkAndHolds;
using ::testing::MatchesRegex;
using testing::Outcome;
using testing::WithNewNamespaces;

class ForkSafetyTest : public testing::LeakCheckedTest {};

// How long a fork child may take to spawn one child before it counts as hung.
constexpr int kForkChildSeconds = 20;

SpawnOptions KillOnParentDeathTrue() {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.kill_on_parent_death = true;
  return o;
}

// In a fork child: spawns a kill_on_parent_death child and waits for it.
// Returns the fork child's exit code (0 when the child exited 0).
int SpawnInForkChild() {
  ::alarm(kForkChildSeconds);
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(KillOnParentDeathTrue());
  if (!child.ok()) return 2;
  absl::StatusOr<ExitStatus> status = child->Wait();
  if (!status.ok()) return 3;
  return status->success() ? 0 : 4;
}

// Waits for the fork child `pid` for at most `seconds`; kills it when it is
// still running then. Returns how it ended, in words.
std::string AwaitForkChild(pid_t pid, int seconds) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  bool hung = false;
  if (pidfd >= 0) {
    pollfd p{.fd = pidfd, .events = POLLIN, .revents = 0};
    int n;
    while ((n = ::poll(&p, 1, seconds * 1000)) < 0 && errno == EINTR) {
    }
    if (n == 0) {
      hung = true;
      ::kill(pid, SIGKILL);
    }
    ::close(pidfd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (hung) return absl::StrCat("hung (killed after ", seconds, " s)");
  if (WIFEXITED(status)) return absl::StrCat("exited with code ", WEXITSTATUS(status));
  return absl::StrCat("killed by signal ", WTERMSIG(status));
}

// Lets the trapped system call `id` run as if no filter were there.
void Continue(int listener, std::uint64_t id) {
  seccomp_notif_resp resp{};
  resp.id = id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  ::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

// The threads of this process other than the main thread, and the main one.
std::vector<std::string> TaskDirs() {
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    dirs.push_back(e.path().string());
  }
  return dirs;
}

// How many threads of this process are in the namespace `id`.
int ThreadsIn(const NsId& id) {
  int n = 0;
  for (const std::string& dir : TaskDirs()) {
    struct stat st;
    const std::string link = absl::StrCat(dir, "/ns/", NsTypeName(id.type));
    if (::stat(link.c_str(), &st) == 0 && st.st_dev == id.dev && st.st_ino == id.inode) ++n;
  }
  return n;
}

// How many threads of this process have `path` as their working directory
// (`link` "cwd") or root directory (`link` "root").
int ThreadsWith(const char* link, const std::string& path) {
  struct stat want;
  if (::stat(path.c_str(), &want) != 0) return -1;
  int n = 0;
  for (const std::string& dir : TaskDirs()) {
    struct stat st;
    if (::stat(absl::StrCat(dir, "/", link).c_str(), &st) == 0 && st.st_dev == want.st_dev &&
        st.st_ino == want.st_ino) {
      ++n;
    }
  }
  return n;
}

bool IsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string id, parent, dev, root, mount_point, rest;
  while (in >> id >> parent >> dev >> root >> mount_point && std::getline(in, rest)) {
    if (mount_point == path) return true;
  }
  return false;
}

// The main thread forks again and again while four threads spawn
// kill_on_parent_death children (through the library's spawner thread); each
// fork child spawns one of its own and must not hang on a lock it inherited.
TEST_F(ForkSafetyTest, ForkChildrenSpawnWhileOtherThreadsSpawn) {
  constexpr int kSpawners = 4;
  constexpr int kForks = 50;
  std::atomic<bool> stop{false};
  std::atomic<int> spawned{0};
  std::mutex mu;
  std::vector<std::string> errors;  // guarded by mu
  std::vector<std::thread> spawners;
  spawners.reserve(kSpawners);
  for (int t = 0; t < kSpawners; ++t) {
    spawners.emplace_back([&] {
      while (!stop.load()) {
        absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(KillOnParentDeathTrue());
        absl::StatusOr<ExitStatus> status =
            child.ok() ? child->Wait() : absl::StatusOr<ExitStatus>(child.status());
        if (!status.ok() || !status->success()) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(status.ok() ? status->ToString() : Describe(status.status()));
          return;
        }
        spawned.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 5000 && spawned.load() < kSpawners; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::vector<std::string> fork_failures;
  for (int i = 0; i < kForks; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(SpawnInForkChild());
    if (pid < 0) {
      fork_failures.push_back(absl::StrCat("fork ", i, ": ", std::strerror(errno)));
      break;
    }
    std::string outcome = AwaitForkChild(pid, kForkChildSeconds + 5);
    if (outcome != "exited with code 0") {
      fork_failures.push_back(absl::StrCat("fork ", i, ": ", outcome));
    }
  }
  stop.store(true);
  for (std::thread& t : spawners) t.join();
  EXPECT_THAT(fork_failures, IsEmpty());
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_GE(spawned.load(), kSpawners);
}

// The same, made certain: a thread is stopped inside RunOnSpawnerThread() (a
// seccomp filter holds it in getpid(), which the lookup of the instance
// calls) while the main thread forks. The fork child must spawn at once.
TEST_F(ForkSafetyTest, ForkWhileAThreadIsInsideTheSpawnerCall) {
  testing::ForkedReport r = testing::RunForkedAndReport([]() -> std::string {
    ::alarm(4 * kForkChildSeconds);
    std::string out;
    // The spawner thread exists before the trapped thread comes (a thread
    // started by it would inherit its filter).
    absl::Status warm = internal::RunOnSpawnerThread([] {});
    absl::StrAppend(&out, "warm-up: ", Describe(warm), "\n");
    std::atomic<int> listener{-2};
    std::atomic<bool> done{false};
    absl::Status trapped_call;
    std::thread trapped([&] {
      const int fd = testing::NotifyOnSyscalls({SYS_getpid});
      listener.store(fd >= 0 ? fd : -1);
      if (fd >= 0) trapped_call = internal::RunOnSpawnerThread([] {});
      done.store(true);
    });
    while (listener.load() == -2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (listener.load() < 0) {
      trapped.join();
      return absl::StrCat(out, "seccomp listener: ", std::strerror(errno), "\n");
    }
    seccomp_notif req{};
    const bool stopped = ::ioctl(listener.load(), SECCOMP_IOCTL_NOTIF_RECV, &req) == 0;
    absl::StrAppend(&out, "thread stopped in getpid: ", stopped, "\n");
    if (stopped) {
      const pid_t pid = ::fork();
      if (pid == 0) ::_exit(SpawnInForkChild());
      absl::StrAppend(&out, "fork child: ", AwaitForkChild(pid, kForkChildSeconds + 5), "\n");
      Continue(listener.load(), req.id);
    }
    // Let any later getpid() of that thread through too.
    while (!done.load()) {
      pollfd p{.fd = listener.load(), .events = POLLIN, .revents = 0};
      if (::poll(&p, 1, 10) == 1 && (p.revents & POLLIN) != 0) {
        seccomp_notif next{};
        if (::ioctl(listener.load(), SECCOMP_IOCTL_NOTIF_RECV, &next) == 0) {
          Continue(listener.load(), next.id);
        }
      }
    }
    trapped.join();
    ::close(listener.load());
    absl::StrAppend(&out, "trapped call: ", Describe(trapped_call), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "warm-up: OK\nthread stopped in getpid: 1\nfork child: exited with code 0\n"
            "trapped call: OK\n");
}

// A host thread inside another network and mount namespace, with a working
// directory of its own, is the first to need the spawner thread (so it starts
// it). Once that host thread is gone and the Namespace destroyed, no thread of
// the process is in those namespaces or that directory: the spawner thread
// went back to the main thread's.
TEST_F(ForkSafetyTest, SpawnerThreadDoesNotStayInTheNamespacesOfTheThreadThatStartedIt) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string dir = scratch();
  testing::ForkedReport r = testing::RunForkedAndReport([&]() -> std::string {
    ::alarm(4 * kForkChildSeconds);
    // A fork child starts a spawner thread of its own on first use.
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kNet, NsType::kMnt});
    if (!ns.ok()) return absl::StrCat("create: ", Describe(ns.status()));
    const NsId net = ns->Find(NsType::kNet)->id();
    const NsId mnt = ns->Find(NsType::kMnt)->id();
    absl::StatusOr<std::string> ran = RunInNamespacesOnThread(
        {ns->Find(NsType::kNet), ns->Find(NsType::kMnt)}, [&]() -> std::string {
          if (::chdir(dir.c_str()) != 0) return absl::StrCat("chdir: ", std::strerror(errno));
          return Outcome(KillOnParentDeathTrue());
        });
    std::string out = absl::StrCat(
        "spawn from the thread inside: ", ran.ok() ? *ran : Describe(ran.status()), "\n");
    absl::StrAppend(&out, "threads in the net namespace while held: ", ThreadsIn(net), "\n");
    ns = absl::CancelledError("destroyed");
    absl::StrAppend(&out, "threads in its net namespace: ", ThreadsIn(net), "\n");
    absl::StrAppend(&out, "threads in its mnt namespace: ", ThreadsIn(mnt), "\n");
    absl::StrAppend(&out, "threads with its working directory: ", ThreadsWith("cwd", dir), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "spawn from the thread inside: => exited with code 0\n"
            "threads in the net namespace while held: 0\n"
            "threads in its net namespace: 0\n"
            "threads in its mnt namespace: 0\n"
            "threads with its working directory: 0\n");
}

// After each job the spawner thread re-reads the main thread's namespaces:
// when the main thread moves to another network namespace, so does the
// spawner thread, and when it comes back, the spawner thread follows.
TEST_F(ForkSafetyTest, SpawnerThreadFollowsTheMainThread) {
  LINUXNS_SKIP_UNLESS_ROOT();
  testing::ForkedReport r = testing::RunForkedAndReport([]() -> std::string {
    ::alarm(4 * kForkChildSeconds);
    std::string out;
    absl::StatusOr<NsFd> home = NsFd::OpenCurrent(NsType::kNet);
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kNet});
    if (!home.ok() || !ns.ok()) return "setup failed";
    const NsId away = ns->Find(NsType::kNet)->id();
    // One call per line: the order in which arguments are evaluated is not
    // specified.
    absl::StrAppend(&out, "first spawn: ", Outcome(KillOnParentDeathTrue()), "\n");
    absl::StrAppend(&out, "main thread leaves: ", Describe(ns->Find(NsType::kNet)->Enter()), "\n");
    absl::StrAppend(&out, "spawn: ", Outcome(KillOnParentDeathTrue()), "\n");
    absl::StrAppend(&out, "threads in the main thread's new namespace: ", ThreadsIn(away), "\n");
    absl::StrAppend(&out, "main thread comes back: ", Describe(home->Enter()), "\n");
    absl::StrAppend(&out, "spawn: ", Outcome(KillOnParentDeathTrue()), "\n");
    absl::StrAppend(&out, "threads in the namespace it left: ", ThreadsIn(away), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "first spawn: => exited with code 0\n"
            "main thread leaves: OK\n"
            "spawn: => exited with code 0\n"
            "threads in the main thread's new namespace: 2\n"
            "main thread comes back: OK\n"
            "spawn: => exited with code 0\n"
            "threads in the namespace it left: 0\n");
}

// A job that leaves the spawner thread in another network namespace, root
// and working directory (as a job that enters the caller's and cannot restore
// them would): the thread goes home before the call returns.
TEST_F(ForkSafetyTest, SpawnerThreadGoesHomeAfterAJobThatLeftItElsewhere) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string dir = scratch();
  testing::ForkedReport r = testing::RunForkedAndReport([&]() -> std::string {
    ::alarm(4 * kForkChildSeconds);
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kNet});
    if (!ns.ok()) return absl::StrCat("create: ", Describe(ns.status()));
    const NsId net = ns->Find(NsType::kNet)->id();
    std::string moved = "not run";
    const absl::Status job = internal::RunOnSpawnerThread([&] {
      if (::unshare(CLONE_FS) != 0 || ::chdir(dir.c_str()) != 0 || ::chroot(".") != 0 ||
          ::setns(ns->Find(NsType::kNet)->get(), CLONE_NEWNET) != 0) {
        moved = std::strerror(errno);
        return;
      }
      moved = "moved";
    });
    std::string out = absl::StrCat("job: ", Describe(job), " ", moved, "\n");
    absl::StrAppend(&out, "threads in its net namespace: ", ThreadsIn(net), "\n");
    absl::StrAppend(&out, "threads with its root: ", ThreadsWith("root", dir), "\n");
    absl::StrAppend(&out, "threads with its working directory: ", ThreadsWith("cwd", dir), "\n");
    absl::StrAppend(&out, "spawn: ", Outcome(KillOnParentDeathTrue()), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "job: OK moved\n"
            "threads in its net namespace: 0\n"
            "threads with its root: 0\n"
            "threads with its working directory: 0\n"
            "spawn: => exited with code 0\n");
}

// An exception escaping a job on the spawner thread is a Status for the
// caller, not std::terminate, and the thread goes on serving.
TEST_F(ForkSafetyTest, ExceptionOnTheSpawnerThreadIsAStatus) {
  testing::ForkedReport r = testing::RunForkedAndReport([]() -> std::string {
    ::alarm(4 * kForkChildSeconds);
    std::string out;
    absl::StrAppend(&out, "bad_alloc: ",
                    Describe(internal::RunOnSpawnerThread([] { throw std::bad_alloc(); })), "\n");
    absl::StrAppend(
        &out, "runtime_error: ",
        Describe(internal::RunOnSpawnerThread([] { throw std::runtime_error("no luck"); })), "\n");
    absl::StrAppend(&out, "int: ", Describe(internal::RunOnSpawnerThread([] { throw 7; })), "\n");
    bool ran = false;
    const absl::Status next = internal::RunOnSpawnerThread([&] { ran = true; });
    absl::StrAppend(&out, "next job: ", Describe(next), " ran=", ran, "\n");
    absl::StrAppend(&out, "spawn: ", Outcome(KillOnParentDeathTrue()), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            "bad_alloc: RESOURCE_EXHAUSTED errno=none: spawner thread: job: out of memory "
            "(std::bad_alloc)\n"
            "runtime_error: INTERNAL errno=none: spawner thread: job: exception: no luck\n"
            "int: INTERNAL errno=none: spawner thread: job: an exception that is no "
            "std::exception\n"
            "next job: OK ran=1\n"
            "spawn: => exited with code 0\n");
}

// A fork child's copy of a Namespace is the parent's: destroying it in the
// fork child neither kills the holder (the parent's pid namespace lives on)
// nor removes the parent's pin.
TEST_F(ForkSafetyTest, NamespaceDestroyedInAForkChildStaysTheParents) {
  const bool root = testing::IsRoot();
  NsTypeSet types = {NsType::kPid, NsType::kNet};
  if (!root) types = types | NsTypeSet{NsType::kUser};
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create(types));
  const std::string pin = scratch() + "/net";
  if (root) {
    ASSERT_OK(ns.Pin(NsType::kNet, pin));
  }

  const pid_t pid = ::fork();
  if (pid == 0) {
    ::alarm(kForkChildSeconds);
    { Namespace copy = std::move(ns); }
    ::_exit(0);
  }
  ASSERT_GT(pid, 0) << std::strerror(errno);
  EXPECT_EQ(AwaitForkChild(pid, kForkChildSeconds + 5), "exited with code 0");

  EXPECT_THAT(ns.init()->HasExited(), IsOkAndHolds(false));
  if (root) {
    EXPECT_TRUE(IsMountPoint(pin)) << pin;
  }
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "echo $$"};
  o.join = {ns.Find(NsType::kPid)};
  if (!root) o.join.insert(o.join.begin(), ns.Find(NsType::kUser));
  EXPECT_THAT(Outcome(o), MatchesRegex("[0-9]+\n=> exited with code 0"));
}

}  // namespace
}  // namespace linuxns

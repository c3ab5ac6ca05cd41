// Hostile hosts: a program whose other threads allocate without pause, reap
// every child with waitpid(-1), ignore SIGCHLD and open descriptors without
// O_CLOEXEC, while several threads spawn into new namespaces. No hang, no
// crash, every exit status right (RELIABILITY rules 2, 3 and 4).
//
// The number of spawns comes from LINUXNS_STRESS_SPAWNS (default 10,000 in a
// release build, 1,500 in a debug one); docs/reliability.md has the figures.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "reliability/reliability_util.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using testing::Outcome;
using testing::Shell;
using testing::WithNewNamespaces;

#ifdef NDEBUG
constexpr long kDefaultSpawns = 10000;
#else
constexpr long kDefaultSpawns = 1500;
#endif

// A descriptor number the fd racer keeps opening without O_CLOEXEC.
constexpr int kRacedFd = 900;

class HostileHostTest : public testing::LeakCheckedTest {};

// SIGCHLD set to SIG_IGN for the lifetime of the object.
class IgnoreSigchld {
 public:
  IgnoreSigchld() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGCHLD, &ign, &old_);
  }
  ~IgnoreSigchld() { ::sigaction(SIGCHLD, &old_, nullptr); }

 private:
  struct sigaction old_ {};
};

// A host thread that reaps any child it can, as programs with their own
// waitpid(-1) loop do. Counts what it took.
class Reaper {
 public:
  Reaper()
      : thread_([this] {
          while (!stop_.load()) {
            int status = 0;
            pid_t pid = ::waitpid(-1, &status, WNOHANG);
            if (pid > 0) {
              reaped_.fetch_add(1);
            } else {
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
          }
        }) {}
  ~Reaper() {
    stop_.store(true);
    thread_.join();
  }
  int reaped() const { return reaped_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> reaped_{0};
  std::thread thread_;
};

// Threads that allocate and free without pause, so that malloc's locks are
// held at random moments (a child that called malloc would hang now and then).
class Allocators {
 public:
  explicit Allocators(int n) {
    for (int i = 0; i < n; ++i) {
      threads_.emplace_back([this] {
        while (!stop_.load(std::memory_order_relaxed)) {
          std::vector<std::string> junk(64, std::string(100, 'x'));
          junk.resize(8);
        }
      });
    }
  }
  ~Allocators() {
    stop_.store(true);
    for (std::thread& t : threads_) t.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// A host thread that keeps opening descriptors without O_CLOEXEC (one of them
// always at kRacedFd) and closing them again.
class FdRacer {
 public:
  FdRacer()
      : thread_([this] {
          while (!stop_.load(std::memory_order_relaxed)) {
            int p[2];
            if (::pipe(p) != 0) continue;
            ::dup2(p[0], kRacedFd);
            ::close(p[0]);
            ::close(p[1]);
            ::close(kRacedFd);
          }
        }) {}
  ~FdRacer() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

NsTypeSet StressNamespaces() { return {NsType::kUts, NsType::kIpc, NsType::kPid, NsType::kCgroup}; }

struct Tally {
  std::mutex mu;
  int spawns = 0;
  int wrong = 0;
  std::vector<std::string> examples;  // the first few wrong outcomes

  void Record(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    ++spawns;
    if (what.empty()) return;
    ++wrong;
    if (examples.size() < 5) examples.push_back(what);
  }
};

// One spawn of the stress mix, numbered `i`; "" when it went right.
std::string OneStressSpawn(long i) {
  SpawnOptions o;
  int expected = 0;
  if (i % 100 == 0) {
    // The spawning thread exits while the child runs (rule 7's other half).
    o = WithNewNamespaces(Shell("sleep 0.02; exit 7"), StressNamespaces());
    expected = 7;
    std::optional<ChildProcess> child;
    absl::Status spawned;
    std::thread([&] {
      absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(o);
      if (c.ok()) {
        child.emplace(std::move(*c));
      } else {
        spawned = c.status();
      }
    }).join();
    if (!child) return absl::StrCat("spawn from a short-lived thread: ", spawned.ToString());
    absl::StatusOr<std::optional<ExitStatus>> st = child->WaitFor(absl::Seconds(60));
    if (!st.ok()) return st.status().ToString();
    if (!st->has_value()) return "hung (60 s)";
    return **st == ExitStatus::Exited(expected) ? "" : (*st)->ToString();
  }
  if (i % 50 == 0) {
    // Nothing inherited: 0, 1, 2 and ls's own directory, never kRacedFd.
    o = WithNewNamespaces(
        Shell(absl::StrCat("[ -e /proc/self/fd/", kRacedFd,
                           " ] && exit 3; [ \"$(ls /proc/self/fd | wc -l)\" = 4 ] || exit 4")),
        StressNamespaces());
  } else {
    o.argv = {i % 2 == 0 ? "/bin/true" : "/bin/false"};
    expected = i % 2 == 0 ? 0 : 1;
    o = WithNewNamespaces(std::move(o), StressNamespaces());
  }
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  if (!child.ok()) return child.status().ToString();
  absl::StatusOr<std::optional<ExitStatus>> st = child->WaitFor(absl::Seconds(60));
  if (!st.ok()) return st.status().ToString();
  if (!st->has_value()) return "hung (60 s)";
  return **st == ExitStatus::Exited(expected) ? "" : (*st)->ToString();
}

// 16 allocating threads, a waitpid(-1) reaper, SIGCHLD ignored and a thread
// opening non-CLOEXEC descriptors, while 2 threads spawn into new uts, ipc,
// pid and cgroup namespaces (plus a user namespace when not root).
TEST_F(HostileHostTest, SpawnsIntoNewNamespacesUnderLoadWithEveryStatusRight) {
  const long spawns = testing::EnvOr("LINUXNS_STRESS_SPAWNS", kDefaultSpawns);
  constexpr int kSpawners = 2;
  Tally tally;
  const auto start = std::chrono::steady_clock::now();
  int reaped_by_host = 0;
  {
    Allocators allocators(16);
    Reaper reaper;
    FdRacer racer;
    std::atomic<long> next{0};
    // First half with SIGCHLD ignored (the kernel reaps), second half with
    // the default disposition (the waitpid(-1) reaper takes what it can).
    for (long phase_end : {spawns / 2, spawns}) {
      std::optional<IgnoreSigchld> ignore;
      if (phase_end < spawns) ignore.emplace();
      std::vector<std::thread> spawners;
      for (int t = 0; t < kSpawners; ++t) {
        spawners.emplace_back([&] {
          for (long i; (i = next.fetch_add(1)) < phase_end;) tally.Record(OneStressSpawn(i));
        });
      }
      for (std::thread& t : spawners) t.join();
      next.store(phase_end);
    }
    reaped_by_host = reaper.reaped();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "stress: %d spawns by %d threads beside 16 allocating threads, a "
      "waitpid(-1) reaper (which took %d of them), SIGCHLD ignored for the "
      "first half and an fd racer: %d wrong, %.1f s (%.0f spawns/s)\n",
      tally.spawns, kSpawners, reaped_by_host, tally.wrong, seconds, tally.spawns / seconds);
  RecordProperty("spawns", tally.spawns);
  RecordProperty("wrong", tally.wrong);
  RecordProperty("milliseconds", static_cast<int>(seconds * 1000));
  EXPECT_EQ(tally.spawns, spawns);
  EXPECT_EQ(tally.wrong, 0) << ::testing::PrintToString(tally.examples);
}

// The statuses a host that ignores SIGCHLD or reaps with waitpid(-1) must
// still get: exit codes, signals, and a child that ended before Wait().
std::string StatusesUnderHostileReaping() {
  std::string out;
  absl::StrAppend(&out, Outcome(Shell("exit 3")), "; ");
  absl::StrAppend(&out, Outcome(Shell("kill -TERM $$")), "; ");
  absl::StatusOr<ChildProcess> early = ChildProcess::Spawn(Shell("exit 5"));
  if (!early.ok()) return early.status().ToString();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it is gone by now
  absl::StatusOr<ExitStatus> st = early->Wait();
  absl::StrAppend(&out, st.ok() ? st->ToString() : st.status().ToString());
  return out;
}

// Row "host program with SIGCHLD ignored or its own waitpid(-1) reaper".
TEST_F(HostileHostTest, HostWithSigchldIgnoredOrItsOwnWaitpidReaperGetsTheRightStatus) {
  const std::string expected =
      "=> exited with code 3; => killed by signal 15 (Terminated); exited with "
      "code 5";
  {
    IgnoreSigchld ignore;
    EXPECT_EQ(StatusesUnderHostileReaping(), expected) << "SIGCHLD ignored";
  }
  {
    Reaper reaper;
    EXPECT_EQ(StatusesUnderHostileReaping(), expected) << "waitpid(-1) reaper";
  }
  {
    IgnoreSigchld ignore;
    Reaper reaper;
    EXPECT_EQ(StatusesUnderHostileReaping(), expected) << "both";
  }
}

// Row "a non-CLOEXEC fd open in the host": not visible in the child unless
// inherit_fds; also when another thread opens it during the spawn.
TEST_F(HostileHostTest, NonCloexecFdOpenInTheHostIsNotVisibleInTheChild) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);  // without O_CLOEXEC, on purpose
  ASSERT_EQ(::dup2(p[0], 901), 901);
  const std::string list = "ls /proc/self/fd | tr '\\n' ' '";
  EXPECT_EQ(Outcome(Shell(list)), "0 1 2 3 => exited with code 0");
  SpawnOptions inherit = Shell(absl::StrCat(
      "for fd in ", p[0], " ", p[1], " 901; do [ -e /proc/self/fd/$fd ] && echo $fd; done; true"));
  inherit.inherit_fds = true;
  EXPECT_EQ(Outcome(inherit), absl::StrCat(p[0], "\n", p[1], "\n901\n=> exited with code 0"));
  {
    FdRacer racer;
    for (int i = 0; i < 50; ++i) {
      ASSERT_EQ(Outcome(Shell(list)), "0 1 2 3 => exited with code 0") << "spawn " << i;
    }
  }
  ::close(p[0]);
  ::close(p[1]);
  ::close(901);
}

// Row "the thread that spawned exits while the child runs": the child lives
// on, with or without kill_on_parent_death (which is about the process).
TEST_F(HostileHostTest, ThreadThatSpawnedExitsWhileTheChildRunsTheChildLivesOn) {
  for (bool kill_on_parent_death : {false, true}) {
    std::optional<ChildProcess> child;
    std::thread([&] {
      SpawnOptions o = Shell("sleep 0.3; exit 7");
      o.kill_on_parent_death = kill_on_parent_death;
      absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(o);
      ASSERT_OK(c);
      child.emplace(std::move(*c));
    }).join();
    ASSERT_TRUE(child.has_value());
    EXPECT_THAT(child->Wait(), testing::IsOkAndHolds(ExitStatus::Exited(7)))
        << "kill_on_parent_death " << kill_on_parent_death;
  }
}

}  // namespace
}  // namespace linuxns

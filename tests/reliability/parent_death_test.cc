// Parent death (RELIABILITY rule 7): a process that spawns with
// kill_on_parent_death is SIGKILLed at random moments, from before Spawn()
// starts to after it returned, LINUXNS_PARENT_DEATH_RUNS times (default
// 500). Whatever it had started must be gone every time.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "reliability/reliability_util.h"
#include "support/spawn_util.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

class ParentDeathTest : public testing::LeakCheckedTest {};

struct Rounds {
  int runs = 0;
  int killed_before_spawn_returned = 0;  // the parent had not said "spawned"
  int killed_after_spawn_returned = 0;
  int children_seen = 0;  // orphans that came to the subreaper
  int survivors = 0;      // still alive a second after the kill
  std::string first_survivor;
};

// Reaps whatever comes to this (subreaper) process until nothing is left or a
// second has passed; returns the number reaped.
int ReapOrphans() {
  int reaped = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t pid = ::waitpid(-1, nullptr, WNOHANG | __WALL);
    if (pid > 0) {
      ++reaped;
      continue;
    }
    if (pid < 0 && errno == ECHILD) break;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return reaped;
}

// Runs in a forked child that is a subreaper, so every orphan of the killed
// parents comes to it and none can hide.
Rounds KillParentsAtRandomMoments(int runs, unsigned seed) {
  Rounds r;
  std::mt19937 random(seed);
  // Delays from 0 to max_delay_us. A fork plus a spawn with
  // kill_on_parent_death takes 1-2 ms on an idle machine and much longer on
  // a loaded one, so the bound follows what it sees: every 25 rounds it
  // doubles when fewer than a quarter of the kills came after Spawn()
  // returned, and halves when fewer than a quarter came before.
  int max_delay_us = 4000;
  int window_before = 0, window_after = 0;
  for (int round = 0; round < runs; ++round) {
    if (round > 0 && round % 25 == 0) {
      if (window_after * 4 < 25 && max_delay_us < 500000) max_delay_us *= 2;
      if (window_before * 4 < 25 && max_delay_us > 500) max_delay_us /= 2;
      window_before = window_after = 0;
    }
    std::uniform_int_distribution<int> delay_us(0, max_delay_us);
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) break;
    pid_t parent = ::fork();
    if (parent == 0) {
      SpawnOptions o = testing::Sleeper();
      o.kill_on_parent_death = true;
      absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(o);
      if (c.ok()) {
        c->Detach();
        if (::write(p[1], "s", 1) != 1) ::_exit(2);
      }
      ::pause();
      ::_exit(0);
    }
    ::close(p[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(parent, SIGKILL);
    ::waitpid(parent, nullptr, 0);
    char c = 0;
    if (::read(p[0], &c, 1) == 1) {
      ++r.killed_after_spawn_returned;
      ++window_after;
    } else {
      ++r.killed_before_spawn_returned;
      ++window_before;
    }
    ::close(p[0]);
    r.children_seen += ReapOrphans();
    std::set<pid_t> alive = testing::TakeSnapshot("").children;
    r.survivors += static_cast<int>(alive.size());
    for (pid_t pid : alive) {
      if (r.first_survivor.empty()) {
        r.first_survivor = absl::StrCat("pid ", pid, " in round ", round);
      }
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, __WALL);
    }
    ++r.runs;
  }
  return r;
}

// Row "parent killed at any moment, with kill-on-parent-death asked".
TEST_F(ParentDeathTest, ParentKilledAtAnyMomentWithKillOnParentDeathTakesTheChildAlong) {
  const int runs = static_cast<int>(testing::EnvOr("LINUXNS_PARENT_DEATH_RUNS", 500));
  const unsigned seed = static_cast<unsigned>(
      testing::EnvOr("LINUXNS_PARENT_DEATH_SEED", static_cast<long>(::getpid())));
  const auto start = std::chrono::steady_clock::now();
  testing::ForkedReport report = testing::RunForkedAndReport([&] {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return std::string("no subreaper");
    Rounds r = KillParentsAtRandomMoments(runs, seed);
    return absl::StrCat(r.runs, " ", r.killed_before_spawn_returned, " ",
                        r.killed_after_spawn_returned, " ", r.children_seen, " ", r.survivors, " ",
                        r.first_survivor);
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(report.code, 0) << report.text;
  Rounds r;
  ASSERT_GE(
      std::sscanf(report.text.c_str(), "%d %d %d %d %d", &r.runs, &r.killed_before_spawn_returned,
                  &r.killed_after_spawn_returned, &r.children_seen, &r.survivors),
      5)
      << report.text;
  std::printf(
      "parent death: %d runs (seed %u) in %.1f s: %d killed before Spawn() "
      "returned, "
      "%d after; %d orphans came to the subreaper, %d survived\n",
      r.runs, seed, seconds, r.killed_before_spawn_returned, r.killed_after_spawn_returned,
      r.children_seen, r.survivors);
  RecordProperty("runs", r.runs);
  RecordProperty("survivors", r.survivors);
  EXPECT_EQ(r.runs, runs);
  EXPECT_EQ(r.survivors, 0) << report.text;
  // Both kinds of moment were hit; otherwise the delays no longer fit the
  // time a spawn takes and the test proves less than it claims.
  if (runs >= 100) {
    EXPECT_GT(r.killed_before_spawn_returned, runs / 20) << report.text;
    EXPECT_GT(r.killed_after_spawn_returned, runs / 20) << report.text;
  }
}

}  // namespace
}  // namespace linuxns

// ChildProcess: credentials, capabilities, rlimits, death of the parent.
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/probe.h"
#include "linuxns/subid.h"
#include "support/seccomp.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using ::linuxns::testing::ChildProcessTest;
using ::linuxns::testing::Output;
using ::linuxns::testing::OutputOf;
using ::linuxns::testing::RunCapturingStdout;
using ::linuxns::testing::Shell;
using ::linuxns::testing::Sleeper;

TEST_F(ChildProcessTest, CredentialsRlimitsAndNoNewPrivs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o =
      Shell("id -u; id -g; id -G; ulimit -n; grep NoNewPrivs /proc/self/status | tr -d '\\t'");
  o.uid = 1234;
  o.gid = 2345;
  o.groups = std::vector<gid_t>{2345, 3456};
  o.rlimits = {{RLIMIT_NOFILE, 64, 64}};
  o.no_new_privs = true;
  EXPECT_EQ(OutputOf(o), "1234\n2345\n2345 3456\n64\nNoNewPrivs:1\n");
}

TEST_F(ChildProcessTest, KeepCapabilitiesMakesThemAmbient) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Shell("grep CapAmb /proc/self/status | tr -d '\\t'");
  o.uid = 1234;
  EXPECT_EQ(OutputOf(o), "CapAmb:0000000000000000\n");
  o.keep_capabilities = true;
  EXPECT_THAT(OutputOf(o), ::testing::Not(HasSubstr("CapAmb:0000000000000000")));
}

// Without a uid: in a new user namespace with no map the program runs as
// the overflow uid and loses at exec the capabilities the namespace gave it,
// unless they are made ambient (`unshare -U --keep-caps`). Needs no root.
TEST_F(ChildProcessTest, KeepCapabilitiesWithoutAUidChange) {
  SpawnOptions o = Shell("grep CapAmb /proc/self/status | tr -d '\\t'");
  o.new_namespaces = {NsType::kUser};
  EXPECT_EQ(OutputOf(o), "CapAmb:0000000000000000\n");
  o.keep_capabilities = true;
  EXPECT_THAT(OutputOf(o), ::testing::Not(HasSubstr("CapAmb:0000000000000000")));
}

TEST_F(ChildProcessTest, KillOnParentDeathSurvivesTheSpawningThread) {
  std::optional<ChildProcess> child;
  std::thread([&] {
    SpawnOptions o = Sleeper();
    o.kill_on_parent_death = true;
    absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(o);
    ASSERT_OK(c);
    child.emplace(std::move(*c));
  }).join();
  ASSERT_TRUE(child.has_value());
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> status, child->WaitFor(absl::Milliseconds(100)));
  EXPECT_FALSE(status.has_value()) << "killed when the spawning thread exited: " << *status;
}

// A process that spawns `sleep` with kill_on_parent_death is SIGKILLed at a
// random moment, often in the middle of Spawn(). Whatever it had started must
// die with it. The harness is a subreaper, so orphans come to it and none can
// hide.
TEST_F(ChildProcessTest, KillOnParentDeathAtRandomMomentsLeavesNoSurvivor) {
  constexpr int kRounds = 60;
  int survivors = testing::RunInForkedChild([] {
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return 100;
    std::srand(static_cast<unsigned>(::getpid()));
    int left = 0;
    for (int round = 0; round < kRounds; ++round) {
      pid_t parent = ::fork();
      if (parent == 0) {
        SpawnOptions o = Sleeper();
        o.kill_on_parent_death = true;
        absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(o);
        if (c.ok()) c->Detach();
        ::pause();
        ::_exit(0);
      }
      ::usleep(static_cast<useconds_t>(std::rand() % 3000));
      ::kill(parent, SIGKILL);
      ::waitpid(parent, nullptr, 0);
      // Anything of the parent's comes to us; it must die within a second.
      for (int i = 0; i < 100; ++i) {
        pid_t orphan = ::waitpid(-1, nullptr, WNOHANG | __WALL);
        if (orphan == 0) {
          ::usleep(10000);
          continue;
        }
        if (orphan < 0) break;  // ECHILD: nothing left
      }
      std::set<pid_t> alive = testing::TakeSnapshot("").children;
      left += static_cast<int>(alive.size());
      for (pid_t pid : alive) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, __WALL);
      }
    }
    return left;
  });
  EXPECT_EQ(survivors, 0);
}

TEST_F(ChildProcessTest, DroppedBoundingCapabilitiesAreGone) {
  LINUXNS_SKIP_UNLESS_ROOT();
  constexpr int kCapSysAdmin = 21, kCapNetRaw = 13;
  SpawnOptions o = Shell("grep CapBnd /proc/self/status | cut -f2");
  const unsigned long before = std::stoul(OutputOf(o), nullptr, 16);
  o.drop_bounding_capabilities = {kCapSysAdmin, kCapNetRaw};
  const unsigned long after = std::stoul(OutputOf(o), nullptr, 16);
  EXPECT_NE(before & (1ul << kCapSysAdmin), 0u);
  EXPECT_EQ(after, before & ~((1ul << kCapSysAdmin) | (1ul << kCapNetRaw)));
}

}  // namespace
}  // namespace linuxns

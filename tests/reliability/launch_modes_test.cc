// Every launch mode keeps the direct path's promises (RELIABILITY rule 13,
// issue "spawn core as one corridor"): a child cloned by the library's
// spawner thread (kill_on_parent_death, a pid join with pins) starts in the
// calling thread's namespaces, working directory, umask and credentials; a
// child killed before the parent wakes it raises no SIGPIPE in the host; a
// fork's copy of a ChildProcess leaves the parent's child alone; a host's
// __WALL reaper costs no holder stack.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/pin.h"
#include "reliability/reliability_util.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::testing::HasSubstr;
using testing::Shell;

class LaunchModesTest : public testing::LeakCheckedTest {};

SpawnOptions Printing(const std::string& script, bool kill_on_parent_death = true) {
  SpawnOptions o = Shell(script);
  o.kill_on_parent_death = kill_on_parent_death;
  return o;
}

std::string IdOf(NsType type) {
  absl::StatusOr<NsFd> ns = NsFd::OpenCurrent(type);
  return ns.ok() ? ns->id().ToString() : "?";
}

// What `o` prints, as a Status where the spawn fails.
std::string OutputOrError(const SpawnOptions& o) {
  absl::StatusOr<testing::Output> out = testing::RunCapturingStdout(o);
  if (!out.ok()) return out.status().ToString();
  if (!out->status.ok()) return out->status.status().ToString();
  return out->out;
}

TEST_F(LaunchModesTest, KillOnParentDeathChildStartsInTheCallingThreadsNetNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  const NsFd& net = *ns.Find(NsType::kNet);
  const SpawnOptions o = Printing("readlink /proc/self/ns/net");
  // The first spawn of the process that needs the spawner thread starts it.
  absl::StatusOr<std::string> inside =
      RunInNamespacesHere({&net}, [&] { return OutputOrError(o); });
  ASSERT_OK(inside.status());
  EXPECT_EQ(*inside, net.id().ToString() + "\n");
  // The thread that started the spawner left the namespace: so do its children.
  EXPECT_EQ(OutputOrError(o), IdOf(NsType::kNet) + "\n");
  absl::StatusOr<std::string> again = RunInNamespacesHere({&net}, [&] { return OutputOrError(o); });
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, net.id().ToString() + "\n");
}

TEST_F(LaunchModesTest, KillOnParentDeathChildStartsInTheCallingThreadsMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kMnt}));
  const NsFd& mnt = *ns.Find(NsType::kMnt);
  const SpawnOptions o = Printing("readlink /proc/self/ns/mnt");
  absl::StatusOr<std::string> inside =
      RunInNamespacesOnThread({&mnt}, [&] { return OutputOrError(o); });
  ASSERT_OK(inside.status());
  EXPECT_EQ(*inside, mnt.id().ToString() + "\n");
  EXPECT_EQ(OutputOrError(o), IdOf(NsType::kMnt) + "\n");
}

// The explicit join is made even though the calling thread is already
// there: the thread that clones is not.
TEST_F(LaunchModesTest, AnExplicitJoinOfTheCallersOwnNamespaceIsKeptOnTheSpawnerThread) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet, NsType::kUts}));
  const NsFd& net = *ns.Find(NsType::kNet);
  SpawnOptions o = Printing("readlink /proc/self/ns/net /proc/self/ns/uts");
  o.join = {ns.Find(NsType::kNet), ns.Find(NsType::kUts)};
  // The spawner thread starts here, at home.
  EXPECT_EQ(OutputOrError(Printing("true")), "");
  absl::StatusOr<std::string> inside =
      RunInNamespacesHere({&net}, [&] { return OutputOrError(o); });
  ASSERT_OK(inside.status());
  EXPECT_EQ(*inside,
            absl::StrCat(net.id().ToString(), "\n", ns.Find(NsType::kUts)->id().ToString(), "\n"));
}

// A pid join with pins: the spawner thread enters the pid namespace and
// clones, for a child that must be in the calling thread's net namespace.
TEST_F(LaunchModesTest, PidJoinWithPinsStartsInTheCallingThreadsNetNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace target, Namespace::Create({NsType::kPid}));
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  const NsFd& net = *ns.Find(NsType::kNet);
  const std::string pin = absl::StrCat(::testing::TempDir(), "/launch-modes-pin-", ::getpid());
  SpawnOptions o = Printing("readlink /proc/self/ns/net /proc/self/ns/pid", false);
  o.join = {target.Find(NsType::kPid)};
  o.new_namespaces = {NsType::kUts};
  o.pins = {NsPin{NsType::kUts, pin}};
  // The spawner thread starts here, at home.
  EXPECT_EQ(OutputOrError(Printing("true")), "");
  absl::StatusOr<std::string> inside =
      RunInNamespacesHere({&net}, [&] { return OutputOrError(o); });
  ASSERT_OK(inside.status());
  EXPECT_EQ(*inside, absl::StrCat(net.id().ToString(), "\n",
                                  target.Find(NsType::kPid)->id().ToString(), "\n"));
  EXPECT_OK(UnpinNamespace(pin, true));
}

// A later chdir() and umask() of the host reach the spawner thread's
// children, as they reach the direct path's, even when the spawner thread
// was started by a thread with a filesystem context of its own (one inside
// RunInNamespacesOnThread with a mount namespace).
TEST_F(LaunchModesTest, KillOnParentDeathChildTakesTheCurrentDirectoryAndUmask) {
  LINUXNS_SKIP_UNLESS_ROOT();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    const std::string a = absl::StrCat("/tmp/launch-modes-a-", ::getpid());
    const std::string b = absl::StrCat("/tmp/launch-modes-b-", ::getpid());
    ::mkdir(a.c_str(), 0755);
    ::mkdir(b.c_str(), 0755);
    const SpawnOptions o = Printing("pwd; umask");
    absl::StatusOr<NsFd> mnt = NsFd::OpenCurrent(NsType::kMnt);
    if (!mnt.ok()) return mnt.status().ToString();
    absl::StatusOr<std::string> first =
        RunInNamespacesOnThread({&*mnt}, [&] { return OutputOrError(o); });
    if (!first.ok()) return first.status().ToString();
    std::string seen;
    if (::chdir(a.c_str()) != 0) return std::string("chdir a failed");
    ::umask(027);
    absl::StrAppend(&seen, OutputOrError(o));
    if (::chdir(b.c_str()) != 0) return std::string("chdir b failed");
    ::umask(077);
    absl::StrAppend(&seen, OutputOrError(o));
    ::chdir("/");
    ::rmdir(a.c_str());
    ::rmdir(b.c_str());
    return absl::StrCat(seen, "expected:", a, "\n0027\n", b, "\n0077\n");
  });
  ASSERT_EQ(r.code, 0) << r.text;
  const std::size_t at = r.text.find("expected:");
  ASSERT_NE(at, std::string::npos) << r.text;
  EXPECT_EQ(r.text.substr(0, at), r.text.substr(at + 9));
}

// Credentials are per thread in the kernel: a thread that changed its own
// with a raw system call gets a child with its credentials on every path.
TEST_F(LaunchModesTest, ChildTakesTheCallingThreadsOwnCredentials) {
  LINUXNS_SKIP_UNLESS_ROOT();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    // The spawner thread starts with the credentials of the thread that first
    // needs it (a thread is born with its creator's): start it here.
    std::string seen = absl::StrCat("first:", OutputOrError(Printing("id -u")));
    std::thread([&] {
      if (::syscall(SYS_setresgid, 65534, 65534, 65534) != 0 ||
          ::syscall(SYS_setresuid, 65534, 65534, 65534) != 0) {
        seen = "setresuid failed";
        return;
      }
      absl::StrAppend(&seen, "direct:", OutputOrError(Printing("id -u; id -g", false)));
      absl::StrAppend(&seen, "spawner:", OutputOrError(Printing("id -u; id -g")));
    }).join();
    absl::StrAppend(&seen, "main:", OutputOrError(Printing("id -u")));
    return seen;
  });
  ASSERT_EQ(r.code, 0) << r.text;
  EXPECT_EQ(r.text, "first:0\ndirect:65534\n65534\nspawner:65534\n65534\nmain:0\n");
}

// Into a new user namespace the child's ids are its maps': the caller's
// outer ids are neither needed nor settable there (before the maps, setresuid
// of them is EINVAL). As root and as an ordinary user, through the spawner
// thread (kill_on_parent_death) and directly.
TEST_F(LaunchModesTest, KillOnParentDeathIntoANewUserNamespaceGetsItsMaps) {
  for (bool nobody : {false, true}) {
    if (!nobody && !testing::IsRoot()) continue;
    testing::ForkedReport r = testing::RunForkedAndReport([nobody] {
      if (nobody && !testing::DropToNobody()) return std::string("could not drop to nobody");
      std::string seen;
      for (bool kill_on_parent_death : {true, false}) {
        SpawnOptions o = Printing("id -u; id -g", kill_on_parent_death);
        o.new_namespaces = {NsType::kUser, NsType::kUts};
        o.MapCurrentUserToRoot();
        absl::StrAppend(&seen, OutputOrError(o));
      }
      return seen;
    });
    ASSERT_EQ(r.code, 0) << r.text;
    EXPECT_EQ(r.text, "0\n0\n0\n0\n") << (nobody ? "as nobody" : "as root");
  }
}

// Children that wait for the parent (pins) are killed at random moments by
// cgroup.kill, as an OOM killer or a supervisor would. The host (a forked
// process with SIGPIPE at its default action) must survive every one, and a
// failed spawn must leave no pin behind.
TEST_F(LaunchModesTest, ChildKilledBeforeTheParentWakesItRaisesNoSigpipe) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::optional<std::string> root = testing::Cgroup2Mount();
  if (!root) GTEST_SKIP() << "no cgroup2 hierarchy mounted";
  const std::string dir = absl::StrCat(*root, "/linuxns-sigpipe-", ::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << std::strerror(errno);
  if (::access((dir + "/cgroup.kill").c_str(), W_OK) != 0) {
    ::rmdir(dir.c_str());
    GTEST_SKIP() << "no cgroup.kill (Linux 5.14)";
  }
  const long rounds = testing::EnvOr("LINUXNS_SIGPIPE_ROUNDS", 400);
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    ::signal(SIGPIPE, SIG_DFL);
    UniqueFd cgroup(::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    std::atomic<bool> stop{false};
    std::thread killer([&] {
      const std::string kill = dir + "/cgroup.kill";
      while (!stop.load()) {
        testing::WriteFile(kill, "1");
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    });
    const std::string pin = absl::StrCat(::testing::TempDir(), "/linuxns-sigpipe-pin-", ::getpid());
    SpawnOptions o;
    o.argv = {"/bin/true"};
    o.new_namespaces = {NsType::kUts};
    o.pins = {NsPin{NsType::kUts, pin}};
    o.cgroup_fd = cgroup.get();
    int woken = 0, refused = 0, other = 0, pins_left = 0;
    for (long i = 0; i < rounds; ++i) {
      absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
      if (child.ok()) {
        static_cast<void>(child->Wait());
        static_cast<void>(UnpinNamespace(pin, true));
        ++woken;
        continue;
      }
      if (ErrnoOf(child.status()) == EPIPE) {
        ++refused;
      } else {
        ++other;
      }
      struct stat st;
      if (::stat(pin.c_str(), &st) == 0) {
        ++pins_left;
        static_cast<void>(UnpinNamespace(pin, true));
      }
    }
    stop.store(true);
    killer.join();
    std::fprintf(stderr, "%d spawned, %d refused with EPIPE, %d other errors\n", woken, refused,
                 other);
    return absl::StrCat("pins left: ", pins_left);
  });
  ::rmdir(dir.c_str());
  // 141 = 128 + SIGPIPE: the host died.
  EXPECT_EQ(r.code, 0) << r.text;
  EXPECT_EQ(r.text, "pins left: 0");
}

// A fork's copies of the parent's ChildProcess objects do not act on the
// parent's children.
TEST_F(LaunchModesTest, AForksCopyOfAChildProcessLeavesTheParentsChildAlone) {
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(testing::Sleeper()));
  const pid_t pid = child.pid();
  const int code = testing::RunInForkedChild([&] {
    if (child.Wait().status().code() != absl::StatusCode::kFailedPrecondition) return 2;
    if (child.Signal(SIGKILL).code() != absl::StatusCode::kFailedPrecondition) return 3;
    // Destroy the copy: the parent's child must live on.
    { ChildProcess taken = std::move(child); }
    // And the fork can spawn and wait for children of its own.
    absl::StatusOr<ChildProcess> own = ChildProcess::Spawn(Shell("exit 7"));
    if (!own.ok() || own->Wait().value_or(ExitStatus::Exited(0)) != ExitStatus::Exited(7)) {
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
  EXPECT_EQ(::kill(pid, 0), 0) << "the fork killed the parent's child";
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> still, child.WaitFor(absl::Milliseconds(100)));
  EXPECT_FALSE(still.has_value());
}

// The number of lines of /proc/self/maps: mappings, such as holder stacks.
int Mappings() {
  std::ifstream in("/proc/self/maps");
  int n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// A host thread that reaps with waitpid(-1, ..., __WALL) takes the holders
// of Namespace::Create() too (exit signal 0 is no protection there): the
// holder is gone all the same, and so must be its stack.
TEST_F(LaunchModesTest, AWallReaperInTheHostLeaksNoHolderStack) {
  LINUXNS_SKIP_UNLESS_ROOT();
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    std::atomic<bool> stop{false};
    std::atomic<int> stolen{0};
    std::thread reaper([&] {
      while (!stop.load()) {
        if (::waitpid(-1, nullptr, __WALL | WNOHANG) > 0) {
          stolen.fetch_add(1);
        } else {
          std::this_thread::yield();
        }
      }
    });
    const int before = Mappings();
    std::string errors;
    for (int i = 0; i < 600; ++i) {
      absl::StatusOr<Namespace> ns =
          Namespace::Create(i % 2 == 0 ? NsTypeSet{NsType::kUts} : NsTypeSet{NsType::kPid});
      if (!ns.ok() && errors.empty()) errors = ns.status().ToString();
    }
    const int after = Mappings();
    stop.store(true);
    reaper.join();
    std::fprintf(stderr, "the reaper took %d holders\n", stolen.load());
    return absl::StrCat("errors: ", errors,
                        "; new mappings: ", after - before > 8 ? after - before : 0);
  });
  ASSERT_EQ(r.code, 0) << r.text;
  EXPECT_EQ(r.text, "errors: ; new mappings: 0");
}

}  // namespace
}  // namespace linuxns

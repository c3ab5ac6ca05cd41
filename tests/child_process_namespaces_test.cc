// ChildProcess: new and joined namespaces, id maps, time, cgroups, init, pins.
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
#include "linuxns/exec_in_place.h"
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

TEST_F(ChildProcessTest, EveryNewNamespaceDiffersFromOurs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o;
  o.argv = {"sleep", "60"};
  o.new_namespaces = NsTypeSet::All();
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
  for (NsType type : kAllNsTypes) {
    ASSERT_OK_AND_ASSIGN(NsFd theirs, child.OpenNamespace(type));
    ASSERT_OK_AND_ASSIGN(NsFd ours, NsFd::OpenCurrent(type));
    EXPECT_NE(theirs.id(), ours.id()) << type;
  }
  ASSERT_OK(child.Signal(SIGKILL));
  EXPECT_EQ(*child.Wait(), ExitStatus::Signaled(SIGKILL));
}

// SpawnOptions::record_namespaces: the ids the child recorded are those of
// its namespaces, in every launch mode, and survive its exit.
TEST_F(ChildProcessTest, RecordedNamespacesAreTheChildsInEveryLaunchMode) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace held,
                       Namespace::Create({NsType::kPid, NsType::kTime, NsType::kUts}));
  std::vector<std::pair<const char*, SpawnOptions>> modes;
  SpawnOptions direct = Sleeper();
  direct.new_namespaces = NsTypeSet::All();
  direct.new_namespaces.Remove(NsType::kUser);
  modes.emplace_back("direct, every type but user new", direct);
  SpawnOptions pid_join = Sleeper();
  pid_join.join = {held.Find(NsType::kPid), held.Find(NsType::kUts)};
  modes.emplace_back("pid join (the joiner's clone)", pid_join);
  SpawnOptions parent_first = Sleeper();
  parent_first.new_namespaces = {NsType::kUser, NsType::kNet};
  ASSERT_OK_AND_ASSIGN(parent_first.uid_map,
                       IdMap::Create({IdMapEntry{0, 0, 1}, IdMapEntry{1, 100000, 10}}));
  parent_first.gid_map = IdMap::Single(0, 0);
  modes.emplace_back("the parent writes the maps first", parent_first);
  SpawnOptions own_memory = Sleeper();
  own_memory.join = {held.Find(NsType::kTime)};
  modes.emplace_back("own memory (a time join)", own_memory);
  SpawnOptions pid_death = Sleeper();
  pid_death.new_namespaces = {NsType::kIpc};
  pid_death.kill_on_parent_death = true;
  modes.emplace_back("the spawner thread", pid_death);
  for (auto& [name, o] : modes) {
    o.record_namespaces = true;
    ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
    for (NsType type : kAllNsTypes) {
      ASSERT_OK_AND_ASSIGN(NsFd live, child.OpenNamespace(type));
      EXPECT_EQ(child.NamespaceAtExec(type), live.id()) << name << ": " << type;
    }
  }
  // Recorded before the exec: still there when the program is long gone.
  SpawnOptions quick;
  quick.argv = {"/bin/true"};
  quick.new_namespaces = {NsType::kNet, NsType::kUts};
  quick.record_namespaces = true;
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(quick));
  ASSERT_OK(child.Wait());
  ASSERT_OK_AND_ASSIGN(NsFd our_net, NsFd::OpenCurrent(NsType::kNet));
  ASSERT_OK_AND_ASSIGN(NsFd our_ipc, NsFd::OpenCurrent(NsType::kIpc));
  ASSERT_TRUE(child.NamespaceAtExec(NsType::kNet).has_value());
  EXPECT_NE(*child.NamespaceAtExec(NsType::kNet), our_net.id());
  EXPECT_EQ(child.NamespaceAtExec(NsType::kIpc), our_ipc.id());
  // Without the option there is nothing; in place it is refused.
  quick.record_namespaces = false;
  ASSERT_OK_AND_ASSIGN(ChildProcess plain, ChildProcess::Spawn(quick));
  EXPECT_EQ(plain.NamespaceAtExec(NsType::kNet), std::nullopt);
  quick.record_namespaces = true;
  EXPECT_THAT(ExecInPlace(quick),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("record_namespaces")));
}

TEST_F(ChildProcessTest, HostnameAndDomainnameInNewUts) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Shell("hostname; domainname");
  o.new_namespaces = {NsType::kUts};
  o.hostname = "box";
  o.domainname = "example";
  EXPECT_EQ(OutputOf(o), "box\nexample\n");
}

TEST_F(ChildProcessTest, FreshProcShowsOnlyTheNewPidNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  // The shell's own glob, so that no other process runs meanwhile.
  SpawnOptions o = Shell("echo $$; echo /proc/[0-9]*");
  o.new_namespaces = {NsType::kPid, NsType::kMnt};
  o.mount_proc = true;
  // The shell is PID 1 and the only process of its namespace.
  EXPECT_EQ(OutputOf(o), "1\n/proc/1\n");
}

TEST_F(ChildProcessTest, LoopbackIsUpWhenAsked) {
  LINUXNS_SKIP_UNLESS_ROOT();
  for (bool up : {false, true}) {
    SpawnOptions o;
    o.argv = {"sleep", "60"};
    o.new_namespaces = {NsType::kNet};
    o.loopback_up = up;
    ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
    ASSERT_OK_AND_ASSIGN(NsFd net, child.OpenNamespace(NsType::kNet));
    ASSERT_OK_AND_ASSIGN(short flags, RunInNamespacesHere({&net}, []() -> absl::StatusOr<short> {
                           UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
                           ifreq ifr{};
                           std::strcpy(ifr.ifr_name, "lo");
                           if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) {
                             return ErrnoError(errno, "SIOCGIFFLAGS");
                           }
                           return ifr.ifr_flags;
                         }));
    EXPECT_EQ((flags & IFF_UP) != 0, up);
    ASSERT_OK(child.Signal(SIGKILL));
    ASSERT_OK(child.Wait());
  }
}

TEST_F(ChildProcessTest, CurrentUserMappedToRootWithoutPrivilege) {
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    SpawnOptions o = Shell("id -u; id -g; cat /proc/self/setgroups");
    o.MapCurrentUserToRoot();
    absl::StatusOr<Output> r = RunCapturingStdout(o);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 3;
    }
    return r->out == "0\n0\ndeny\n" ? 0 : 4;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, MultiRangeMapIsWrittenByThePrivilegedParent) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o;
  o.argv = {"cat", "/proc/self/uid_map", "/proc/self/gid_map"};
  o.new_namespaces = {NsType::kUser};
  o.uid_map = *IdMap::Parse("0 100000 1000\n1000 0 1\n");
  o.gid_map = *IdMap::Parse("0 200000 10\n");
  o.deny_setgroups = false;
  std::string out = OutputOf(o);
  std::istringstream in(out);
  std::vector<long> numbers;
  for (long n; in >> n;) numbers.push_back(n);
  EXPECT_THAT(numbers, ::testing::ElementsAre(0, 100000, 1000, 1000, 0, 1, 0, 200000, 10));
}

TEST_F(ChildProcessTest, UnprivilegedMultiRangeMapWithoutHelpersIsExplained) {
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    ::setenv("PATH", "/nonexistent", 1);  // no newuidmap to fall back on
    SpawnOptions o;
    o.argv = {"/bin/true"};
    o.new_namespaces = {NsType::kUser};
    o.uid_map = *IdMap::Parse("0 100000 1000\n");
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
    if (child.ok()) return 3;
    const std::string message(child.status().message());
    if (ErrnoOf(child.status()) != EPERM ||
        message.find("newuidmap (package uidmap) is not installed") == std::string::npos ||
        message.find("CAP_SETUID") == std::string::npos) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, JoinsNamespacesOfANamespaceObject) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts, NsType::kUser}));
  ASSERT_OK(RunInNamespacesHere({ns.Find(NsType::kUts)},
                                [] { ASSERT_EQ(::sethostname("joined", 6), 0); }));
  SpawnOptions o = Shell("hostname; id -u");
  o.join = {ns.Find(NsType::kUts), ns.Find(NsType::kUser)};
  EXPECT_EQ(OutputOf(o), "joined\n0\n");
}

TEST_F(ChildProcessTest, JoiningOwnUserNamespaceIsSkipped) {
  ASSERT_OK_AND_ASSIGN(NsFd mine, NsFd::OpenCurrent(NsType::kUser));
  SpawnOptions o;
  o.argv = {"true"};
  o.join = {&mine};  // setns would say EINVAL
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
  EXPECT_EQ(*child.Wait(), ExitStatus::Exited(0));
}

TEST_F(ChildProcessTest, TimeOffsetsThroughAJoinedTimeNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  NamespaceOptions options;
  options.time_offsets = TimeOffsets{absl::Seconds(3600), absl::Seconds(7200)};
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kTime}, options));
  SpawnOptions o;
  o.argv = {"cat", "/proc/self/timens_offsets"};
  o.join = {ns.Find(NsType::kTime)};
  std::istringstream in(OutputOf(o));
  std::string clock1, clock2;
  long s1 = 0, n1 = 0, s2 = 0, n2 = 0;
  in >> clock1 >> s1 >> n1 >> clock2 >> s2 >> n2;
  EXPECT_EQ(clock1, "monotonic");
  EXPECT_EQ(s1, 3600);
  EXPECT_EQ(clock2, "boottime");
  EXPECT_EQ(s2, 7200);
}

TEST_F(ChildProcessTest, SetupFailureNamesTheStepAndErrno) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
  const NsFd* uts = ns.Find(NsType::kUts);
  int code = testing::RunInForkedChild([&] {
    if (!testing::DropToNobody()) return 2;
    SpawnOptions o;
    o.argv = {"true"};
    o.join = {uts};
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
    const std::string want =
        absl::StrCat("spawn: child: setns into ", uts->id().ToString(),
                     ": Operation not permitted (CAP_SYS_ADMIN in the namespace's owning user "
                     "namespace is needed)");
    if (child.ok() || child.status().message() != want) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return 3;
    }
    return ErrnoOf(child.status()) == EPERM ? 0 : 4;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, StartsDirectlyInACgroup) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::optional<std::string> root = testing::Cgroup2Mount();
  if (!root) GTEST_SKIP() << "no cgroup2 hierarchy mounted";
  const std::string name = absl::StrCat("linuxns-test-", ::getpid());
  const std::string dir = *root + "/" + name;
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << std::strerror(errno);
  {
    UniqueFd cgroup(::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(cgroup.valid());
    SpawnOptions o;
    o.argv = {"cat", "/proc/self/cgroup"};
    o.cgroup_fd = cgroup.get();
    EXPECT_THAT(OutputOf(o), HasSubstr("0::/" + name + "\n"));
  }
  EXPECT_EQ(::rmdir(dir.c_str()), 0) << std::strerror(errno);
}

TEST_F(ChildProcessTest, CgroupThatIsNotCgroup2IsExplained) {
  UniqueFd not_cgroup(::open("/tmp", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  SpawnOptions o;
  o.argv = {"true"};
  o.cgroup_fd = not_cgroup.get();
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kInvalidArgument,
                              HasSubstr("must be a directory of the cgroup v2 hierarchy")));
  EXPECT_THAT(child, ErrnoIs(EBADF));
}

TEST_F(ChildProcessTest, JoinsEveryNamespaceOfAnotherProcessByPidfd) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions target = Sleeper();
  target.new_namespaces = {NsType::kUts, NsType::kNet, NsType::kIpc, NsType::kUser};
  target.MapCurrentUserToRoot();
  target.hostname = "target";
  ASSERT_OK_AND_ASSIGN(ChildProcess sleeper, ChildProcess::Spawn(target));
  SpawnOptions o = Shell("hostname; readlink /proc/self/ns/net");
  o.join_process = &sleeper.pidfd();
  o.join_process_types = {NsType::kUts,  NsType::kNet, NsType::kIpc,
                          NsType::kUser, NsType::kMnt, NsType::kCgroup};
  ASSERT_OK_AND_ASSIGN(NsFd net, sleeper.OpenNamespace(NsType::kNet));
  EXPECT_EQ(OutputOf(o), "target\n" + net.id().ToString() + "\n");
  // Its user namespace is ours when it has none of its own: skipped, not EINVAL.
  SpawnOptions plain = Sleeper();
  ASSERT_OK_AND_ASSIGN(ChildProcess same_user, ChildProcess::Spawn(plain));
  SpawnOptions join_same = Shell("true");
  join_same.join_process = &same_user.pidfd();
  join_same.join_process_types = {NsType::kUser, NsType::kNet};
  EXPECT_EQ(OutputOf(join_same), "");
}

TEST_F(ChildProcessTest, InitRunsTheCommandAndPassesItsStatus) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Shell("echo $$; cat /proc/1/comm; exit 7");
  o.new_namespaces = {NsType::kPid, NsType::kMnt};
  o.mount_proc = true;
  o.init = true;
  ASSERT_OK_AND_ASSIGN(Output r, RunCapturingStdout(o));
  EXPECT_EQ(r.out, "2\nlinuxns-init\n");
  EXPECT_THAT(r.status, IsOk());
  EXPECT_EQ(*r.status, ExitStatus::Exited(7));
}

TEST_F(ChildProcessTest, InitForwardsSigtermThatPidOneWouldIgnore) {
  LINUXNS_SKIP_UNLESS_ROOT();
  for (bool init : {false, true}) {
    SpawnOptions o = Shell("trap 'exit 42' TERM; while :; do sleep 0.05; done");
    o.new_namespaces = {NsType::kPid};
    o.init = init;
    ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
    ::usleep(100000);  // let the shell set its trap
    ASSERT_OK(child.Signal(SIGTERM));
    ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> status, child.WaitFor(absl::Seconds(5)));
    ASSERT_TRUE(status.has_value()) << "init=" << init;
    EXPECT_EQ(*status, ExitStatus::Exited(42)) << "init=" << init;
  }
}

TEST_F(ChildProcessTest, InitReportsTheCommandsExecFailure) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o;
  o.argv = {"/no/such/command"};
  o.new_namespaces = {NsType::kPid, NsType::kMnt};
  o.init = true;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kNotFound,
                              "spawn: execve /no/such/command: No such file or directory"));
  // init implies a new pid namespace, which a joined one cannot replace.
  ASSERT_OK_AND_ASSIGN(NsFd own_pid, NsFd::OpenCurrent(NsType::kPid));
  o.new_namespaces = {NsType::kMnt};
  o.join = {&own_pid};
  EXPECT_THAT(
      ChildProcess::Spawn(o),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("init needs a new pid namespace, and the pid namespace is joined")));
}

// As uid 65534 with the range /etc/subuid gives it (CI adds
// nobody:100000:65536 to both files), maps wider than its own id go through
// newuidmap and newgidmap.
TEST_F(ChildProcessTest, UnprivilegedRangesGoThroughNewuidmap) {
  if (!FindHelper("newuidmap") || !FindHelper("newgidmap")) {
    GTEST_SKIP() << "newuidmap/newgidmap missing (package uidmap)";
  }
  if (!FindSubordinateRange("/etc/subuid", 65534).ok() ||
      !FindSubordinateRange("/etc/subgid", 65534).ok()) {
    GTEST_SKIP() << "no /etc/subuid and /etc/subgid range for uid 65534 (.ci/run adds one)";
  }
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    absl::StatusOr<SubordinateRange> uids = FindSubordinateRange("/etc/subuid", ::getuid());
    absl::StatusOr<SubordinateRange> gids = FindSubordinateRange("/etc/subgid", ::getgid());
    if (!uids.ok() || !gids.ok()) return 3;
    SpawnOptions o;
    o.argv = {"cat", "/proc/self/uid_map", "/proc/self/gid_map"};
    o.new_namespaces = {NsType::kUser};
    o.uid_map = *IdMap::Create({{0, ::getuid(), 1}, {1, uids->start, 1000}});
    o.gid_map = *IdMap::Create({{0, ::getgid(), 1}, {1, gids->start, 1000}});
    o.deny_setgroups = false;
    absl::StatusOr<Output> r = RunCapturingStdout(o);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 4;
    }
    std::istringstream in(r->out);
    std::vector<long> n;
    for (long v; in >> v;) n.push_back(v);
    const std::vector<long> want = {0, 65534, 1, 1, uids->start, 1000,
                                    0, 65534, 1, 1, gids->start, 1000};
    return n == want ? 0 : 5;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, UnprivilegedRangeOutsideSubuidIsRefusedByNewuidmap) {
  if (!FindHelper("newuidmap")) GTEST_SKIP() << "newuidmap missing (package uidmap)";
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    SpawnOptions o;
    o.argv = {"true"};
    o.new_namespaces = {NsType::kUser};
    o.uid_map = *IdMap::Parse("0 1 1000");  // nobody owns ids 1..1000
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
    if (child.ok()) return 3;
    if (child.status().code() != absl::StatusCode::kPermissionDenied ||
        child.status().message().find("newuidmap") == absl::string_view::npos) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, TimeOffsetsOfANewTimeNamespace) {
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;  // with a user namespace: no root needed
    SpawnOptions o;
    o.argv = {"cat", "/proc/self/timens_offsets"};
    o.MapCurrentUserToRoot();
    o.new_namespaces.Add(NsType::kTime);
    o.time_offsets = TimeOffsets{absl::Seconds(100), absl::Milliseconds(-1500)};
    absl::StatusOr<Output> r = RunCapturingStdout(o);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 3;
    }
    std::istringstream in(r->out);
    std::string c1, c2;
    long s1 = 0, n1 = 0, s2 = 0, n2 = 0;
    in >> c1 >> s1 >> n1 >> c2 >> s2 >> n2;
    return c1 == "monotonic" && s1 == 100 && n1 == 0 && c2 == "boottime" && s2 == -2 &&
                   n2 == 500000000
               ? 0
               : 4;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, TimeOffsetsNeedANewTimeNamespace) {
  // time_offsets imply a new time namespace, which a joined one cannot replace.
  ASSERT_OK_AND_ASSIGN(NsFd own_time, NsFd::OpenCurrent(NsType::kTime));
  SpawnOptions o = Shell("true");
  o.join = {&own_time};
  o.time_offsets = TimeOffsets{absl::Seconds(1), absl::ZeroDuration()};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("time_offsets need a new time namespace, and the time namespace "
                                 "is joined")));
}

TEST_F(ChildProcessTest, PinsOutliveTheChild) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.new_namespaces = {NsType::kNet, NsType::kUts, NsType::kPid, NsType::kMnt};
  o.pins = {{NsType::kNet, scratch() + "/net"},
            {NsType::kUts, scratch() + "/uts"},
            {NsType::kPid, scratch() + "/pid"},
            {NsType::kMnt, scratch() + "/mnt"}};
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
  EXPECT_EQ(*child.Wait(), ExitStatus::Exited(0));
  for (const NsPin& pin : o.pins) {
    ASSERT_OK_AND_ASSIGN(NsFd pinned, NsFd::OpenPath(pin.path, pin.type));
    ASSERT_OK_AND_ASSIGN(NsFd ours, NsFd::OpenCurrent(pin.type));
    EXPECT_NE(pinned.id(), ours.id()) << pin.type;
    EXPECT_OK(UnpinNamespace(pin.path, /*remove_file=*/true));
  }
}

TEST_F(ChildProcessTest, FailedPinKillsTheChildAndUndoesEarlierPins) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Sleeper();
  o.new_namespaces = {NsType::kNet, NsType::kUts};
  o.pins = {{NsType::kNet, scratch() + "/net"}, {NsType::kUts, scratch() + "/no/dir/uts"}};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("its directory does not exist")));
  EXPECT_FALSE(std::filesystem::exists(scratch() + "/net"));
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

// A plain TEST would skip the fixture's check that nothing leaked.
TEST_F(ChildProcessTest, AJoinedPidNamespaceHoldsTheChildItself) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kPid}));
  SpawnOptions o = testing::Shell("echo $$; readlink /proc/self/ns/pid");
  o.join = {ns.Find(NsType::kPid)};
  // The holder is PID 1 there; the child is the next one.
  EXPECT_EQ(testing::OutputOf(o), "2\n" + ns.Find(NsType::kPid)->id().ToString() + "\n");
  // The same through join_process, from a process that is PID 1 of its own.
  SpawnOptions target = testing::Sleeper();
  target.new_namespaces = {NsType::kPid};
  ASSERT_OK_AND_ASSIGN(ChildProcess sleeper, ChildProcess::Spawn(target));
  SpawnOptions by_pidfd = testing::Shell("echo $$");
  by_pidfd.join_process = &sleeper.pidfd();
  by_pidfd.join_process_types = {NsType::kPid};
  EXPECT_EQ(testing::OutputOf(by_pidfd), "2\n");
  // The calling thread was never moved.
  ASSERT_OK_AND_ASSIGN(NsFd mine, NsFd::OpenForChildren(NsType::kPid));
  ASSERT_OK_AND_ASSIGN(NsFd active, NsFd::OpenCurrent(NsType::kPid));
  EXPECT_EQ(mine.id(), active.id());
}

// setns(CLONE_NEWPID) needs CAP_SYS_ADMIN over the target pid namespace: an
// ordinary user has it only once inside the user namespace that owns it. The
// child joins user and pid in one setns(pidfd) (the kernel enters user
// first) and clones the process that execs, so this works unprivileged.
TEST_F(ChildProcessTest, AnOrdinaryUserJoinsThePidNamespaceOfItsOwnUserNamespace) {
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    SpawnOptions target = testing::Sleeper();
    target.new_namespaces = {NsType::kUser, NsType::kPid};
    target.MapCurrentUserToRoot();
    absl::StatusOr<ChildProcess> sleeper = ChildProcess::Spawn(target);
    if (!sleeper.ok()) {
      std::fprintf(stderr, "target: %s\n", sleeper.status().ToString().c_str());
      return 3;
    }
    SpawnOptions o = testing::Shell("echo $$ $(id -u)");
    o.join_process = &sleeper->pidfd();
    o.join_process_types = {NsType::kUser, NsType::kPid};
    absl::StatusOr<testing::Output> out = testing::RunCapturingStdout(o);
    static_cast<void>(sleeper->Signal(SIGKILL));
    static_cast<void>(sleeper->Wait());
    if (!out.ok()) {
      std::fprintf(stderr, "join: %s\n", out.status().ToString().c_str());
      return 4;
    }
    // The sleeper is PID 1 there, the joined child the next, and root.
    if (out->out != "2 0\n" || !out->status.ok() || !out->status->success()) {
      std::fprintf(stderr, "output: %s\n", out->out.c_str());
      return 5;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

// One vocabulary and one default for id maps (linuxns/id_map.h): a new user
// namespace maps the caller to root unless user_mapping says otherwise, as
// Namespace::Create() does.
TEST_F(ChildProcessTest, UserMappingDefaultsToRootAsNamespaceDoes) {
  const std::string uid = std::to_string(::geteuid());
  const std::string gid = std::to_string(::getegid());
  SpawnOptions o = Shell("id -u; id -g; wc -l < /proc/self/uid_map");
  o.new_namespaces = {NsType::kUser};
  EXPECT_EQ(NamespaceOptions().user_mapping, o.user_mapping);
  EXPECT_EQ(OutputOf(o), "0\n0\n1\n");
  o.user_mapping = UserNsMapping::kCurrentUser;
  EXPECT_EQ(OutputOf(o), uid + "\n" + gid + "\n1\n");
  o.user_mapping = UserNsMapping::kNone;
  EXPECT_EQ(OutputOf(o), "65534\n65534\n0\n");
  // An explicit map replaces user_mapping's for its kind only.
  o.user_mapping = UserNsMapping::kCurrentUserToRoot;
  o.uid_map = IdMap::Single(7, ::geteuid());
  EXPECT_EQ(OutputOf(o), "7\n0\n1\n");
}

// The preset nsexec uses: a new network namespace shows only its own "lo",
// up, in /sys; a new pid namespace shows itself in /proc.
TEST_F(ChildProcessTest, NamespacesLookingNewShowOnlyThemselves) {
  SpawnOptions o = Shell("ls /sys/class/net; cat /sys/class/net/lo/flags; echo /proc/[0-9]*");
  if (!testing::IsRoot()) o.MapCurrentUserToRoot();
  o.AddNamespacesLookingNew({NsType::kNet, NsType::kPid});
  EXPECT_TRUE(o.EffectiveNewNamespaces().Contains(NsType::kMnt));
  // 0x9: IFF_UP | IFF_LOOPBACK.
  EXPECT_EQ(OutputOf(o), "lo\n0x9\n/proc/1\n");
  // Without the preset: the kernel's state, lo down (flags 0x8).
  SpawnOptions plain = Shell("cat /sys/class/net/lo/flags");
  if (!testing::IsRoot()) plain.MapCurrentUserToRoot();
  plain.new_namespaces.Add(NsType::kNet).Add(NsType::kMnt);
  plain.mount_sys = true;
  EXPECT_EQ(OutputOf(plain), "0x8\n");
}

}  // namespace
}  // namespace linuxns

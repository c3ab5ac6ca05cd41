#include "linuxns/child_process.h"

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
#include <optional>
#include <set>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/probe.h"
#include "linuxns/subid.h"
#include "support/seccomp.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ChildProcessTest : public testing::LeakCheckedTest {};

SpawnOptions Shell(const std::string& script) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

// A child that runs until killed, with nothing forked behind it that could
// keep the test runner's output pipe open.
SpawnOptions Sleeper() {
  SpawnOptions o;
  o.argv = {"sleep", "60"};
  return o;
}

struct Output {
  absl::StatusOr<ExitStatus> status;
  std::string out;
};

// Spawns with the child's stdout on a pipe; returns what it printed and how
// it ended.
absl::StatusOr<Output> RunCapturingStdout(SpawnOptions o) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd read_end(p[0]), write_end(p[1]);
  o.fds.push_back(FdMapping{write_end.get(), 1});
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  write_end.reset();
  if (!child.ok()) return child.status();
  Output result;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0) {
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  result.status = child->Wait();
  return result;
}

// Runs `script` and returns its stdout; fails the test unless it exits 0.
std::string OutputOf(SpawnOptions o) {
  absl::StatusOr<Output> r = RunCapturingStdout(std::move(o));
  EXPECT_OK(r);
  if (!r.ok()) return "";
  EXPECT_THAT(r->status, IsOk());
  if (r->status.ok()) {
    EXPECT_EQ(*r->status, ExitStatus::Exited(0)) << r->out;
  }
  return r->out;
}

TEST_F(ChildProcessTest, ExitCodeIsReported) {
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(Shell("exit 7")));
  ASSERT_OK_AND_ASSIGN(ExitStatus status, child.Wait());
  EXPECT_EQ(status, ExitStatus::Exited(7));
  // Waiting again gives the same answer.
  ASSERT_OK_AND_ASSIGN(status, child.Wait());
  EXPECT_EQ(status, ExitStatus::Exited(7));
}

TEST_F(ChildProcessTest, DeathBySignalIsReportedSigkillIncluded) {
  for (int sig : {SIGKILL, SIGTERM, SIGSEGV}) {
    ASSERT_OK_AND_ASSIGN(ChildProcess child,
                         ChildProcess::Spawn(Shell(absl::StrCat("kill -", sig, " $$"))));
    ASSERT_OK_AND_ASSIGN(ExitStatus status, child.Wait());
    EXPECT_TRUE(status.signaled()) << status;
    EXPECT_EQ(status.signal(), sig);
    EXPECT_EQ(status.ShellCode(), 128 + sig);
  }
}

TEST_F(ChildProcessTest, MissingCommandInPathIsNotFoundBeforeClone) {
  SpawnOptions o;
  o.argv = {"linuxns-no-such-command"};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kNotFound,
                              "spawn: execve linuxns-no-such-command: No such file or "
                              "directory (not found in PATH)"));
  EXPECT_THAT(child, ErrnoIs(ENOENT));
}

TEST_F(ChildProcessTest, ExecFailureReportsErrnoFromTheChild) {
  SpawnOptions missing;
  missing.argv = {scratch() + "/missing"};
  EXPECT_THAT(ChildProcess::Spawn(missing), ErrnoIs(ENOENT));
  const std::string plain = scratch() + "/plain";
  ASSERT_EQ(::close(::open(plain.c_str(), O_CREAT | O_WRONLY, 0644)), 0);
  SpawnOptions not_executable;
  not_executable.argv = {plain};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(not_executable);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kPermissionDenied,
                              absl::StrCat("spawn: execve ", plain, ": Permission denied")));
  EXPECT_THAT(child, ErrnoIs(EACCES));
}

TEST_F(ChildProcessTest, PathSearchInsideNewMountNamespaceIsDoneByTheChild) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o;
  o.argv = {"linuxns-no-such-command"};
  o.new_namespaces = {NsType::kMnt};
  EXPECT_THAT(ChildProcess::Spawn(o), StatusIs(absl::StatusCode::kNotFound));
  o.argv = {"true"};
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
  EXPECT_EQ(*child.Wait(), ExitStatus::Exited(0));
}

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
    const std::string want = absl::StrCat(
        "spawn: child: setns into ", uts->id().ToString(),
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

TEST_F(ChildProcessTest, MissingWorkingDirectoryNamesIt) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.cwd = scratch() + "/gone";
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("spawn: child: chdir \"", scratch(),
                                    "/gone\": No such file or directory")));
}

TEST_F(ChildProcessTest, InvalidOptionsAreRejectedBeforeClone) {
  auto rejected = [](SpawnOptions o, const std::string& message) {
    EXPECT_THAT(ChildProcess::Spawn(o),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)));
  };
  rejected(SpawnOptions(), "argv is empty");
  SpawnOptions o = Shell("true");
  o.new_namespaces = {NsType::kUts};
  o.hostname = std::string(65, 'h');
  rejected(o, "hostname is 65 bytes long; at most 64");
  o.hostname = std::string("a\0b", 3);
  rejected(o, "hostname contains a NUL byte");
  o = Shell("true");
  o.hostname = "host";
  rejected(o, "would change the host's");
  o = Shell("true");
  o.new_namespaces = {NsType::kPid};
  o.mount_proc = true;
  rejected(o, "mount_proc needs new pid and mnt namespaces");
  o = Shell("true");
  o.uid_map = IdMap::Single(0, 0);
  rejected(o, "need a new user namespace");
  o = Shell("true");
  o.loopback_up = true;
  rejected(o, "loopback_up needs");
  o = Shell("true");
  o.fds = {{0, 5}, {1, 5}};
  rejected(o, "fd target 5 given twice");
  o = Shell("true");
  o.fds = {{999, 5}};
  rejected(o, "fd source 999 is not an open descriptor");
  o = Shell("true");
  o.join = {nullptr};
  rejected(o, "null namespace in join");
}

TEST_F(ChildProcessTest, NoInheritedDescriptorUnlessInheritAll) {
  // Deliberately not close-on-exec, as another thread of a host might open it.
  UniqueFd leaky(::open("/dev/null", O_RDONLY));
  ASSERT_TRUE(leaky.valid());
  const std::string check =
      absl::StrCat("test -e /proc/self/fd/", leaky.get(), " && echo seen || echo unseen");
  EXPECT_EQ(OutputOf(Shell(check)), "unseen\n");
  SpawnOptions all = Shell(check);
  all.inherit_fds = true;
  EXPECT_EQ(OutputOf(all), "seen\n");
}

TEST_F(ChildProcessTest, DescriptorsLandOnTheirTargets) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd read_end(p[0]), write_end(p[1]);
  // Target 5 from our pipe; target 1 (from OutputOf) from another.
  SpawnOptions o = Shell("echo five >&5; echo one");
  o.fds = {{write_end.get(), 5}};
  EXPECT_EQ(OutputOf(o), "one\n");
  write_end.reset();
  char buf[64] = {};
  ASSERT_GT(::read(read_end.get(), buf, sizeof buf - 1), 0);
  EXPECT_STREQ(buf, "five\n");
}

TEST_F(ChildProcessTest, SwappedDescriptorsDoNotClobberEachOther) {
  // Source of target 4 is 3's target and the other way round.
  int a[2], b[2];
  ASSERT_EQ(::pipe2(a, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(b, O_CLOEXEC), 0);
  UniqueFd a_read(a[0]), a_write(a[1]), b_read(b[0]), b_write(b[1]);
  UniqueFd first(::fcntl(a_write.get(), F_DUPFD_CLOEXEC, 3));
  SpawnOptions o = Shell("echo to-a >&4; echo to-b >&3");
  o.fds = {{b_write.get(), 3}, {a_write.get(), 4}};
  EXPECT_EQ(OutputOf(o), "");
  a_write.reset();
  b_write.reset();
  first.reset();
  char buf[32] = {};
  ASSERT_GT(::read(a_read.get(), buf, sizeof buf - 1), 0);
  EXPECT_STREQ(buf, "to-a\n");
  char buf2[32] = {};
  ASSERT_GT(::read(b_read.get(), buf2, sizeof buf2 - 1), 0);
  EXPECT_STREQ(buf2, "to-b\n");
}

TEST_F(ChildProcessTest, EnvironmentCwdAndUmask) {
  SpawnOptions o = Shell("echo \"$FOO\"; pwd; umask; echo \"${HOME-unset}\"");
  o.env = std::vector<std::string>{"FOO=bar"};
  o.cwd = "/tmp";
  o.umask = 027;
  EXPECT_EQ(OutputOf(o), "bar\n/tmp\n0027\nunset\n");
}

TEST_F(ChildProcessTest, PropagationOfRootFollowsTheOption) {
  LINUXNS_SKIP_UNLESS_ROOT();
  // Nothing is shared on this machine: make "/" shared in a private mount
  // namespace of a forked child first, so the default has something to undo.
  int code = testing::RunInForkedChild([] {
    if (::unshare(CLONE_NEWNS) != 0) return 2;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SHARED, nullptr) != 0) return 3;
    const char* script = "grep -E '^[0-9]+ [0-9]+ [^ ]+ / / ' /proc/self/mountinfo";
    std::vector<std::pair<Propagation, std::string>> cases = {
        {Propagation::kPrivate, ""}, {Propagation::kShared, "shared:"},
        {Propagation::kSlave, "master:"}, {Propagation::kUnchanged, "shared:"}};
    for (const auto& [propagation, tag] : cases) {
      SpawnOptions o = Shell(script);
      o.new_namespaces = {NsType::kMnt};
      o.propagation = propagation;
      absl::StatusOr<Output> r = RunCapturingStdout(o);
      if (!r.ok()) return 4;
      const bool shared = r->out.find("shared:") != std::string::npos;
      const bool slave = r->out.find("master:") != std::string::npos;
      const bool ok = tag.empty() ? !shared && !slave : r->out.find(tag) != std::string::npos;
      if (!ok) {
        std::fprintf(stderr, "propagation %d: %s\n", static_cast<int>(propagation),
                     r->out.c_str());
        return 5;
      }
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, WaitForTimesOutThenSignalEndsIt) {
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(Sleeper()));
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> early, child.WaitFor(absl::Milliseconds(50)));
  EXPECT_FALSE(early.has_value());
  ASSERT_OK(child.Signal(SIGTERM));
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> done, child.WaitFor(absl::Seconds(30)));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(*done, ExitStatus::Signaled(SIGTERM));
  EXPECT_THAT(child.Signal(SIGTERM), ErrnoIs(ESRCH));
}

TEST_F(ChildProcessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(Sleeper()));
    pid = child.pid();
  }
  EXPECT_FALSE(std::filesystem::exists(absl::StrCat("/proc/", pid)));
}

TEST_F(ChildProcessTest, DetachedChildIsNeitherKilledNorReaped) {
  pid_t pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(Shell("exit 4")));
    pid = child.pid();
    child.Detach();
  }
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | __WALL), 0);
  EXPECT_EQ(info.si_status, 4);
}

TEST_F(ChildProcessTest, HostIgnoringSigchldStillGetsTheStatus) {
  int code = testing::RunInForkedChild([] {
    ::signal(SIGCHLD, SIG_IGN);
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(Shell("exit 5"));
    if (!child.ok()) return 2;
    absl::StatusOr<ExitStatus> status = child->Wait();
    return status.ok() && *status == ExitStatus::Exited(5) ? 0 : 3;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, HostWithItsOwnReaperStillGetsTheStatus) {
  int code = testing::RunInForkedChild([] {
    std::atomic<bool> stop{false};
    std::thread reaper([&] {
      while (!stop.load()) {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        ::usleep(100);
      }
    });
    int result = 0;
    for (int i = 0; i < 20 && result == 0; ++i) {
      absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(Shell("exit 6"));
      absl::StatusOr<ExitStatus> status =
          child.ok() ? child->Wait() : absl::StatusOr<ExitStatus>(child.status());
      if (!status.ok() || *status != ExitStatus::Exited(6)) result = 3;
    }
    stop.store(true);
    reaper.join();
    return result;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, ChildOutlivesTheThreadThatSpawnedIt) {
  std::optional<ChildProcess> child;
  std::thread([&] {
    absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(Sleeper());
    ASSERT_OK(c);
    child.emplace(std::move(*c));
  }).join();
  ASSERT_TRUE(child.has_value());
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> status, child->WaitFor(absl::Milliseconds(100)));
  EXPECT_FALSE(status.has_value()) << "the child died with its spawning thread";
}

TEST_F(ChildProcessTest, Clone3MissingFallsBackToClone) {
  int code = testing::RunInForkedChild([] {
    if (!testing::FailSyscalls({SYS_clone3}, ENOSYS)) return 2;
    absl::StatusOr<Output> r = RunCapturingStdout(Shell("echo fallback"));
    if (!r.ok() || r->out != "fallback\n" || !r->status.ok() ||
        *r->status != ExitStatus::Exited(0)) {
      return 3;
    }
    // A time namespace by clone flag needs clone3: said so, precisely.
    SpawnOptions time = Shell("true");
    time.new_namespaces = {NsType::kTime, NsType::kUser};
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(time);
    if (child.status().code() != absl::StatusCode::kUnimplemented ||
        child.status().message().find("clone3") == absl::string_view::npos) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ChildProcessTest, BusyMultiThreadedHostSpawnsWithoutHangs) {
  // Threads that allocate and free without pause hold malloc's locks at
  // random moments; a child that called malloc would hang now and then.
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  for (int i = 0; i < 16; ++i) {
    busy.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        std::vector<std::string> junk(64, std::string(100, 'x'));
      }
    });
  }
  SpawnOptions o;
  o.argv = {"/bin/true"};
  if (testing::IsRoot()) o.new_namespaces = {NsType::kUts, NsType::kIpc};
  // 2,000 by default; the sanitizer preset asks for fewer (it is ~5x slower).
  const char* env = std::getenv("LINUXNS_STRESS_SPAWNS");
  const int spawns = env != nullptr ? std::atoi(env) : 2000;
  int wrong = 0;
  for (int i = 0; i < spawns; ++i) {
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
    absl::StatusOr<ExitStatus> status =
        child.ok() ? child->Wait() : absl::StatusOr<ExitStatus>(child.status());
    if (!status.ok() || *status != ExitStatus::Exited(0)) ++wrong;
  }
  stop.store(true);
  for (std::thread& t : busy) t.join();
  EXPECT_EQ(wrong, 0);
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

// The cgroup2 mount point, from mountinfo.
std::optional<std::string> Cgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point, field;
    fields >> id >> parent >> dev >> root >> mount_point;
    while (fields >> field && field != "-") {
    }
    std::string fstype;
    fields >> fstype;
    if (fstype == "cgroup2") return mount_point;
  }
  return std::nullopt;
}

TEST_F(ChildProcessTest, StartsDirectlyInACgroup) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::optional<std::string> root = Cgroup2Mount();
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
  o.join_process_types = {NsType::kUts, NsType::kNet, NsType::kIpc, NsType::kUser,
                          NsType::kMnt, NsType::kCgroup};
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

TEST_F(ChildProcessTest, CredentialsRlimitsAndNoNewPrivs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Shell(
      "id -u; id -g; id -G; ulimit -n; grep NoNewPrivs /proc/self/status | tr -d '\\t'");
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

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

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

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

class MountsTest : public ChildProcessTest {
 protected:
  void SetUp() override {
    ChildProcessTest::SetUp();
    if (!testing::IsRoot()) GTEST_SKIP() << "needs root to mount";
  }
  std::string MakeDir(const std::string& name) {
    const std::string dir = scratch() + "/" + name;
    std::filesystem::create_directories(dir);
    return dir;
  }
};

TEST_F(MountsTest, BindMountsReadWriteAndReadOnly) {
  const std::string src = MakeDir("src");
  const std::string rw = MakeDir("rw");
  const std::string ro = MakeDir("ro");
  std::ofstream(src + "/file") << "hello";
  SpawnOptions o = Shell("cat " + rw + "/file; echo x > " + rw + "/new && echo wrote; " +
                         "echo y > " + ro + "/other 2>/dev/null || echo refused");
  o.new_namespaces = {NsType::kMnt};
  o.mounts = {MountSpec::Bind(src, rw), MountSpec::Bind(src, ro, /*read_only=*/true)};
  EXPECT_EQ(OutputOf(o), "hellowrote\nrefused\n");
  EXPECT_TRUE(std::filesystem::exists(src + "/new")) << "the rw bind wrote elsewhere";
  EXPECT_FALSE(std::filesystem::exists(src + "/other"));
}

TEST_F(MountsTest, TmpfsWithOptions) {
  const std::string dir = MakeDir("t");
  SpawnOptions o = Shell("stat -f -c %T " + dir + "; stat -c %a " + dir);
  o.new_namespaces = {NsType::kMnt};
  o.mounts = {MountSpec::Tmpfs(dir, "size=1m,mode=710")};
  EXPECT_EQ(OutputOf(o), "tmpfs\n710\n");
}

TEST_F(MountsTest, TargetThroughASymlinkIsRefused) {
  const std::string real = MakeDir("real");
  std::filesystem::create_directory_symlink(real, scratch() + "/link");
  SpawnOptions o = Shell("true");
  o.new_namespaces = {NsType::kMnt};
  o.mounts = {MountSpec::Tmpfs(scratch() + "/link")};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kUnknown,
                              HasSubstr("open mount target \"" + scratch() + "/link\"")));
  EXPECT_THAT(child, ErrnoIs(ELOOP));
  EXPECT_THAT(child.status().message(), HasSubstr("symbolic link"));
}

TEST_F(MountsTest, MissingSourceOrTargetIsNamed) {
  const std::string dir = MakeDir("d");
  SpawnOptions o = Shell("true");
  o.new_namespaces = {NsType::kMnt};
  o.mounts = {MountSpec::Bind(scratch() + "/nope", dir)};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("open bind source \"" + scratch() + "/nope\"")));
  o.mounts = {MountSpec::Bind(dir, scratch() + "/missing")};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("open mount target \"" + scratch() + "/missing\"")));
}

TEST_F(MountsTest, MountsWithoutNewMountNamespaceAreRejected) {
  SpawnOptions o = Shell("true");
  o.mounts = {MountSpec::Tmpfs("/tmp")};
  EXPECT_THAT(ChildProcess::Spawn(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("need a new mnt namespace")));
}

// A minimal root: the host's /usr read-only, merged-/usr symlinks, /proc.
std::string MakeRoot(const std::string& root) {
  for (const char* d : {"usr", "proc", "tmp", "etc"}) std::filesystem::create_directories(root + "/" + d);
  for (const char* l : {"bin", "lib", "lib64", "sbin"}) {
    if (std::filesystem::is_symlink(std::string("/") + l)) {
      std::filesystem::create_symlink(std::filesystem::read_symlink(std::string("/") + l),
                                      root + "/" + l);
    }
  }
  return root;
}

TEST_F(MountsTest, PivotRootIntoAPreparedDirectory) {
  const std::string root = MakeRoot(MakeDir("root"));
  SpawnOptions o = Shell("ls /; echo $$; echo /proc/[0-9]*; pwd");
  o.new_namespaces = {NsType::kMnt, NsType::kPid};
  o.root = root;
  o.mounts = {MountSpec::Bind("/usr", "/usr", /*read_only=*/true), MountSpec::Tmpfs("/tmp")};
  o.mount_proc = true;
  o.cwd = "/tmp";
  std::string out = OutputOf(o);
  EXPECT_THAT(out, HasSubstr("etc\n"));
  EXPECT_THAT(out, HasSubstr("usr\n1\n/proc/1\n/tmp\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("linuxns-test")));
}

TEST_F(MountsTest, ProcThatIsASymlinkIsRefused) {
  const std::string root = MakeDir("root");
  MakeRoot(root);
  std::filesystem::remove(root + "/proc");
  std::filesystem::create_directory_symlink("/tmp", root + "/proc");
  SpawnOptions o = Shell("true");
  o.new_namespaces = {NsType::kMnt, NsType::kPid};
  o.root = root;
  o.mounts = {MountSpec::Bind("/usr", "/usr", true)};
  o.mount_proc = true;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kUnknown,
                              "spawn: child: mount proc on /proc: Too many levels of symbolic "
                              "links (/proc is a symbolic link; refusing to mount over it)"));
}

TEST_F(MountsTest, PivotRootOnSharedPropagationIsExplained) {
  const std::string root = MakeRoot(MakeDir("root"));
  SpawnOptions o = Shell("true");
  o.new_namespaces = {NsType::kMnt};
  o.root = root;
  o.propagation = Propagation::kShared;
  o.mounts = {MountSpec::Bind("/usr", "/usr", true)};
  int code = testing::RunInForkedChild([&] {
    // "/" shared in a mount namespace of our own, so that kShared has
    // something to keep.
    if (::unshare(CLONE_NEWNS) != 0) return 2;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SHARED, nullptr) != 0) return 3;
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
    if (child.ok() || child.status().message().find("must not be shared") == absl::string_view::npos) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

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
  o.new_namespaces = {NsType::kMnt};
  EXPECT_THAT(ChildProcess::Spawn(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("init needs a new pid namespace")));
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

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

namespace linuxns {
namespace {

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

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

TEST_F(ChildProcessTest, StdioPipesAndDevNull) {
  SpawnOptions o = Shell("read line; echo \"got $line\"; echo oops >&2; readlink /proc/self/fd/2");
  o.stdin_mode = Stdio::kPipe;
  o.stdout_mode = Stdio::kPipe;
  o.stderr_mode = Stdio::kNull;
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(o));
  UniqueFd in = child.TakeStdin();
  UniqueFd out = child.TakeStdout();
  EXPECT_FALSE(child.TakeStderr().valid()) << "no pipe for /dev/null";
  EXPECT_FALSE(child.TakeStdin().valid()) << "handed out once";
  ASSERT_EQ(::write(in.get(), "hello\n", 6), 6);
  in.reset();
  std::string text;
  char buf[64];
  ssize_t n;
  while ((n = ::read(out.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  EXPECT_EQ(text, "got hello\n/dev/null\n");
  EXPECT_EQ(*child.Wait(), ExitStatus::Exited(0));
}

TEST_F(ChildProcessTest, StdioModeAndFdTargetConflict) {
  SpawnOptions o = Shell("true");
  o.stdout_mode = Stdio::kNull;
  o.fds = {{0, 1}};
  EXPECT_THAT(ChildProcess::Spawn(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("fd target 1 is also set by a Stdio mode")));
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

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
  SpawnOptions o = Shell("true");
  o.time_offsets = TimeOffsets{absl::Seconds(1), absl::ZeroDuration()};
  EXPECT_THAT(ChildProcess::Spawn(o), StatusIs(absl::StatusCode::kInvalidArgument,
                                               HasSubstr("time_offsets need a new time namespace")));
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

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

// ChildProcess: exit status, exec errors, waiting, descriptors, hostile hosts.
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
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/probe.h"
#include "linuxns/spawn_failure.h"
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

TEST_F(ChildProcessTest, MissingWorkingDirectoryNamesIt) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.cwd = scratch() + "/gone";
  EXPECT_THAT(ChildProcess::Spawn(o), StatusIs(absl::StatusCode::kNotFound,
                                               absl::StrCat("spawn: child: chdir \"", scratch(),
                                                            "/gone\": No such file or directory")));
}

// A script without "#!": ENOEXEC by default (as posix_spawn), run by /bin/sh
// with shell_fallback (as execvp), found directly, through PATH, and in a new
// mount namespace (where PATH is searched by the child).
TEST_F(ChildProcessTest, ShellFallbackRunsAScriptWithoutAnInterpreterLine) {
  const std::string script = scratch() + "/no-shebang";
  {
    std::ofstream out(script);
    out << "echo \"from-script $1 $#\"\n";
  }
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  SpawnOptions o;
  o.argv = {script, "one", "two"};
  absl::StatusOr<ChildProcess> refused = ChildProcess::Spawn(o);
  EXPECT_THAT(refused, ErrnoIs(ENOEXEC));
  ASSERT_TRUE(SpawnFailureOf(refused.status()).has_value());
  EXPECT_EQ(SpawnFailureOf(refused.status())->step, SpawnStep::kExec);
  o.shell_fallback = true;
  EXPECT_EQ(OutputOf(o), "from-script one 2\n");
  o.argv = {"no-shebang", "via-path"};
  o.env = std::vector<std::string>{"PATH=/nonexistent:" + scratch()};
  EXPECT_EQ(OutputOf(o), "from-script via-path 1\n");
  if (testing::IsRoot()) {
    o.new_namespaces = {NsType::kMnt};
    EXPECT_EQ(OutputOf(o), "from-script via-path 1\n");
  }
}

TEST_F(ChildProcessTest, AnEmptyProgramNameIsNotFound) {
  SpawnOptions o;
  o.argv = {""};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, ErrnoIs(ENOENT));
  ASSERT_TRUE(SpawnFailureOf(child.status()).has_value());
  EXPECT_EQ(SpawnFailureOf(child.status())->step, SpawnStep::kExec);
  o.executable = "/bin/true";  // argv[0] is then just a name
  EXPECT_OK(ChildProcess::Spawn(o));
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
  o.fds = {{0, 5}, {1, 5}};
  rejected(o, "fd target 5 given twice");
  o = Shell("true");
  o.fds = {{999, 5}};
  rejected(o, "fd source 999 is not an open descriptor");
  o = Shell("true");
  o.join = {nullptr};
  rejected(o, "null namespace in join");
  o = Shell("true");
  o.rlimits = {Rlimit{RLIMIT_NOFILE, 64, 64}, Rlimit{RLIM_NLIMITS, 1, 1}};
  rejected(o, absl::StrCat("rlimits: resource ", RLIM_NLIMITS, " is not an RLIMIT_*"));
  o.rlimits = {Rlimit{-1, 1, 1}};
  rejected(o, "rlimits: resource -1 is not an RLIMIT_*");
  o.rlimits = {Rlimit{RLIMIT_NOFILE, 64, 32}};
  rejected(o, absl::StrCat("rlimits: resource ", RLIMIT_NOFILE,
                           " has soft limit 64 above its hard limit 32"));
  o = Shell("true");
  o.kill_on_parent_death = true;
  for (int sig : {0, -1, SIGRTMAX + 1}) {
    o.parent_death_signal = sig;
    rejected(o, absl::StrCat("parent_death_signal ", sig, " is not a signal"));
  }
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
  SpawnOptions o;
  o.argv = {"/bin/true"};
  if (testing::IsRoot()) o.new_namespaces = {NsType::kUts, NsType::kIpc};
  EXPECT_EQ(testing::SpawnsGoneWrongBesideAMallocStorm(o), 0);
}

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
  while ((n = ::read(out.get(), buf, sizeof buf)) > 0)
    text.append(buf, static_cast<std::size_t>(n));
  EXPECT_EQ(text, "got hello\n/dev/null\n");
  EXPECT_EQ(*child.Wait(), ExitStatus::Exited(0));
}

TEST_F(ChildProcessTest, StdioModeAndFdTargetConflict) {
  SpawnOptions o = Shell("true");
  o.stdout_mode = Stdio::kNull;
  o.fds = {{0, 1}};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("fd target 1 is also set by a Stdio mode")));
}

// One rule for implied namespaces (spawn_options.h): a field that needs a
// namespace of its own implies a new one of that type unless one is joined.
TEST_F(ChildProcessTest, FieldsImplyTheNewNamespacesTheyNeed) {
  SpawnOptions o = Shell("true");
  EXPECT_EQ(o.EffectiveNewNamespaces(), NsTypeSet());
  o.uid_map = IdMap::Single(0, ::geteuid());
  o.hostname = "h";
  o.mount_proc = true;
  o.loopback_up = true;
  o.time_offsets = TimeOffsets{};
  o.init = true;
  EXPECT_EQ(o.EffectiveNewNamespaces(), (NsTypeSet{NsType::kUser, NsType::kUts, NsType::kMnt,
                                                   NsType::kNet, NsType::kTime, NsType::kPid}));
  o = Shell("true");
  o.mounts = {MountSpec::Tmpfs("/tmp")};
  EXPECT_EQ(o.EffectiveNewNamespaces(), NsTypeSet{NsType::kMnt});
  o = Shell("true");
  o.root = "/srv";
  EXPECT_EQ(o.EffectiveNewNamespaces(), NsTypeSet{NsType::kMnt});
  o.root_change = RootChange::kChroot;  // needs no mount namespace
  EXPECT_EQ(o.EffectiveNewNamespaces(), NsTypeSet());
  // A joined namespace serves a hostname and a loopback: nothing implied.
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  ASSERT_OK_AND_ASSIGN(NsFd net, NsFd::OpenCurrent(NsType::kNet));
  o = Shell("true");
  o.join = {&uts, &net};
  o.hostname = "h";
  o.loopback_up = true;
  EXPECT_EQ(o.EffectiveNewNamespaces(), NsTypeSet());
}

TEST_F(ChildProcessTest, AnImpliedNamespaceIsMadeAndTheHostKeepsItsOwn) {
  LINUXNS_SKIP_UNLESS_ROOT();
  char host[65] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  ASSERT_OK_AND_ASSIGN(NsFd own_uts, NsFd::OpenCurrent(NsType::kUts));
  SpawnOptions o = Shell("hostname; readlink /proc/self/ns/uts");
  o.hostname = "implied";  // no NsType::kUts named
  const std::string out = OutputOf(o);
  EXPECT_TRUE(absl::StartsWith(out, "implied\nuts:[")) << out;
  EXPECT_NE(out, absl::StrCat("implied\nuts:[", own_uts.id().inode, "]\n"))
      << "the child ran in the host's uts namespace";
  char after[65] = {};
  ASSERT_EQ(::gethostname(after, sizeof after - 1), 0);
  EXPECT_STREQ(after, host);
}

// Where a joined namespace cannot serve, the field is refused rather than
// applied to everyone in it.
TEST_F(ChildProcessTest, AJoinedNamespaceThatCannotServeIsInvalidArgument) {
  auto rejected = [](const SpawnOptions& o, const std::string& message) {
    EXPECT_THAT(ChildProcess::Spawn(o),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message)));
  };
  ASSERT_OK_AND_ASSIGN(NsFd mnt, NsFd::OpenCurrent(NsType::kMnt));
  ASSERT_OK_AND_ASSIGN(NsFd user, NsFd::OpenCurrent(NsType::kUser));
  SpawnOptions o = Shell("true");
  o.join = {&mnt};
  o.mount_proc = true;
  rejected(o, "mount_proc needs a new mnt namespace, and the mnt namespace is joined");
  o.mount_proc = false;
  o.mount_sys = true;
  rejected(o, "mount_sys needs a new mnt namespace");
  o.mount_sys = false;
  o.mounts = {MountSpec::Tmpfs("/tmp")};
  rejected(o, "mounts and pivot_root need a new mnt namespace");
  o = Shell("true");
  o.join = {&user};
  o.uid_map = IdMap::Single(0, 0);
  rejected(o, "uid_map/gid_map need a new user namespace, and the user namespace is joined");
}

}  // namespace
}  // namespace linuxns

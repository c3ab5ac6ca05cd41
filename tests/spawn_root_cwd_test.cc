// SpawnOptions::root_fd and cwd_fd: a root and a working directory given as
// open files, entered after the joins (what `nsenter --root`/`--wd` need):
// a target's /proc/PID/root and /proc/PID/cwd in its own mount namespace, on
// every launch path (direct, pid join, in place), with each failure its own
// step.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/spawn_failure.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ChildProcessTest;
using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::OutputOf;
using ::linuxns::testing::RunCapturingStdout;
using ::linuxns::testing::RunInForkedChild;
using ::linuxns::testing::Shell;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kPrintWhere[] = "/bin/pwd -P; ls";

// A process in new mount and pid namespaces (and a user namespace of its own
// when `own_user`) whose working directory is /mnt/x on a tmpfs that exists
// only in its mount namespace, beside a file "marker".
absl::StatusOr<ChildProcess> SpawnTarget(bool own_user) {
  SpawnOptions o = Shell(
      "mount -t tmpfs none /mnt && mkdir /mnt/x && touch /mnt/x/marker && cd /mnt/x && "
      "exec sleep 60");
  o.new_namespaces = {NsType::kMnt, NsType::kPid};
  if (own_user) o.MapCurrentUserToRoot();
  LINUXNS_ASSIGN_OR_RETURN(ChildProcess target, ChildProcess::Spawn(o));
  if (testing::AwaitWorkingDirectory(target.pid(), "/mnt/x")) return target;
  return absl::DeadlineExceededError("the target did not reach /mnt/x in 5 s");
}

// /proc/PID/`what` of `target`, opened O_PATH.
UniqueFd OpenOf(const ChildProcess& target, const char* what) {
  const std::string path = absl::StrCat("/proc/", target.pid(), "/", what);
  UniqueFd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  EXPECT_TRUE(fd) << path << ": " << std::strerror(errno);
  return fd;
}

// Options that join `types` of `target` and print where they run.
SpawnOptions Joining(const ChildProcess& target, NsTypeSet types) {
  SpawnOptions o = Shell(kPrintWhere);
  o.join_process = &target.pidfd();
  o.join_process_types = types;
  return o;
}

TEST_F(ChildProcessTest, RootFdAndCwdFdAreTheTargetsInItsMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(ChildProcess target, SpawnTarget(false));
  UniqueFd root = OpenOf(target, "root");
  UniqueFd cwd = OpenOf(target, "cwd");
  SpawnOptions o = Joining(target, {NsType::kMnt});
  o.root_fd = root.get();
  o.cwd_fd = cwd.get();
  EXPECT_EQ(OutputOf(o), "/mnt/x\nmarker\n");
  // The same on the pid-join path (the joiner's clone runs these steps).
  o.join_process_types = {NsType::kMnt, NsType::kPid};
  EXPECT_EQ(OutputOf(o), "/mnt/x\nmarker\n");
}

TEST_F(ChildProcessTest, RootFdAloneLeavesTheWorkingDirectoryTheJoinsLeft) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(ChildProcess target, SpawnTarget(false));
  UniqueFd root = OpenOf(target, "root");
  SpawnOptions o = Joining(target, {NsType::kMnt});
  o.argv = {"/bin/pwd", "-P"};
  o.root_fd = root.get();
  // setns into a mount namespace leaves the working directory at its root.
  EXPECT_EQ(OutputOf(o), "/\n");
  // A relative cwd starts from cwd_fd.
  o.cwd_fd = root.get();
  o.cwd = "mnt/x";
  EXPECT_EQ(OutputOf(o), "/mnt/x\n");
}

TEST_F(ChildProcessTest, CwdFdWithoutJoinsIsAPlainFchdir) {
  UniqueFd tmp(::open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(tmp);
  SpawnOptions o;
  o.argv = {"/bin/pwd", "-P"};
  o.cwd_fd = tmp.get();
  EXPECT_EQ(OutputOf(o), "/tmp\n");
}

TEST_F(ChildProcessTest, RootFdChrootsBeforeTheProgramIsLookedUp) {
  LINUXNS_SKIP_UNLESS_ROOT();
  char dir[] = "/tmp/linuxns-empty-root.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  UniqueFd empty(::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  ::rmdir(dir);  // still a directory to chroot into, with nothing in it
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.root_fd = empty.get();
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  ASSERT_THAT(child, ErrnoIs(ENOENT));
  ASSERT_TRUE(SpawnFailureOf(child.status()).has_value());
  EXPECT_EQ(SpawnFailureOf(child.status())->step, SpawnStep::kExec);
}

TEST_F(ChildProcessTest, ExecInPlaceTakesRootFdAndCwdFdToo) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(ChildProcess target, SpawnTarget(false));
  UniqueFd root = OpenOf(target, "root");
  UniqueFd cwd = OpenOf(target, "cwd");
  SpawnOptions o = Joining(target, {NsType::kMnt});
  o.argv = {"/bin/sh", "-c", "test \"$(/bin/pwd -P)\" = /mnt/x && test -e marker"};
  o.root_fd = root.get();
  o.cwd_fd = cwd.get();
  EXPECT_EQ(RunInForkedChild([&] {
              absl::Status failed = ExecInPlace(o);
              std::fprintf(stderr, "%s\n", failed.ToString().c_str());
              return 99;
            }),
            0);
}

TEST_F(ChildProcessTest, ChdirFailureInAJoinedMountNamespaceNamesIt) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(ChildProcess target, SpawnTarget(false));
  ASSERT_OK_AND_ASSIGN(NsFd mnt, NsFd::FromPidFd(target.pidfd(), NsType::kMnt));
  SpawnOptions o = Joining(target, {NsType::kMnt});
  o.cwd = "/no-such-dir-here";
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  ASSERT_THAT(child, ErrnoIs(ENOENT));
  EXPECT_THAT(child.status().message(),
              HasSubstr(absl::StrCat("chdir \"/no-such-dir-here\" in ", mnt.id().ToString())));
  ASSERT_TRUE(SpawnFailureOf(child.status()).has_value());
  EXPECT_EQ(SpawnFailureOf(child.status())->step, SpawnStep::kChdir);
}

TEST_F(ChildProcessTest, RootFdWithoutCapSysChrootIsItsOwnStep) {
  LINUXNS_SKIP_UNLESS_ROOT();
  EXPECT_EQ(RunInForkedChild([] {
              if (!testing::DropToNobody()) return 2;
              UniqueFd slash(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
              SpawnOptions o;
              o.argv = {"/bin/true"};
              o.root_fd = slash.get();
              absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
              const std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
              if (child.ok() || ErrnoOf(child.status()) != EPERM || !failure ||
                  failure->step != SpawnStep::kEnterRoot ||
                  child.status().message().find("chroot into root_fd") == std::string::npos) {
                std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
                return 1;
              }
              return 0;
            }),
            0);
}

TEST_F(ChildProcessTest, OrdinaryUserTakesRootAndCwdOfATargetInItsOwnUserNamespace) {
  const int code = RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    absl::StatusOr<ChildProcess> target = SpawnTarget(true);
    if (!target.ok()) {
      std::fprintf(stderr, "%s\n", target.status().ToString().c_str());
      return ErrnoOf(target.status()) == EPERM ? 77 : 3;
    }
    UniqueFd root = OpenOf(*target, "root");
    UniqueFd cwd = OpenOf(*target, "cwd");
    SpawnOptions o = Joining(*target, {NsType::kUser, NsType::kMnt});
    o.root_fd = root.get();
    o.cwd_fd = cwd.get();
    absl::StatusOr<testing::Output> out = RunCapturingStdout(o);
    if (!out.ok() || out->out != "/mnt/x\nmarker\n") {
      std::fprintf(stderr, "%s\n", out.ok() ? out->out.c_str() : out.status().ToString().c_str());
      return 1;
    }
    return 0;
  });
  if (code == 77) GTEST_SKIP() << "an ordinary user cannot create a user namespace here";
  EXPECT_EQ(code, 0);
}

TEST(SpawnRootCwdValidationTest, BadDescriptorsAreInvalidArguments) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.root_fd = 1 << 20;
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("root_fd")));
  UniqueFd file(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  o.root_fd = -1;
  o.cwd_fd = file.get();
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cwd_fd")));
  UniqueFd slash(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  o.cwd_fd = -1;
  o.root_fd = slash.get();
  o.root = "/";
  o.root_change = RootChange::kChroot;
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("root_fd and root")));
}

}  // namespace
}  // namespace linuxns

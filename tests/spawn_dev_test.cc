// SpawnOptions::minimal_dev: a /dev of a few nodes, a devpts instance and
// /dev/shm in the child's new mount namespace, as root and inside a user
// namespace, under "/" and under a new root; the caller's /dev unchanged.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/ns_fd.h"
#include "linuxns/spawn_failure.h"
#include "linuxns/spawn_options.h"
#include "linuxns/status.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ChildProcessTest;
using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::Output;
using ::linuxns::testing::RunCapturingStdout;
using ::linuxns::testing::Shell;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

// Every node at work, one finding a line. /dev/fd needs a /proc.
constexpr char kChecks[] =
    "LC_ALL=C ls -A /dev | tr '\\n' ' '; echo; "
    "stat -f -c '%T' /dev /dev/shm /dev/pts; stat -c '%a' /dev /dev/shm; "
    "stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty; "
    "readlink /dev/ptmx /dev/fd /dev/stdin /dev/stdout /dev/stderr; "
    "head -c 16 /dev/urandom | wc -c; head -c 16 /dev/random | wc -c; "
    "head -c 16 /dev/zero | tr '\\0' z; echo; "
    "echo x > /dev/null && echo wrote null; "
    "head -c 1 /dev/zero 2>&1 >/dev/full; "
    "exec 3<>/dev/ptmx && ls /dev/pts | tr '\\n' ' ' && echo; exec 3>&-; "
    "echo shared > /dev/shm/file && cat /dev/shm/file; "
    "test -e /dev/fd/0 && echo fd 0";

constexpr char kExpected[] =
    "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \n"
    "tmpfs\ntmpfs\ndevpts\n755\n1777\n"
    "/dev/null character special file 1:3\n"
    "/dev/zero character special file 1:5\n"
    "/dev/full character special file 1:7\n"
    "/dev/random character special file 1:8\n"
    "/dev/urandom character special file 1:9\n"
    "/dev/tty character special file 5:0\n"
    "pts/ptmx\n/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n/proc/self/fd/2\n"
    "16\n16\nzzzzzzzzzzzzzzzz\n"
    "wrote null\n"
    "head: write error: No space left on device\n"
    "0 ptmx \n"
    "shared\n"
    "fd 0\n";

// What the caller sees of its /dev: the names in it and the mount points
// under it.
std::string HostDev() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator("/dev")) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::string out = absl::StrJoin(names, " ");
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    if (fields.size() > 4 && (fields[4] == "/dev" || fields[4].rfind("/dev/", 0) == 0)) {
      absl::StrAppend(&out, "\n", fields[4]);
    }
  }
  return out;
}

// Runs kChecks with `options` and returns what it printed, or the error.
std::string RunChecks(SpawnOptions options) {
  SpawnOptions o = Shell(kChecks);
  o.new_namespaces = options.new_namespaces;
  o.user_mapping = options.user_mapping;
  o.root = options.root;
  o.mounts = options.mounts;
  o.mount_proc = options.mount_proc;
  o.minimal_dev = true;
  absl::StatusOr<Output> r = RunCapturingStdout(o);
  if (!r.ok()) return r.status().ToString();
  if (!r->status.ok()) return r->status.status().ToString();
  return r->out;
}

// The same, in a forked child that runs as uid 65534 (as it is, when the
// test runs as that user already).
std::string RunChecksAsNobody(const SpawnOptions& options) {
  return testing::RunForkedAndReport([&]() -> std::string {
           if (!testing::DropToNobody()) return "could not drop to uid 65534";
           return RunChecks(options);
         })
      .text;
}

// Whether this process may make a user namespace (unprivileged ones may be
// turned off).
std::optional<std::string> UserNamespacesRefused() {
  SpawnOptions o = Shell("true");
  o.MapCurrentUserToRoot();
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  if (!child.ok()) return child.status().ToString();
  absl::StatusOr<ExitStatus> status = child->Wait();
  if (!status.ok()) return status.status().ToString();
  return std::nullopt;
}

// A minimal root: the host's /usr (bound read-only by the options), merged-/usr
// symlinks, /proc and /dev to mount on; everyone may enter it, so that a
// child of uid 65534 can pivot into it.
std::string MakeRoot(const std::string& scratch) {
  const std::string root = scratch + "/root";
  for (const char* d : {"usr", "proc", "dev"}) std::filesystem::create_directories(root + "/" + d);
  for (const char* l : {"bin", "lib", "lib64", "sbin"}) {
    if (std::filesystem::is_symlink(std::string("/") + l)) {
      std::filesystem::create_symlink(std::filesystem::read_symlink(std::string("/") + l),
                                      root + "/" + l);
    }
  }
  for (const std::string& dir : {scratch, root}) {
    std::filesystem::permissions(
        dir, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                 std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                 std::filesystem::perms::others_exec);
  }
  return root;
}

SpawnOptions UnderRoot(const std::string& root) {
  SpawnOptions o;
  o.new_namespaces = {NsType::kPid};  // for /proc
  o.root = root;
  o.mounts = {MountSpec::Bind("/usr", "/usr", /*read_only=*/true)};
  o.mount_proc = true;
  return o;
}

class SpawnDevTest : public ChildProcessTest {};

TEST_F(SpawnDevTest, ImpliesANewMountNamespace) {
  SpawnOptions o;
  o.minimal_dev = true;
  EXPECT_TRUE(o.EffectiveNewNamespaces().Contains(NsType::kMnt));
}

TEST_F(SpawnDevTest, JoinedMountNamespaceIsInvalid) {
  absl::StatusOr<NsFd> mnt = NsFd::OpenCurrent(NsType::kMnt);
  ASSERT_TRUE(mnt.ok()) << mnt.status();
  SpawnOptions o = Shell("true");
  o.minimal_dev = true;
  o.join = {&*mnt};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "spawn: minimal_dev needs a new mnt namespace, and the mnt namespace is "
                       "joined (it would cover the /dev of every process in it)"));
}

TEST_F(SpawnDevTest, EachNodeWorksAsRoot) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string before = HostDev();
  EXPECT_EQ(RunChecks(SpawnOptions()), kExpected);
  EXPECT_EQ(HostDev(), before);
}

TEST_F(SpawnDevTest, RootGetsTheTtyGroupForPtys) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions o = Shell("exec 3<>/dev/ptmx && stat -c '%g %a' /dev/pts/0");
  o.minimal_dev = true;
  EXPECT_EQ(testing::OutputOf(o), "5 620\n");
}

TEST_F(SpawnDevTest, EachNodeWorksInAUserNamespace) {
  if (std::optional<std::string> why = UserNamespacesRefused()) GTEST_SKIP() << *why;
  const std::string before = HostDev();
  SpawnOptions o;
  o.MapCurrentUserToRoot();
  EXPECT_EQ(RunChecks(o), kExpected);
  EXPECT_EQ(RunChecksAsNobody(o), kExpected);
  EXPECT_EQ(HostDev(), before);
}

TEST_F(SpawnDevTest, EachNodeWorksUnderANewRoot) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string before = HostDev();
  EXPECT_EQ(RunChecks(UnderRoot(MakeRoot(scratch()))), kExpected);
  EXPECT_EQ(HostDev(), before);
}

TEST_F(SpawnDevTest, EachNodeWorksUnderANewRootInAUserNamespace) {
  if (std::optional<std::string> why = UserNamespacesRefused()) GTEST_SKIP() << *why;
  const std::string before = HostDev();
  SpawnOptions o = UnderRoot(MakeRoot(scratch()));
  o.MapCurrentUserToRoot();
  EXPECT_EQ(RunChecks(o), kExpected);
  EXPECT_EQ(RunChecksAsNobody(o), kExpected);
  EXPECT_EQ(HostDev(), before);
}

TEST_F(SpawnDevTest, MissingDevUnderTheRootIsNamed) {
  if (std::optional<std::string> why = UserNamespacesRefused()) GTEST_SKIP() << *why;
  const std::string root = MakeRoot(scratch());
  std::filesystem::remove(root + "/dev");
  SpawnOptions o = UnderRoot(root);
  o.argv = {"/bin/true"};
  o.MapCurrentUserToRoot();
  o.minimal_dev = true;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child,
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("spawn: child: mount tmpfs on /dev under the new root \"", root,
                                    "\": No such file or directory (the minimal /dev needs "
                                    "a /dev directory to mount on)")));
  std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kMountDev);
}

TEST_F(SpawnDevTest, DevThatIsASymlinkIsRefused) {
  if (std::optional<std::string> why = UserNamespacesRefused()) GTEST_SKIP() << *why;
  const std::string root = MakeRoot(scratch());
  std::filesystem::remove(root + "/dev");
  std::filesystem::create_directory_symlink("/usr", root + "/dev");
  SpawnOptions o = UnderRoot(root);
  o.argv = {"/bin/true"};
  o.MapCurrentUserToRoot();
  o.minimal_dev = true;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, ErrnoIs(ELOOP));
  EXPECT_THAT(child.status().message(), HasSubstr("mount tmpfs on /dev under the new root"));
  EXPECT_THAT(child.status().message(), HasSubstr("is a symbolic link"));
  std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kMountDev);
}

}  // namespace
}  // namespace linuxns

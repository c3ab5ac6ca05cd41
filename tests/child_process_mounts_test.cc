// ChildProcess: propagation, bind and tmpfs mounts, a new root, /proc.
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

TEST_F(ChildProcessTest, PropagationOfRootFollowsTheOption) {
  LINUXNS_SKIP_UNLESS_ROOT();
  // Nothing is shared on this machine: make "/" shared in a private mount
  // namespace of a forked child first, so the default has something to undo.
  int code = testing::RunInForkedChild([] {
    if (::unshare(CLONE_NEWNS) != 0) return 2;
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SHARED, nullptr) != 0) return 3;
    const char* script = "grep -E '^[0-9]+ [0-9]+ [^ ]+ / / ' /proc/self/mountinfo";
    std::vector<std::pair<Propagation, std::string>> cases = {{Propagation::kPrivate, ""},
                                                              {Propagation::kShared, "shared:"},
                                                              {Propagation::kSlave, "master:"},
                                                              {Propagation::kUnchanged, "shared:"}};
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
        std::fprintf(stderr, "propagation %d: %s\n", static_cast<int>(propagation), r->out.c_str());
        return 5;
      }
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

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

// Mounts imply a new mount namespace; in a joined one they would change it
// for every process in it, so they are refused there.
TEST_F(MountsTest, MountsInAJoinedMountNamespaceAreRejected) {
  ASSERT_OK_AND_ASSIGN(NsFd own_mnt, NsFd::OpenCurrent(NsType::kMnt));
  SpawnOptions o = Shell("true");
  o.join = {&own_mnt};
  o.mounts = {MountSpec::Tmpfs("/tmp")};
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("need a new mnt namespace")));
  o.mounts.clear();
  o.root = "/";
  EXPECT_THAT(ChildProcess::Spawn(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("need a new mnt namespace")));
}

TEST_F(MountsTest, MountsAloneImplyANewMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string dir = scratch() + "/implied";
  ASSERT_TRUE(std::filesystem::create_directory(dir));
  SpawnOptions o = Shell("touch " + dir + "/inside && ls " + dir);
  o.mounts = {MountSpec::Tmpfs(dir)};  // no NsType::kMnt named
  EXPECT_EQ(OutputOf(o), "inside\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "/inside")) << "the tmpfs was mounted on the host";
}

// A minimal root: the host's /usr read-only, merged-/usr symlinks, /proc.
std::string MakeRoot(const std::string& root) {
  for (const char* d : {"usr", "proc", "tmp", "etc"})
    std::filesystem::create_directories(root + "/" + d);
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

TEST_F(MountsTest, ChrootNeedsNoMountNamespaceAndTakesSlash) {
  const std::string root = MakeRoot(MakeDir("root"));
  std::ofstream(root + "/etc/marker") << "inside";
  SpawnOptions o = Shell("cat /etc/marker; pwd");
  o.new_namespaces = {NsType::kMnt};  // for the /usr bind only
  o.mounts = {MountSpec::Bind("/usr", "/usr", /*read_only=*/true)};
  o.root = root;
  o.root_change = RootChange::kChroot;
  EXPECT_EQ(OutputOf(o), "inside/\n");
  SpawnOptions slash = Shell("test -d /usr && echo same");
  slash.root = "/";
  slash.root_change = RootChange::kChroot;
  EXPECT_EQ(OutputOf(slash), "same\n");
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
    if (child.ok() ||
        child.status().message().find("must not be shared") == absl::string_view::npos) {
      std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace linuxns

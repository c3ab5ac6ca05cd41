// nsenter -c (--join-cgroup) end to end: the command starts in the cgroup v2
// directory of its target, wherever the hierarchy is mounted. util-linux 2.38
// has no -c, so there is nothing to compare with here.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/unique_fd.h"
#include "support/spawn_util.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::HasSubstr;

// A fresh cgroup v2 directory for one test, removed at the end (after the
// processes in it are gone), and `sleep 60` started in it.
class NsenterCgroupTest : public LeakCheckedTest {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a cgroup";
    std::optional<std::string> root = Cgroup2Mount();
    if (!root) GTEST_SKIP() << "no cgroup2 hierarchy mounted";
    name_ = absl::StrCat("linuxns-nsenter-", ::getpid());
    dir_ = *root + "/" + name_;
    ASSERT_EQ(::mkdir(dir_.c_str(), 0755), 0) << dir_ << ": " << std::strerror(errno);
    UniqueFd cgroup(::open(dir_.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(cgroup.valid()) << std::strerror(errno);
    SpawnOptions o;
    o.argv = {"sleep", "60"};
    o.cgroup_fd = cgroup.get();
    absl::StatusOr<ChildProcess> target = ChildProcess::Spawn(o);
    ASSERT_TRUE(target.ok()) << target.status();
    target_ = std::move(target).value();
  }

  void TearDown() override {
    if (target_) {
      (void)target_->Signal(SIGKILL);
      (void)target_->Wait();
      target_.reset();
    }
    if (!dir_.empty()) {
      EXPECT_EQ(::rmdir(dir_.c_str()), 0) << dir_ << ": " << std::strerror(errno);
    }
    LeakCheckedTest::TearDown();
  }

  std::string name_, dir_;
  std::optional<ChildProcess> target_;
};

TEST_F(NsenterCgroupTest, JoinCgroupStartsTheCommandInTheTargetsCgroup) {
  ToolResult r = RunTool(
      {LINUXNS_NSENTER_PATH, "-t", absl::StrCat(target_->pid()), "-c", "cat", "/proc/self/cgroup"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0::/" + name_ + "\n"));
  // Without -c the command stays where nsenter is.
  r = RunTool(
      {LINUXNS_NSENTER_PATH, "-t", absl::StrCat(target_->pid()), "cat", "/proc/self/cgroup"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("0::/" + name_ + "\n")));
}

// mountinfo writes a space in a mount point as \040: nsenter must turn it
// back into a path. In a mount namespace of its own, the hierarchy is
// mounted again at a path with a space and its usual mount is removed.
TEST_F(NsenterCgroupTest, JoinCgroupFindsTheHierarchyMountedAtAPathWithASpace) {
  const std::string elsewhere = absl::StrCat("/tmp/linuxns cgroup2 ", ::getpid());
  const std::string script =
      "set -e; mkdir -p \"$1\"; mount -t cgroup2 none \"$1\"; umount \"$2\";"
      " exec \"$3\" -t \"$4\" -c cat /proc/self/cgroup";
  SpawnOptions o;
  o.argv = {"sh",
            "-c",
            script,
            "sh",
            elsewhere,
            *Cgroup2Mount(),
            LINUXNS_NSENTER_PATH,
            absl::StrCat(target_->pid())};
  o.new_namespaces = {NsType::kMnt};
  const std::string out = OutputOf(o);  // a failure unless it exits 0
  ::rmdir(elsewhere.c_str());
  EXPECT_THAT(out, HasSubstr("0::/" + name_ + "\n"));
}

}  // namespace
}  // namespace linuxns::testing

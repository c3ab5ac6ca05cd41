// The tools refuse the kernel's secure-execution mode (RELIABILITY rule 11):
// a copy installed set-user-ID root, set-group-ID root or with a file
// capability, run by uid 65534, says why and exits 1 before anything else.
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::StartsWith;

class ToolSecurityTest : public LeakCheckedTest, public ::testing::WithParamInterface<Tool> {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    LINUXNS_SKIP_UNLESS_ROOT();
    struct statvfs fs;
    ASSERT_EQ(::statvfs(scratch().c_str(), &fs), 0) << std::strerror(errno);
    if (fs.f_flag & ST_NOSUID) {
      GTEST_SKIP() << scratch() << " is on a nosuid mount: set-id bits and file capabilities "
                   << "would not take effect there";
    }
    copy_ = CopyToolForOthers(GetParam().path, scratch());
    // Root's, as an installed tool: chown clears set-id bits and capabilities,
    // so it comes first.
    ASSERT_EQ(::chown(copy_.c_str(), 0, 0), 0) << std::strerror(errno);
  }

  // What the tool says when asked for its version as uid 65534.
  ToolResult RunVersionAsNobody() { return RunToolAsNobody({copy_, "--version"}); }

  // Refused: the reason, exit status 1, and nothing else done.
  void ExpectRefused(const ToolResult& r) const {
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err, absl::StrCat(GetParam().name,
                                  ": refusing to run set-user-ID, set-group-ID or with raised file "
                                  "capabilities\n"));
    EXPECT_EQ(r.out, "");
  }

  std::string copy_;
};

TEST_P(ToolSecurityTest, PlainCopyRunsForAnOrdinaryUser) {
  // The control: the refusals below come from the bits, not the copy.
  ToolResult r = RunVersionAsNobody();
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith(absl::StrCat(GetParam().name, " from linuxns ")));
}

TEST_P(ToolSecurityTest, SetUserIdRootIsRefused) {
  ASSERT_EQ(::chmod(copy_.c_str(), 04755), 0) << std::strerror(errno);
  ExpectRefused(RunVersionAsNobody());
}

TEST_P(ToolSecurityTest, SetGroupIdRootIsRefused) {
  ASSERT_EQ(::chmod(copy_.c_str(), 02755), 0) << std::strerror(errno);
  ExpectRefused(RunVersionAsNobody());
}

TEST_P(ToolSecurityTest, FileCapabilityIsRefused) {
  // What `setcap cap_sys_admin+ep` writes: permitted and effective.
  vfs_cap_data caps = {};
  caps.magic_etc = VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE;
  caps.data[0].permitted = 1u << CAP_SYS_ADMIN;
  if (::setxattr(copy_.c_str(), "security.capability", &caps, sizeof caps, 0) != 0) {
    const int error = errno;
    if (error == ENOTSUP) GTEST_SKIP() << "no file capabilities on " << scratch();
    FAIL() << "setxattr security.capability: " << std::strerror(error);
  }
  ExpectRefused(RunVersionAsNobody());
}

INSTANTIATE_TEST_SUITE_P(AllTools, ToolSecurityTest, ::testing::ValuesIn(kAllTools), ToolTestName);

}  // namespace
}  // namespace linuxns::testing

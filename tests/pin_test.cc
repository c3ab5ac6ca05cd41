#include "linuxns/pin.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class PinTest : public testing::LeakCheckedTest {
 protected:
  void SetUp() override {
    testing::LeakCheckedTest::SetUp();
    if (!testing::IsRoot()) GTEST_SKIP() << "needs CAP_SYS_ADMIN to mount";
  }
};

TEST_F(PinTest, PinCreatesTheFileAndKeepsTheNamespace) {
  const std::string path = scratch() + "/net";
  NsId id;
  bool created = false;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
    id = ns.Find(NsType::kNet)->id();
    ASSERT_OK_AND_ASSIGN(created, PinNamespace(*ns.Find(NsType::kNet), path));
  }
  EXPECT_TRUE(created);
  ASSERT_OK_AND_ASSIGN(NsFd pinned, NsFd::OpenPath(path, NsType::kNet));
  EXPECT_EQ(pinned.id(), id) << "the namespace died with its last descriptor";
  ASSERT_OK(UnpinNamespace(path, created));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(PinTest, PinOntoAnExistingFileLeavesItOnUnpin) {
  const std::string path = scratch() + "/existing";
  std::ofstream(path).close();
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  ASSERT_OK_AND_ASSIGN(bool created, PinNamespace(uts, path));
  EXPECT_FALSE(created);
  ASSERT_OK(UnpinNamespace(path, created));
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(PinTest, BadTargetsAreNamed) {
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_THAT(PinNamespace(uts, scratch()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  absl::StatusOr<bool> missing = PinNamespace(uts, scratch() + "/no/dir");
  EXPECT_THAT(missing,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("its directory does not exist")));
  EXPECT_THAT(missing, ErrnoIs(ENOENT));
}

TEST_F(PinTest, UnpinOfAPathThatIsNoMountIsFine) {
  const std::string path = scratch() + "/plain";
  std::ofstream(path).close();
  EXPECT_OK(UnpinNamespace(path, /*remove_file=*/true));
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace linuxns

#include "linuxns/subid.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SubidTest : public testing::LeakCheckedTest {};

TEST_F(SubidTest, ParsesNamesUidsCommentsAndBlankLines) {
  ASSERT_OK_AND_ASSIGN(std::vector<SubordinateRange> ranges,
                       ParseSubordinateIds("# users\nalice:100000:65536\n\n1001:165536:1\n"));
  EXPECT_THAT(ranges, ElementsAre(SubordinateRange{"alice", 100000, 65536},
                                  SubordinateRange{"1001", 165536, 1}));
}

TEST_F(SubidTest, RejectsBadLinesNamingLineAndField) {
  EXPECT_THAT(ParseSubordinateIds("a:1:1\nb:2\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "subordinate id line 2: expected OWNER:START:COUNT, got \"b:2\""));
  EXPECT_THAT(ParseSubordinateIds(":1:1"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    "subordinate id line 1: OWNER is empty"));
  EXPECT_THAT(ParseSubordinateIds("a:-1:1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "subordinate id line 1: START \"-1\" is not a number in 0..4294967295"));
  EXPECT_THAT(ParseSubordinateIds("a:1:0"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("COUNT \"0\"")));
  EXPECT_THAT(ParseSubordinateIds("a:4294967295:2"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("COUNT \"2\"")));
}

TEST_F(SubidTest, FindsByNameOrUid) {
  const std::string file = scratch() + "/subuid";
  std::ofstream(file) << "someone:1:2\nroot:200000:100\n0:300000:5\n";
  ASSERT_OK_AND_ASSIGN(SubordinateRange by_name, FindSubordinateRange(file, 0));
  EXPECT_EQ(by_name, (SubordinateRange{"root", 200000, 100}));
  std::ofstream(file) << "0:300000:5\n";
  ASSERT_OK_AND_ASSIGN(SubordinateRange by_uid, FindSubordinateRange(file, 0));
  EXPECT_EQ(by_uid.start, 300000u);
}

TEST_F(SubidTest, MissingRangeSaysHowToAddOne) {
  const std::string file = scratch() + "/subuid";
  std::ofstream(file) << "someone:1:2\n";
  EXPECT_THAT(FindSubordinateRange(file, 0),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("usermod --add-subuids")));
  EXPECT_THAT(FindSubordinateRange(scratch() + "/none", 0),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("open ")));
}

// What cannot be read is an error with its errno, never "no range": a
// directory (which a stream reads as empty), something without end, and a
// path cut short by a NUL byte (which would name another file).
TEST_F(SubidTest, UnreadableFilesKeepTheirErrno) {
  EXPECT_THAT(FindSubordinateRange(scratch(), 0), ErrnoIs(EISDIR));
  EXPECT_THAT(FindSubordinateRange("/dev/zero", 0), ErrnoIs(EFBIG));
  const std::string file = scratch() + "/subuid";
  std::ofstream(file) << "root:200000:100\n";
  EXPECT_THAT(FindSubordinateRange(file + std::string("\0/x", 3), 0),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NUL byte")));
}

}  // namespace
}  // namespace linuxns

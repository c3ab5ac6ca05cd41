// Tests for linuxns/id_map.h: every rule of the header comment, each with the
// exact message (id_map_kernel_test holds the same rules against the running
// kernel).
#include "linuxns/id_map.h"

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/id_map_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace {

using ::linuxns::IdMap;
using ::linuxns::IdMapEntry;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::LongLines;
using ::linuxns::testing::ShortLines;
using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

std::vector<IdMapEntry> EntriesOf(absl::string_view text) {
  absl::StatusOr<IdMap> map = IdMap::Parse(text);
  return map.ok() ? map->entries() : std::vector<IdMapEntry>{};
}

class IdMapTest : public linuxns::testing::LeakCheckedTest {};

// --- Parse: valid maps ---

TEST_F(IdMapTest, ParsesOneLine) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0 100000 65536"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 100000, 65536}));
}

TEST_F(IdMapTest, ParsesOneLineWithTrailingNewline) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0 100000 65536\n"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 100000, 65536}));
}

TEST_F(IdMapTest, ParsesSeveralLinesInOrder) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0 1000 1\n1 100000 65536\n70000 200000 5"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 1000, 1}, IdMapEntry{1, 100000, 65536},
                                         IdMapEntry{70000, 200000, 5}));
}

TEST_F(IdMapTest, AcceptsTabsAndRunsOfSpacesBetweenFields) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0\t1000\t1\n1   100000 \t 65536  \n"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 1000, 1}, IdMapEntry{1, 100000, 65536}));
}

TEST_F(IdMapTest, ParsesTheKernelsOwnPaddedFormat) {
  // /proc/PID/uid_map reads back as "%10u %10u %10u\n" per line.
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("         0       1000          1\n"
                                               "         1     100000      65536\n"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 1000, 1}, IdMapEntry{1, 100000, 65536}));
}

TEST_F(IdMapTest, AcceptsLargestValueForEachField) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0 0 4294967295"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 0, 4294967295u}));
  ASSERT_OK_AND_ASSIGN(IdMap high, IdMap::Parse("4294967294 4294967294 1"));
  EXPECT_THAT(high.entries(), ElementsAre(IdMapEntry{4294967294u, 4294967294u, 1}));
}

TEST_F(IdMapTest, AcceptsLeadingZeros) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0000000000 0000001000 0000000001"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 1000, 1}));
}

// --- ToString ---

TEST_F(IdMapTest, ToStringWritesOneNewlineTerminatedLinePerEntry) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0\t1000  1\n1 100000 65536"));
  EXPECT_EQ(map.ToString(), "0 1000 1\n1 100000 65536\n");
}

TEST_F(IdMapTest, ToStringRoundTripsThroughParse) {
  for (absl::string_view text :
       {"0 100000 65536\n", "0 1000 1\n1 100000 65536\n", "0 0 4294967295\n"}) {
    SCOPED_TRACE(text);
    ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse(text));
    EXPECT_EQ(map.ToString(), text);
    ASSERT_OK_AND_ASSIGN(IdMap again, IdMap::Parse(map.ToString()));
    EXPECT_EQ(again, map);
    EXPECT_EQ(again.entries(), map.entries());
  }
}

TEST_F(IdMapTest, EqualityComparesEntriesInOrder) {
  EXPECT_EQ(*IdMap::Parse("0 1 1\n5 5 1"), *IdMap::Parse("0  1  1\n5\t5\t1\n"));
  EXPECT_NE(*IdMap::Parse("0 1 1\n5 5 1"), *IdMap::Parse("5 5 1\n0 1 1"));
  EXPECT_NE(*IdMap::Parse("0 1 1"), *IdMap::Parse("0 1 2"));
}

// --- Parse: bad fields ---

TEST_F(IdMapTest, RejectsCountZero) {
  EXPECT_THAT(IdMap::Parse("0 1000 0"),
              StatusIs(kInvalid, Eq("id map line 1: COUNT must be greater than 0")));
}

TEST_F(IdMapTest, RejectsNegativeNumber) {
  EXPECT_THAT(IdMap::Parse("0 1000 1\n1 2000 -1"),
              StatusIs(kInvalid, Eq("id map line 2: COUNT \"-1\" is not a number in "
                                    "0..4294967295")));
  EXPECT_THAT(IdMap::Parse("-1 1000 1"),
              StatusIs(kInvalid, Eq("id map line 1: INNER \"-1\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsNonNumericField) {
  EXPECT_THAT(IdMap::Parse("abc 1000 1"),
              StatusIs(kInvalid, Eq("id map line 1: INNER \"abc\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsPlusSign) {
  EXPECT_THAT(IdMap::Parse("0 +5 1"),
              StatusIs(kInvalid, Eq("id map line 1: OUTER \"+5\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsTrailingJunkInField) {
  EXPECT_THAT(IdMap::Parse("5x 1000 1"),
              StatusIs(kInvalid, Eq("id map line 1: INNER \"5x\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsLeadingJunkInField) {
  EXPECT_THAT(IdMap::Parse("5 x1000 1"),
              StatusIs(kInvalid, Eq("id map line 1: OUTER \"x1000\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsHexadecimal) {
  EXPECT_THAT(IdMap::Parse("0 0x10 1"),
              StatusIs(kInvalid, Eq("id map line 1: OUTER \"0x10\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, EscapesUnprintableBytesInMessage) {
  EXPECT_THAT(IdMap::Parse(absl::string_view("0 0 1\x01", 6)),
              StatusIs(kInvalid, Eq("id map line 1: COUNT \"1\\x01\" is not a number in "
                                    "0..4294967295")));
  EXPECT_THAT(IdMap::Parse(absl::string_view("0 0 1\0", 6)),
              StatusIs(kInvalid, Eq("id map line 1: COUNT \"1\\x00\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsCarriageReturn) {
  // The header allows only spaces and tabs between fields.
  EXPECT_THAT(IdMap::Parse("0 0 1\r\n"),
              StatusIs(kInvalid, Eq("id map line 1: COUNT \"1\\r\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsOverflowJustPast32Bits) {
  EXPECT_THAT(IdMap::Parse("4294967296 0 1"),
              StatusIs(kInvalid, Eq("id map line 1: INNER \"4294967296\" is not a number in "
                                    "0..4294967295")));
  EXPECT_THAT(IdMap::Parse("0 0 4294967296"),
              StatusIs(kInvalid, Eq("id map line 1: COUNT \"4294967296\" is not a number in "
                                    "0..4294967295")));
}

TEST_F(IdMapTest, RejectsOverflowWithMoreDigits) {
  EXPECT_THAT(IdMap::Parse("0 99999999999 1"),
              StatusIs(kInvalid, Eq("id map line 1: OUTER \"99999999999\" is not a number in "
                                    "0..4294967295")));
  EXPECT_THAT(IdMap::Parse("0 0 18446744073709551617"),
              StatusIs(kInvalid, Eq("id map line 1: COUNT \"18446744073709551617\" is not a "
                                    "number in 0..4294967295")));
}

TEST_F(IdMapTest, ReportsFirstBadFieldOfLine) {
  EXPECT_THAT(IdMap::Parse("x y z"), StatusIs(kInvalid, HasSubstr("line 1: INNER \"x\"")));
  EXPECT_THAT(IdMap::Parse("0 y z"), StatusIs(kInvalid, HasSubstr("line 1: OUTER \"y\"")));
}

// --- Parse: bad lines ---

TEST_F(IdMapTest, RejectsTwoFields) {
  EXPECT_THAT(IdMap::Parse("0 1000"),
              StatusIs(kInvalid, Eq("id map line 1: expected INNER OUTER COUNT, got 2 fields")));
}

TEST_F(IdMapTest, RejectsFourFields) {
  EXPECT_THAT(IdMap::Parse("0 0 1\n1 1000 1 1"),
              StatusIs(kInvalid, Eq("id map line 2: expected INNER OUTER COUNT, got 4 fields")));
}

TEST_F(IdMapTest, RejectsOneFieldInSingular) {
  EXPECT_THAT(IdMap::Parse("0"),
              StatusIs(kInvalid, Eq("id map line 1: expected INNER OUTER COUNT, got 1 field")));
}

TEST_F(IdMapTest, RejectsEmptyLineInTheMiddle) {
  EXPECT_THAT(IdMap::Parse("0 0 1\n\n1 1 1"), StatusIs(kInvalid, Eq("id map line 2: empty line")));
}

TEST_F(IdMapTest, RejectsBlankLineOfSpacesAndTabs) {
  EXPECT_THAT(IdMap::Parse("0 0 1\n \t \n1 1 1"),
              StatusIs(kInvalid, Eq("id map line 2: empty line")));
}

TEST_F(IdMapTest, RejectsSecondTrailingNewline) {
  EXPECT_THAT(IdMap::Parse("0 0 1\n\n"), StatusIs(kInvalid, Eq("id map line 2: empty line")));
}

TEST_F(IdMapTest, RejectsEmptyText) {
  // Parse("") reports the empty first line; Create({}) says "no lines".
  EXPECT_THAT(IdMap::Parse(""), StatusIs(kInvalid, Eq("id map line 1: empty line")));
  EXPECT_THAT(IdMap::Parse("\n"), StatusIs(kInvalid, Eq("id map line 1: empty line")));
  EXPECT_THAT(IdMap::Create({}), StatusIs(kInvalid, Eq("id map has no lines")));
}

// --- Overlap ---

TEST_F(IdMapTest, RejectsInnerOverlapNamingBothLines) {
  EXPECT_THAT(IdMap::Parse("0 1000 10\n5 2000 10"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 5+10 overlaps line 1")));
}

TEST_F(IdMapTest, RejectsOuterOverlapNamingBothLines) {
  EXPECT_THAT(IdMap::Parse("0 1000 10\n100 1009 1"),
              StatusIs(kInvalid, Eq("id map line 2: outer range 1009+1 overlaps line 1")));
}

TEST_F(IdMapTest, OverlapNamesTheEarlierLineItMeets) {
  EXPECT_THAT(IdMap::Parse("0 1000 10\n20 2000 10\n5 3000 1"),
              StatusIs(kInvalid, Eq("id map line 3: inner range 5+1 overlaps line 1")));
  EXPECT_THAT(IdMap::Parse("0 1000 10\n20 2000 10\n40 2005 1"),
              StatusIs(kInvalid, Eq("id map line 3: outer range 2005+1 overlaps line 2")));
}

TEST_F(IdMapTest, RejectsRangeContainingAnother) {
  EXPECT_THAT(IdMap::Parse("10 1000 1\n0 2000 100"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 0+100 overlaps line 1")));
}

TEST_F(IdMapTest, RejectsDuplicateLine) {
  EXPECT_THAT(IdMap::Parse("0 1000 1\n0 1000 1"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 0+1 overlaps line 1")));
}

TEST_F(IdMapTest, AcceptsAdjacentRangesThatTouch) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse("0 100 10\n10 110 10"));
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 100, 10}, IdMapEntry{10, 110, 10}));
  // Touching in the other order, and crossed over (inner up, outer down).
  EXPECT_THAT(IdMap::Parse("10 110 10\n0 100 10"), IsOk());
  EXPECT_THAT(IdMap::Parse("0 110 10\n10 100 10"), IsOk());
}

TEST_F(IdMapTest, OverlapAtTopOfIdSpaceDoesNotWrap) {
  EXPECT_THAT(IdMap::Parse("4294967290 0 4\n4294967293 10 1"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 4294967293+1 overlaps line 1")));
}

// --- Ranges at the top of the id space ---

TEST_F(IdMapTest, RejectsInnerRangePast32Bits) {
  EXPECT_THAT(IdMap::Parse("4294967295 0 2"),
              StatusIs(kInvalid, Eq("id map line 1: inner range 4294967295+2 reaches "
                                    "4294967295, which cannot be mapped")));
  EXPECT_THAT(IdMap::Parse("0 0 1\n2 2 4294967295"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 2+4294967295 reaches "
                                    "4294967295, which cannot be mapped")));
}

TEST_F(IdMapTest, RejectsOuterRangePast32Bits) {
  EXPECT_THAT(IdMap::Parse("0 4294967295 2"),
              StatusIs(kInvalid, Eq("id map line 1: outer range 4294967295+2 reaches "
                                    "4294967295, which cannot be mapped")));
}

TEST_F(IdMapTest, AcceptsRangesEndingJustBeforeTheLastId) {
  // The last id a map can cover is 4294967294: 4294967295 is (uid_t)-1.
  EXPECT_THAT(IdMap::Parse("4294967294 0 1"), IsOk());
  EXPECT_THAT(IdMap::Parse("0 4294967294 1"), IsOk());
  EXPECT_THAT(IdMap::Parse("0 0 4294967295"), IsOk());
  EXPECT_THAT(IdMap::Parse("1 0 4294967294"), IsOk());
}

// The kernel refuses any range that covers id 4294967295, (uid_t)-1, the
// "no id" value: it takes "4294967294 0 1" and "0 0 4294967295" but answers
// EINVAL to "4294967295 0 1" and "1 0 4294967295" (map_write() in
// kernel/user_namespace.c rejects first == (u32)-1 and first + count
// wrapping to 0). KernelRejectsRangesCoveringIdMinusOne below checks this on
// the running kernel. IdMap must reject them before the kernel does.
TEST_F(IdMapTest, RejectsRangesCoveringIdMinusOne) {
  EXPECT_THAT(IdMap::Parse("4294967295 0 1"),
              StatusIs(kInvalid, HasSubstr("id map line 1: inner range 4294967295+1")));
  EXPECT_THAT(IdMap::Parse("0 4294967295 1"),
              StatusIs(kInvalid, HasSubstr("id map line 1: outer range 4294967295+1")));
  EXPECT_THAT(IdMap::Parse("1 0 4294967295"),
              StatusIs(kInvalid, HasSubstr("id map line 1: inner range 1+4294967295")));
  EXPECT_THAT(IdMap::Create({IdMapEntry{0, 1, 4294967295u}}),
              StatusIs(kInvalid, HasSubstr("id map line 1: outer range 1+4294967295")));
}

// --- Line and byte limits ---

TEST_F(IdMapTest, Accepts340Lines) {
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse(ShortLines(340)));
  ASSERT_EQ(map.entries().size(), 340u);
  EXPECT_EQ(map.entries().back(), (IdMapEntry{339, 339, 1}));
  EXPECT_EQ(map.ToString(), ShortLines(340));
}

TEST_F(IdMapTest, Rejects341Lines) {
  ASSERT_LT(ShortLines(341).size(), 4096u);
  EXPECT_THAT(IdMap::Parse(ShortLines(341)),
              StatusIs(kInvalid, Eq("id map has 341 lines; the kernel takes at most 340")));
}

TEST_F(IdMapTest, AcceptsMapOfExactly4095Bytes) {
  // 170 lines of 24 bytes, then one of 15: 4095 bytes.
  const std::string text = LongLines(170) + "1000 2000 1234\n";
  ASSERT_EQ(text.size(), 4095u);
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse(text));
  EXPECT_EQ(map.ToString(), text);
}

TEST_F(IdMapTest, RejectsMapOf4096BytesWithByteCount) {
  const std::string text = LongLines(170) + "1000 2000 12345\n";
  ASSERT_EQ(text.size(), 4096u);
  EXPECT_THAT(IdMap::Parse(text),
              StatusIs(kInvalid, Eq("id map is 4096 bytes long; the kernel takes at most 4095")));
}

TEST_F(IdMapTest, RejectsFewLinesOfLongNumbersOver4095Bytes) {
  ASSERT_EQ(LongLines(171).size(), 171u * 24u);
  EXPECT_THAT(IdMap::Parse(LongLines(170)), IsOk());
  EXPECT_THAT(IdMap::Parse(LongLines(171)),
              StatusIs(kInvalid, Eq("id map is 4104 bytes long; the kernel takes at most 4095")));
  EXPECT_THAT(IdMap::Parse(LongLines(340)),
              StatusIs(kInvalid, Eq("id map is 8160 bytes long; the kernel takes at most 4095")));
}

TEST_F(IdMapTest, CountsBytesOfTheWrittenFormNotOfTheInput) {
  // Padding in the input does not count: the kernel sees ToString().
  std::string padded;
  for (std::size_t i = 0; i < 300; ++i) {
    absl::StrAppend(&padded, "        ", i, "        ", i, "        1\n");
  }
  ASSERT_GT(padded.size(), 4095u);
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse(padded));
  EXPECT_LE(map.ToString().size(), 4095u);
}

// --- Create ---

TEST_F(IdMapTest, CreateKeepsEntriesInOrder) {
  std::vector<IdMapEntry> entries = {{10, 1010, 5}, {0, 1000, 1}};
  ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Create(entries));
  EXPECT_EQ(map.entries(), entries);
  EXPECT_EQ(map.ToString(), "10 1010 5\n0 1000 1\n");
  EXPECT_EQ(map, *IdMap::Parse("10 1010 5\n0 1000 1"));
}

TEST_F(IdMapTest, CreateRejectsEmpty) {
  EXPECT_THAT(IdMap::Create({}), StatusIs(kInvalid, Eq("id map has no lines")));
}

TEST_F(IdMapTest, CreateRejectsCountZero) {
  EXPECT_THAT(IdMap::Create({{0, 0, 1}, {1, 1, 0}}),
              StatusIs(kInvalid, Eq("id map line 2: COUNT must be greater than 0")));
}

TEST_F(IdMapTest, CreateRejectsOverlapOnEitherSide) {
  EXPECT_THAT(IdMap::Create({{0, 1000, 10}, {9, 2000, 1}}),
              StatusIs(kInvalid, Eq("id map line 2: inner range 9+1 overlaps line 1")));
  EXPECT_THAT(IdMap::Create({{0, 1000, 10}, {10, 999, 2}}),
              StatusIs(kInvalid, Eq("id map line 2: outer range 999+2 overlaps line 1")));
  EXPECT_THAT(IdMap::Create({{0, 1000, 10}, {10, 1010, 10}}), IsOk());
}

TEST_F(IdMapTest, CreateRejectsRangesPast32Bits) {
  EXPECT_THAT(IdMap::Create({{4294967295u, 0, 2}}),
              StatusIs(kInvalid, Eq("id map line 1: inner range 4294967295+2 reaches "
                                    "4294967295, which cannot be mapped")));
  EXPECT_THAT(IdMap::Create({{0, 4294967295u, 4294967295u}}),
              StatusIs(kInvalid, Eq("id map line 1: outer range 4294967295+4294967295 reaches "
                                    "4294967295, which cannot be mapped")));
}

TEST_F(IdMapTest, CreateRejectsTooManyLines) {
  std::vector<IdMapEntry> entries;
  for (std::uint32_t i = 0; i < 341; ++i) entries.push_back({i, i, 1});
  EXPECT_THAT(IdMap::Create(entries),
              StatusIs(kInvalid, Eq("id map has 341 lines; the kernel takes at most 340")));
  entries.pop_back();
  EXPECT_THAT(IdMap::Create(entries), IsOk());
}

TEST_F(IdMapTest, CreateRejectsTooManyBytes) {
  EXPECT_THAT(IdMap::Create(EntriesOf(LongLines(170))), IsOk());
  std::vector<IdMapEntry> entries = EntriesOf(LongLines(170));
  entries.push_back({4000000170u, 3000000170u, 1});
  EXPECT_THAT(IdMap::Create(entries),
              StatusIs(kInvalid, Eq("id map is 4104 bytes long; the kernel takes at most 4095")));
}

// --- Single and MapsOnlyOwnId ---

TEST_F(IdMapTest, SingleMapsOneIdOntoAnother) {
  IdMap map = IdMap::Single(0, 1000);
  EXPECT_THAT(map.entries(), ElementsAre(IdMapEntry{0, 1000, 1}));
  EXPECT_EQ(map.ToString(), "0 1000 1\n");
  EXPECT_EQ(map, *IdMap::Parse("0 1000 1"));
}

TEST_F(IdMapTest, MapsOnlyOwnIdForOneLineOfCountOneOntoThatId) {
  EXPECT_TRUE(IdMap::Single(0, 1000).MapsOnlyOwnId(1000));
  EXPECT_TRUE(IdMap::Single(5, 1000).MapsOnlyOwnId(1000));
  EXPECT_TRUE(IdMap::Single(0, 0).MapsOnlyOwnId(0));
}

TEST_F(IdMapTest, MapsOnlyOwnIdIsFalseForAnotherOuterId) {
  EXPECT_FALSE(IdMap::Single(1000, 0).MapsOnlyOwnId(1000));
  EXPECT_FALSE(IdMap::Single(0, 1000).MapsOnlyOwnId(0));
}

TEST_F(IdMapTest, MapsOnlyOwnIdIsFalseForCountAboveOne) {
  EXPECT_FALSE(IdMap::Parse("0 1000 2")->MapsOnlyOwnId(1000));
}

TEST_F(IdMapTest, MapsOnlyOwnIdIsFalseForSeveralLines) {
  EXPECT_FALSE(IdMap::Parse("0 1000 1\n1 1001 1")->MapsOnlyOwnId(1000));
  EXPECT_FALSE(IdMap::Parse("1 1001 1\n0 1000 1")->MapsOnlyOwnId(1000));
}

}  // namespace

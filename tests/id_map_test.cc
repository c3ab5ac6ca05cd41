// Tests for linuxns/id_map.h: every rule of the header comment, each with the
// exact message, and proof on the running kernel that the maps IdMap accepts
// are the maps the kernel takes, and that the ones it rejects get EINVAL.
#include "linuxns/id_map.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {

// Readable failures: "{0, 100000, 65536}" instead of raw bytes.
void PrintTo(const IdMapEntry& e, std::ostream* os) {
  *os << "{" << e.inner << ", " << e.outer << ", " << e.count << "}";
}
void PrintTo(const IdMap& map, std::ostream* os) {
  *os << "IdMap(\"" << absl::CHexEscape(map.ToString()) << "\")";
}
// Found by argument-dependent lookup through the template argument.
void PrintTo(const absl::StatusOr<IdMap>& map, std::ostream* os) {
  if (map.ok()) {
    PrintTo(*map, os);
  } else {
    *os << map.status();
  }
}

}  // namespace linuxns

namespace {

using ::linuxns::ErrnoError;
using ::linuxns::IdMap;
using ::linuxns::IdMapEntry;
using ::linuxns::UniqueFd;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// "i i 1\n" for i in [0, lines): non-overlapping, and short enough that even
// 341 lines stay under 4096 bytes (3190 bytes), so only the line limit bites.
std::string ShortLines(std::size_t lines) {
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) absl::StrAppend(&text, i, " ", i, " 1\n");
  return text;
}

// `lines` lines of exactly 24 bytes each ("4000000000 3000000000 1\n", with
// the numbers counting up): 170 lines are 4080 bytes, 171 are 4104.
std::string LongLines(std::size_t lines) {
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) {
    absl::StrAppend(&text, std::uint64_t{4000000000} + i, " ", std::uint64_t{3000000000} + i,
                    " 1\n");
  }
  return text;
}

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

// --- The kernel agrees ---

// What the kernel answered to one write() of a map.
struct KernelAnswer {
  ssize_t written = -1;   // write()'s result
  int write_errno = 0;    // errno when written < 0
  std::string map_after;  // the map file's content afterwards, as the kernel prints it
};

// Reads all of `fd` from offset 0.
absl::StatusOr<std::string> ReadAll(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "read map");
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

// Forks a child that unshares its user namespace and then waits on a pipe.
// The test process (root in the initial namespace) writes `text` to
// /proc/CHILD/`file` in one write() at offset 0 and reads the file back;
// then releases the child and reaps it.
absl::StatusOr<KernelAnswer> AskKernel(absl::string_view file, absl::string_view text) {
  int ready_fds[2];
  if (::pipe2(ready_fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd ready_read(ready_fds[0]);
  UniqueFd ready_write(ready_fds[1]);
  int release_fds[2];
  if (::pipe2(release_fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd release_read(release_fds[0]);
  UniqueFd release_write(release_fds[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork");
  if (pid == 0) {
    // ---- Child: async-signal-safe calls only, then _exit. ----
    ::close(release_fds[1]);
    const int err = ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
    if (::write(ready_fds[1], &err, sizeof err) != sizeof err) ::_exit(2);
    if (err != 0) ::_exit(1);
    char byte;
    while (::read(release_fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  ready_write.reset();
  release_read.reset();

  // Releases and reaps the child on every path out of this function.
  auto reap = [&release_write, pid]() -> absl::Status {
    release_write.reset();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return ErrnoError(errno, "waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return absl::InternalError(absl::StrCat("user namespace child ended with status ", status));
    }
    return absl::OkStatus();
  };

  int child_err = 0;
  ssize_t got = 0;
  do {
    got = ::read(ready_read.get(), &child_err, sizeof child_err);
  } while (got < 0 && errno == EINTR);
  if (got != sizeof child_err) {
    reap().IgnoreError();
    return absl::InternalError("user namespace child sent no answer");
  }
  if (child_err != 0) {
    reap().IgnoreError();
    return ErrnoError(child_err, "unshare(CLONE_NEWUSER) in the child");
  }

  const std::string path = absl::StrCat("/proc/", pid, "/", file);
  KernelAnswer answer;
  {
    UniqueFd map_fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!map_fd) {
      const int err = errno;
      reap().IgnoreError();
      return ErrnoError(err, absl::StrCat("open ", path));
    }
    answer.written = ::write(map_fd.get(), text.data(), text.size());
    answer.write_errno = answer.written < 0 ? errno : 0;
  }
  {
    UniqueFd map_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!map_fd) {
      const int err = errno;
      reap().IgnoreError();
      return ErrnoError(err, absl::StrCat("open ", path));
    }
    absl::StatusOr<std::string> after = ReadAll(map_fd.get());
    if (!after.ok()) {
      reap().IgnoreError();
      return after.status();
    }
    answer.map_after = *std::move(after);
  }
  if (absl::Status reaped = reap(); !reaped.ok()) return reaped;
  return answer;
}

class IdMapKernelTest : public linuxns::testing::LeakCheckedTest {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    LINUXNS_SKIP_UNLESS_ROOT() << " to write the uid_map of another user namespace";
  }

  // Expects the kernel to take `map` in one write(), and to read it back as
  // the same entries. The kernel sorts maps of more than 5 lines
  // (UID_GID_MAP_MAX_BASE_EXTENTS) by INNER, so order is not compared.
  static void ExpectKernelTakes(absl::string_view file, const IdMap& map) {
    const std::string text = map.ToString();
    ASSERT_OK_AND_ASSIGN(KernelAnswer answer, AskKernel(file, text));
    EXPECT_EQ(answer.written, static_cast<ssize_t>(text.size())) << "errno " << answer.write_errno;
    ASSERT_OK_AND_ASSIGN(IdMap after, IdMap::Parse(answer.map_after));
    EXPECT_THAT(after.entries(), UnorderedElementsAreArray(map.entries()));
  }

  // Expects the kernel to answer EINVAL to `text` and leave the map empty.
  static void ExpectKernelRejects(absl::string_view file, absl::string_view text) {
    ASSERT_OK_AND_ASSIGN(KernelAnswer answer, AskKernel(file, text));
    EXPECT_EQ(answer.written, -1);
    EXPECT_EQ(answer.write_errno, EINVAL);
    EXPECT_EQ(answer.map_after, "");
  }
};

TEST_F(IdMapKernelTest, KernelTakesMapsIdMapAccepts) {
  const std::string kAccepted[] = {
      "0 0 1",
      "0 100000 65536",
      "0 1000 1\n1 100000 65536\n",
      "0 100 10\n10 110 10",                // touching, not overlapping
      "0 0 4294967295",                     // the largest COUNT
      "4294967294 4294967294 1",            // the last mappable id on both sides
      ShortLines(340),                      // the most lines
      LongLines(170) + "1000 2000 1234\n",  // exactly 4095 bytes
  };
  for (const std::string& text : kAccepted) {
    SCOPED_TRACE(text.substr(0, 80));
    ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse(text));
    ExpectKernelTakes("uid_map", map);
  }
}

TEST_F(IdMapKernelTest, KernelTakesSingle) {
  ExpectKernelTakes("uid_map", IdMap::Single(0, 65534));
}

TEST_F(IdMapKernelTest, KernelAnswersEinvalToMapsIdMapRejects) {
  const std::string kRejected[] = {
      "0 1000 0",               // count 0
      "0 1000 10\n5 2000 10",   // inner overlap
      "0 1000 10\n100 1009 1",  // outer overlap
      "10 1000 1\n0 2000 100",  // containment
      "4294967295 0 2",         // inner past 2^32
      "0 4294967295 2",         // outer past 2^32
      "-1 0 1",
      "0 +5 1",
      "5x 1000 1",
      "0 1000",
      "0 0 1 1",
      "0 0 1\n\n1 1 1",                      // empty line in the middle
      "0 0 1\n\n",                           // second trailing newline
      ShortLines(341),                       // 341 lines in 3190 bytes
      LongLines(170) + "1000 2000 12345\n",  // 4096 bytes
  };
  for (const std::string& text : kRejected) {
    SCOPED_TRACE(text.substr(0, 80));
    EXPECT_THAT(IdMap::Parse(text), StatusIs(kInvalid));
    ExpectKernelRejects("uid_map", text);
  }
}

TEST_F(IdMapKernelTest, KernelAnswersEinvalToOverlapWrittenRaw) {
  // The raw text, never through IdMap: the kernel's own overlap check.
  ASSERT_THAT(IdMap::Parse("0 1000 10\n5 2000 10"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 5+10 overlaps line 1")));
  ExpectKernelRejects("uid_map", "0 1000 10\n5 2000 10\n");
  ASSERT_THAT(IdMap::Parse("0 1000 10\n100 1009 1"),
              StatusIs(kInvalid, Eq("id map line 2: outer range 1009+1 overlaps line 1")));
  ExpectKernelRejects("uid_map", "0 1000 10\n100 1009 1\n");
}

TEST_F(IdMapKernelTest, GidMapFollowsTheSameRules) {
  ExpectKernelTakes("gid_map", *IdMap::Parse("0 100 10\n10 110 10"));
  ExpectKernelRejects("gid_map", "0 1000 10\n5 2000 10\n");
}

TEST_F(IdMapKernelTest, KernelRejectsRangesCoveringIdMinusOne) {
  // The kernel's rule; IdMap should agree (see
  // RejectsRangesCoveringIdMinusOne).
  for (absl::string_view text : {"4294967295 0 1", "0 4294967295 1", "1 0 4294967295"}) {
    SCOPED_TRACE(text);
    ExpectKernelRejects("uid_map", text);
    EXPECT_THAT(IdMap::Parse(text), StatusIs(kInvalid));
  }
}

TEST_F(IdMapKernelTest, KernelTruncatesOverflowingFieldsThatIdMapRejects) {
  // The kernel parses fields as unsigned long and keeps the low 32 bits, so
  // it takes "4294967296 0 1" as "0 0 1": only the user-space check stops a
  // silently wrong map.
  ASSERT_OK_AND_ASSIGN(KernelAnswer answer, AskKernel("uid_map", "4294967296 0 1\n"));
  EXPECT_EQ(answer.written, 15);
  ASSERT_OK_AND_ASSIGN(IdMap after, IdMap::Parse(answer.map_after));
  EXPECT_EQ(after, IdMap::Single(0, 0)) << answer.map_after;
  EXPECT_THAT(IdMap::Parse("4294967296 0 1"), StatusIs(kInvalid, HasSubstr("INNER")));
}

}  // namespace

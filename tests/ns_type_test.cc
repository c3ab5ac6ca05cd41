// Tests for linuxns/ns_type.h: type names and flags, parsing, and NsTypeSet.
#include "linuxns/ns_type.h"

#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace {

using ::linuxns::CloneFlag;
using ::linuxns::kAllNsTypes;
using ::linuxns::kNsTypeCount;
using ::linuxns::NsType;
using ::linuxns::NsTypeFromCloneFlag;
using ::linuxns::NsTypeName;
using ::linuxns::NsTypeSet;
using ::linuxns::ParseNsType;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::IsOkAndHolds;
using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr absl::string_view kAcceptedNames = "mnt,uts,ipc,pid,net,user,cgroup,time";

// Everything that is documented as constexpr works at compile time.
constexpr NsTypeSet kNetPid = {NsType::kNet, NsType::kPid};
static_assert(kNetPid.size() == 2);
static_assert(kNetPid.Contains(NsType::kNet));
static_assert(!kNetPid.Contains(NsType::kUser));
static_assert(!kNetPid.empty());
static_assert(NsTypeSet().empty());
static_assert(NsTypeSet::All().size() == kNsTypeCount);
static_assert(NsTypeSet::All().ContainsAll(kNetPid));
static_assert(kNetPid.ToCloneFlags() == (CLONE_NEWNET | CLONE_NEWPID));
static_assert((kNetPid | NsTypeSet{NsType::kUts}).size() == 3);
static_assert((kNetPid & NsTypeSet{NsType::kNet}) == NsTypeSet{NsType::kNet});
static_assert((kNetPid - NsTypeSet{NsType::kNet}) == NsTypeSet{NsType::kPid});
static_assert(NsTypeSet().Add(NsType::kTime).Remove(NsType::kTime).empty());
static_assert(CloneFlag(NsType::kMnt) == CLONE_NEWNS);
static_assert(NsTypeName(NsType::kCgroup) == "cgroup");
static_assert(*kNetPid.begin() == NsType::kPid);
static_assert(std::forward_iterator<NsTypeSet::Iterator>);

constexpr int CountMembers(NsTypeSet set) {
  int n = 0;
  for (NsType t : set) {
    (void)t;
    ++n;
  }
  return n;
}
static_assert(CountMembers(NsTypeSet::All()) == kNsTypeCount);
static_assert(CountMembers(NsTypeSet()) == 0);

class NsTypeTest : public linuxns::testing::LeakCheckedTest {};

std::vector<NsType> Members(NsTypeSet set) { return {set.begin(), set.end()}; }

// --- NsType ---

TEST_F(NsTypeTest, NamesAreTheProcSelfNsEntries) {
  for (NsType t : kAllNsTypes) {
    const std::string path = absl::StrCat("/proc/self/ns/", NsTypeName(t));
    SCOPED_TRACE(path);
    EXPECT_EQ(::access(path.c_str(), F_OK), 0) << "missing " << path;
    // The link reads "net:[4026531840]": the name is also the kernel's.
    char target[64] = {};
    ASSERT_GT(::readlink(path.c_str(), target, sizeof target - 1), 0);
    EXPECT_TRUE(absl::StartsWith(target, absl::StrCat(NsTypeName(t), ":["))) << target;
  }
}

TEST_F(NsTypeTest, NamesAreExactlyTheEightKnownOnes) {
  std::vector<std::string> names;
  for (NsType t : kAllNsTypes) names.emplace_back(NsTypeName(t));
  EXPECT_THAT(names, ElementsAre("mnt", "uts", "ipc", "pid", "net", "user", "cgroup", "time"));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), 8u);
}

TEST_F(NsTypeTest, CloneFlagMatchesSchedH) {
  EXPECT_EQ(CloneFlag(NsType::kMnt), static_cast<std::uint64_t>(CLONE_NEWNS));
  EXPECT_EQ(CloneFlag(NsType::kUts), static_cast<std::uint64_t>(CLONE_NEWUTS));
  EXPECT_EQ(CloneFlag(NsType::kIpc), static_cast<std::uint64_t>(CLONE_NEWIPC));
  EXPECT_EQ(CloneFlag(NsType::kPid), static_cast<std::uint64_t>(CLONE_NEWPID));
  EXPECT_EQ(CloneFlag(NsType::kNet), static_cast<std::uint64_t>(CLONE_NEWNET));
  EXPECT_EQ(CloneFlag(NsType::kUser), static_cast<std::uint64_t>(CLONE_NEWUSER));
  EXPECT_EQ(CloneFlag(NsType::kCgroup), static_cast<std::uint64_t>(CLONE_NEWCGROUP));
  EXPECT_EQ(CloneFlag(NsType::kTime), static_cast<std::uint64_t>(CLONE_NEWTIME));
}

TEST_F(NsTypeTest, ParseNsTypeRoundTripsEveryName) {
  for (NsType t : kAllNsTypes) {
    SCOPED_TRACE(NsTypeName(t));
    EXPECT_THAT(ParseNsType(NsTypeName(t)), IsOkAndHolds(t));
  }
}

TEST_F(NsTypeTest, ParseNsTypeRejectsUnknownNameListingAcceptedOnes) {
  EXPECT_THAT(ParseNsType("network"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(absl::StrCat("unknown namespace type \"network\" (expected one of: ",
                                       kAcceptedNames, ")"))));
}

TEST_F(NsTypeTest, ParseNsTypeIsCaseSensitive) {
  EXPECT_THAT(ParseNsType("NET"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(absl::StrCat("unknown namespace type \"NET\" (expected one of: ",
                                       kAcceptedNames, ")"))));
}

TEST_F(NsTypeTest, ParseNsTypeRejectsEmptyAndPaddedNames) {
  EXPECT_THAT(ParseNsType(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                        Eq(absl::StrCat("unknown namespace type \"\" "
                                                        "(expected one of: ",
                                                        kAcceptedNames, ")"))));
  EXPECT_THAT(ParseNsType(" net"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNsType("pid_for_children"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(NsTypeTest, ParseNsTypeEscapesTheNameInTheMessage) {
  EXPECT_THAT(ParseNsType("n\"e\nt"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(absl::StrCat("unknown namespace type \"n\\\"e\\nt\" (expected one of: ",
                                       kAcceptedNames, ")"))));
}

TEST_F(NsTypeTest, NsTypeFromCloneFlagMapsEachFlag) {
  for (NsType t : kAllNsTypes) {
    SCOPED_TRACE(NsTypeName(t));
    EXPECT_THAT(NsTypeFromCloneFlag(CloneFlag(t)), Optional(t));
  }
}

TEST_F(NsTypeTest, NsTypeFromCloneFlagRejectsAnythingButOneNsFlag) {
  EXPECT_EQ(NsTypeFromCloneFlag(0), std::nullopt);
  EXPECT_EQ(NsTypeFromCloneFlag(CLONE_VM), std::nullopt);
  EXPECT_EQ(NsTypeFromCloneFlag(CLONE_NEWNET | CLONE_NEWPID), std::nullopt);
}

TEST_F(NsTypeTest, NsTypeStreamsItsName) {
  std::ostringstream os;
  os << NsType::kUser << "/" << NsType::kMnt;
  EXPECT_EQ(os.str(), "user/mnt");
}

// --- NsTypeSet::Parse and ToString ---

TEST_F(NsTypeTest, ParseGivesTheListedMembers) {
  ASSERT_OK_AND_ASSIGN(NsTypeSet set, NsTypeSet::Parse("net,pid"));
  EXPECT_EQ(set.size(), 2);
  EXPECT_TRUE(set.Contains(NsType::kNet));
  EXPECT_TRUE(set.Contains(NsType::kPid));
  EXPECT_FALSE(set.Contains(NsType::kMnt));
  EXPECT_EQ(set, (NsTypeSet{NsType::kNet, NsType::kPid}));
}

TEST_F(NsTypeTest, ParseOfOneName) {
  ASSERT_OK_AND_ASSIGN(NsTypeSet set, NsTypeSet::Parse("cgroup"));
  EXPECT_EQ(set, NsTypeSet{NsType::kCgroup});
}

TEST_F(NsTypeTest, ToStringFollowsEnumOrderWhateverTheInputOrder) {
  ASSERT_OK_AND_ASSIGN(NsTypeSet set, NsTypeSet::Parse("time,net,mnt,pid"));
  EXPECT_EQ(set.ToString(), "mnt,pid,net,time");
  EXPECT_EQ(NsTypeSet::All().ToString(), kAcceptedNames);
}

TEST_F(NsTypeTest, ParseRoundTripsToString) {
  ASSERT_OK_AND_ASSIGN(NsTypeSet all, NsTypeSet::Parse(kAcceptedNames));
  EXPECT_EQ(all, NsTypeSet::All());
  const NsTypeSet some = {NsType::kUts, NsType::kUser, NsType::kTime};
  EXPECT_THAT(NsTypeSet::Parse(some.ToString()), IsOkAndHolds(some));
}

TEST_F(NsTypeTest, EmptyStringParsesToEmptySet) {
  ASSERT_OK_AND_ASSIGN(NsTypeSet set, NsTypeSet::Parse(""));
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(set.ToString(), "");
}

TEST_F(NsTypeTest, ParseRejectsEmptyItems) {
  for (absl::string_view text : {"net,,pid", ",net", "net,", ","}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(NsTypeSet::Parse(text),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         Eq(absl::StrCat("empty item in namespace type list \"", text, "\""))));
  }
}

TEST_F(NsTypeTest, ParseRejectsDuplicates) {
  EXPECT_THAT(NsTypeSet::Parse("net,pid,net"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("namespace type \"net\" listed twice in \"net,pid,net\"")));
}

TEST_F(NsTypeTest, ParseRejectsUnknownItemNamingIt) {
  EXPECT_THAT(NsTypeSet::Parse("net,bogus"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq(absl::StrCat("unknown namespace type \"bogus\" (expected one of: ",
                                       kAcceptedNames, ")"))));
  EXPECT_THAT(NsTypeSet::Parse("net, pid"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(NsTypeSet::Parse("NET"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(NsTypeTest, SetStreamsItsToString) {
  std::ostringstream os;
  os << NsTypeSet{NsType::kNet, NsType::kMnt} << "|" << NsTypeSet();
  EXPECT_EQ(os.str(), "mnt,net|");
}

// --- Clone flags ---

TEST_F(NsTypeTest, FromCloneFlagsRoundTripsWithToCloneFlags) {
  const std::uint64_t all = NsTypeSet::All().ToCloneFlags();
  EXPECT_EQ(all, static_cast<std::uint64_t>(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                            CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUSER |
                                            CLONE_NEWCGROUP | CLONE_NEWTIME));
  EXPECT_THAT(NsTypeSet::FromCloneFlags(all), IsOkAndHolds(NsTypeSet::All()));

  const NsTypeSet some = {NsType::kIpc, NsType::kTime};
  EXPECT_EQ(some.ToCloneFlags(), static_cast<std::uint64_t>(CLONE_NEWIPC | CLONE_NEWTIME));
  EXPECT_THAT(NsTypeSet::FromCloneFlags(some.ToCloneFlags()), IsOkAndHolds(some));
}

TEST_F(NsTypeTest, FromCloneFlagsOfZeroIsEmpty) {
  ASSERT_OK_AND_ASSIGN(NsTypeSet set, NsTypeSet::FromCloneFlags(0));
  EXPECT_TRUE(set.empty());
  EXPECT_EQ(NsTypeSet().ToCloneFlags(), 0u);
}

TEST_F(NsTypeTest, FromCloneFlagsRejectsOtherFlagsNamingThem) {
  EXPECT_THAT(NsTypeSet::FromCloneFlags(CLONE_VM),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("flags 0x100 are not CLONE_NEW* namespace flags")));
  // Only the offending bits are named, not the valid ones beside them.
  EXPECT_THAT(NsTypeSet::FromCloneFlags(CLONE_NEWNET | CLONE_VM | CLONE_FILES),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("flags 0x500 are not CLONE_NEW* namespace flags")));
}

TEST_F(NsTypeTest, FromCloneFlagsRejectsUnknownHighBits) {
  EXPECT_THAT(NsTypeSet::FromCloneFlags(std::uint64_t{1} << 40),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("flags 0x10000000000 are not CLONE_NEW* namespace flags")));
}

// --- Set operations ---

TEST_F(NsTypeTest, IteratesInEnumOrder) {
  const NsTypeSet set = {NsType::kTime, NsType::kNet, NsType::kMnt, NsType::kUser};
  EXPECT_THAT(Members(set), ElementsAre(NsType::kMnt, NsType::kNet, NsType::kUser, NsType::kTime));
  EXPECT_THAT(Members(NsTypeSet::All()),
              ElementsAre(NsType::kMnt, NsType::kUts, NsType::kIpc, NsType::kPid, NsType::kNet,
                          NsType::kUser, NsType::kCgroup, NsType::kTime));
  EXPECT_THAT(Members(NsTypeSet()), IsEmpty());
}

TEST_F(NsTypeTest, PostIncrementReturnsOldPosition) {
  const NsTypeSet set = {NsType::kUts, NsType::kCgroup};
  NsTypeSet::Iterator it = set.begin();
  NsTypeSet::Iterator old = it++;
  EXPECT_EQ(*old, NsType::kUts);
  EXPECT_EQ(*it, NsType::kCgroup);
  ++it;
  EXPECT_TRUE(it == set.end());
  EXPECT_EQ(std::distance(set.begin(), set.end()), 2);
}

TEST_F(NsTypeTest, SizeAndEmpty) {
  EXPECT_EQ(NsTypeSet().size(), 0);
  EXPECT_TRUE(NsTypeSet().empty());
  EXPECT_EQ(NsTypeSet{NsType::kPid}.size(), 1);
  EXPECT_FALSE(NsTypeSet{NsType::kPid}.empty());
  EXPECT_EQ(NsTypeSet::All().size(), 8);
  // Listing a type twice adds it once.
  EXPECT_EQ((NsTypeSet{NsType::kPid, NsType::kPid}).size(), 1);
}

TEST_F(NsTypeTest, ContainsAndContainsAll) {
  const NsTypeSet set = {NsType::kNet, NsType::kPid, NsType::kUts};
  EXPECT_TRUE(set.Contains(NsType::kUts));
  EXPECT_FALSE(set.Contains(NsType::kIpc));
  EXPECT_TRUE(set.ContainsAll({NsType::kNet, NsType::kPid}));
  EXPECT_TRUE(set.ContainsAll(set));
  EXPECT_TRUE(set.ContainsAll(NsTypeSet()));
  EXPECT_FALSE(set.ContainsAll({NsType::kNet, NsType::kIpc}));
  EXPECT_FALSE(set.ContainsAll(NsTypeSet::All()));
  EXPECT_TRUE(NsTypeSet::All().ContainsAll(set));
}

TEST_F(NsTypeTest, AddAndRemove) {
  NsTypeSet set;
  set.Add(NsType::kIpc).Add(NsType::kUser);
  EXPECT_EQ(set, (NsTypeSet{NsType::kIpc, NsType::kUser}));
  set.Add(NsType::kIpc);
  EXPECT_EQ(set.size(), 2);
  set.Remove(NsType::kIpc);
  EXPECT_EQ(set, NsTypeSet{NsType::kUser});
  set.Remove(NsType::kIpc);  // Removing an absent type changes nothing.
  EXPECT_EQ(set, NsTypeSet{NsType::kUser});
  set.Remove(NsType::kUser);
  EXPECT_TRUE(set.empty());
}

TEST_F(NsTypeTest, UnionIntersectionAndDifference) {
  const NsTypeSet a = {NsType::kNet, NsType::kPid, NsType::kMnt};
  const NsTypeSet b = {NsType::kPid, NsType::kUser};
  EXPECT_EQ(a | b, (NsTypeSet{NsType::kNet, NsType::kPid, NsType::kMnt, NsType::kUser}));
  EXPECT_EQ(a & b, NsTypeSet{NsType::kPid});
  EXPECT_EQ(a - b, (NsTypeSet{NsType::kNet, NsType::kMnt}));
  EXPECT_EQ(b - a, NsTypeSet{NsType::kUser});
  EXPECT_EQ(a - a, NsTypeSet());
  EXPECT_EQ((NsTypeSet::All() - a) | a, NsTypeSet::All());
  EXPECT_EQ(a & NsTypeSet(), NsTypeSet());
}

TEST_F(NsTypeTest, AllHasEveryType) {
  EXPECT_EQ(NsTypeSet::All().size(), 8);
  for (NsType t : kAllNsTypes) EXPECT_TRUE(NsTypeSet::All().Contains(t)) << t;
}

}  // namespace

#include "lsns_options.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/status_matchers.h"

namespace linuxns::tools {
namespace {

using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using C = LsnsColumn;

absl::StatusOr<LsnsOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "lsns");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseLsnsOptions(static_cast<int>(args.size()), argv.data());
}

void ExpectError(std::vector<std::string> args, const std::string& message, bool usage) {
  absl::StatusOr<LsnsOptions> o = Parse(args);
  ASSERT_THAT(o, StatusIs(absl::StatusCode::kInvalidArgument, message));
  EXPECT_EQ(IsLsnsUsageError(o.status()), usage) << message;
}

TEST(LsnsOptionsTest, DefaultsAreUtilLinuxColumnsAndProcessTree) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({}));
  EXPECT_THAT(o.columns, ElementsAre(C::kNs, C::kType, C::kNprocs, C::kPid, C::kUser, C::kCommand));
  EXPECT_EQ(o.tree, LsnsTree::kProcess);
  EXPECT_EQ(o.types, NsTypeSet::All());
  EXPECT_FALSE(o.json || o.raw || o.list || o.no_headings || o.persistent);
}

TEST(LsnsOptionsTest, ListTurnsTheTreeOff) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-l"}));
  EXPECT_EQ(o.tree, LsnsTree::kNone);
  EXPECT_TRUE(o.list);
}

TEST(LsnsOptionsTest, NetTypeAddsNetnsidAndNsfs) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-t", "net"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kNet});
  EXPECT_THAT(o.columns, ElementsAre(C::kNs, C::kType, C::kNprocs, C::kPid, C::kUser, C::kNetnsid,
                                     C::kNsfs, C::kCommand));
}

TEST(LsnsOptionsTest, SeveralTypes) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-t", "pid", "--type=user"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kPid, NsType::kUser}));
}

TEST(LsnsOptionsTest, OutputReplacesAndPlusAppends) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-o", "ns,TYPE,Pid"}));
  EXPECT_THAT(o.columns, ElementsAre(C::kNs, C::kType, C::kPid));
  ASSERT_OK_AND_ASSIGN(LsnsOptions p, Parse({"--output", "+PATH,NSFS"}));
  EXPECT_THAT(p.columns, ElementsAre(C::kNs, C::kType, C::kNprocs, C::kPid, C::kUser, C::kCommand,
                                     C::kPath, C::kNsfs));
}

TEST(LsnsOptionsTest, OutputAllListsEveryColumnInOrder) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"--output-all"}));
  ASSERT_EQ(o.columns.size(), static_cast<size_t>(kLsnsColumnCount));
  for (int i = 0; i < kLsnsColumnCount; ++i) EXPECT_EQ(o.columns[i], static_cast<C>(i));
  // No default tree without default columns, as util-linux.
  EXPECT_EQ(o.tree, LsnsTree::kNone);
}

TEST(LsnsOptionsTest, BundledFlagsAndTask) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-nruWp", "42"}));
  EXPECT_TRUE(o.no_headings);
  EXPECT_TRUE(o.raw);
  EXPECT_TRUE(o.no_truncate);
  EXPECT_TRUE(o.no_wrap);
  EXPECT_EQ(o.pid, 42);
}

TEST(LsnsOptionsTest, RawImpliesNoWrap) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-r"}));
  EXPECT_TRUE(o.no_wrap);
}

TEST(LsnsOptionsTest, TreeRelations) {
  const std::map<std::vector<std::string>, LsnsTree> cases = {
      {{"-T"}, LsnsTree::kOwner},        {{"--tree"}, LsnsTree::kOwner},
      {{"-Tparent"}, LsnsTree::kParent}, {{"--tree=process"}, LsnsTree::kProcess},
      {{"-T=owner"}, LsnsTree::kOwner},
  };
  for (const auto& [args, tree] : cases) {
    ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse(args));
    EXPECT_EQ(o.tree, tree) << args[0];
  }
}

TEST(LsnsOptionsTest, NamespaceArgumentSelectsProcessColumns) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"4026531840"}));
  EXPECT_EQ(o.ns, 4026531840u);
  // As strtoumax(3): blanks and a sign may come first.
  ASSERT_OK_AND_ASSIGN(LsnsOptions signed_ns, Parse({" +18446744073709551615"}));
  EXPECT_EQ(signed_ns.ns, 18446744073709551615u);
  ASSERT_OK_AND_ASSIGN(LsnsOptions pid, Parse({"-p", " -1"}));
  EXPECT_EQ(pid.pid, -1);
  EXPECT_THAT(o.columns, ElementsAre(C::kPid, C::kPpid, C::kUser, C::kCommand));
  EXPECT_EQ(o.tree, LsnsTree::kProcess);
}

TEST(LsnsOptionsTest, HelpVersionAndListColumnsStopParsing) {
  ASSERT_OK_AND_ASSIGN(LsnsOptions h, Parse({"-h", "-t", "bogus"}));
  EXPECT_TRUE(h.help);
  ASSERT_OK_AND_ASSIGN(LsnsOptions v, Parse({"--version"}));
  EXPECT_TRUE(v.version);
  ASSERT_OK_AND_ASSIGN(LsnsOptions c, Parse({"-H"}));
  EXPECT_TRUE(c.list_columns);
}

TEST(LsnsOptionsTest, ErrorsUseUtilLinuxWording) {
  ExpectError({"-t", "xyz"}, "unknown namespace type: xyz", false);
  ExpectError({"-o", "NS,FOO"}, "unknown column: FOO", false);
  ExpectError({"-o", "+BAR"}, "unknown column: BAR", false);
  ExpectError({"-p", "abc"}, "invalid PID argument: 'abc'", false);
  ExpectError({"-Tfoo"}, "unknown tree type: foo", false);
  ExpectError({"-J", "-r"}, "mutually exclusive arguments: --json --raw", false);
  ExpectError({"-p", "1", "-P"}, "mutually exclusive arguments: --persistent --task", false);
  ExpectError({"-T", "-l"}, "mutually exclusive arguments: --list --tree", false);
  ExpectError({"-p", "1", "5"}, "--task is mutually exclusive with <namespace>", false);
  ExpectError({"x"}, "invalid namespace argument: 'x'", false);
  // Numbers as util-linux's strtos32_or_err() and strtou64_or_err() read
  // them: nothing after the digits, and out of range named as such.
  ExpectError({"-p", "7 "}, "invalid PID argument: '7 '", false);
  ExpectError({"-p", ""}, "invalid PID argument: ''", false);
  ExpectError({"-p", "2147483648"},
              "invalid PID argument: '2147483648': Numerical result out of range", false);
  ExpectError({"-p", "-99999999999999999999"},
              "invalid PID argument: '-99999999999999999999': Numerical result out of range",
              false);
  ExpectError({"4026531840\n"}, "invalid namespace argument: '4026531840\n'", false);
  ExpectError({"--", "-1"}, "invalid namespace argument: '-1': Numerical result out of range",
              false);
  ExpectError({"18446744073709551616"},
              "invalid namespace argument: '18446744073709551616': Numerical result out of range",
              false);
  // -T takes its argument only when attached, as getopt's optional arguments.
  ExpectError({"-T", "foo"}, "invalid namespace argument: 'foo'", false);
}

TEST(LsnsOptionsTest, GetoptErrorsAreUsageErrors) {
  ExpectError({"-p"}, "option requires an argument -- 'p'", true);
  ExpectError({"--task"}, "option '--task' requires an argument", true);
  ExpectError({"-x"}, "invalid option -- 'x'", true);
  ExpectError({"--bogus"}, "unrecognized option '--bogus'", true);
  // As glibc words them: an abbreviation by the option's full name, an
  // ambiguous one with its possibilities.
  ExpectError({"--tas"}, "option '--task' requires an argument", true);
  ExpectError({"--j=1"}, "option '--json' doesn't allow an argument", true);
  ExpectError({"--no"},
              "option '--no' is ambiguous; possibilities: '--notruncate' '--noheadings' "
              "'--nowrap'",
              true);
}

TEST(LsnsOptionsTest, ParsesTwiceInARow) {
  ASSERT_OK(Parse({"-t", "net"}));
  ASSERT_OK_AND_ASSIGN(LsnsOptions o, Parse({"-p", "7"}));
  EXPECT_EQ(o.pid, 7);
  EXPECT_EQ(o.types, NsTypeSet::All());
}

// The filter: evaluated against a row given as a map of cells.
bool Filter(const std::string& expr, const std::map<C, std::string>& row) {
  absl::StatusOr<LsnsFilter> f = LsnsFilter::Parse(expr);
  EXPECT_OK(f) << expr;
  if (!f.ok()) return false;
  return f->Matches([&](C column) -> std::optional<std::string> {
    auto it = row.find(column);
    if (it == row.end()) return std::nullopt;
    return it->second;
  });
}

TEST(LsnsFilterTest, ComparisonsOnNumbersAndStrings) {
  const std::map<C, std::string> row = {
      {C::kNs, "4026531840"}, {C::kType, "net"}, {C::kNprocs, "12"}, {C::kCommand, "sleep 60"}};
  EXPECT_TRUE(Filter("TYPE == \"net\"", row));
  EXPECT_FALSE(Filter("TYPE != 'net'", row));
  EXPECT_TRUE(Filter("NPROCS > 2", row));
  EXPECT_FALSE(Filter("NPROCS < 2", row));
  EXPECT_TRUE(Filter("NPROCS >= 12 && NPROCS <= 12", row));
  EXPECT_TRUE(Filter("NS == 4026531840", row));
  EXPECT_TRUE(Filter("COMMAND =~ \"^sleep\"", row));
  EXPECT_FALSE(Filter("COMMAND =~ \"^bash\"", row));
  EXPECT_TRUE(Filter("COMMAND !~ \"^bash\"", row));
  EXPECT_TRUE(Filter("type eq 'net' and nprocs gt 10", row));
}

TEST(LsnsFilterTest, LogicAndParentheses) {
  const std::map<C, std::string> row = {{C::kType, "pid"}, {C::kNprocs, "1"}};
  EXPECT_TRUE(Filter("TYPE == 'net' || TYPE == 'pid'", row));
  EXPECT_FALSE(Filter("!(TYPE == 'net' || TYPE == 'pid')", row));
  EXPECT_TRUE(Filter("(TYPE == 'net' || TYPE == 'pid') && NPROCS == 1", row));
  EXPECT_FALSE(Filter("TYPE == 'net' || TYPE == 'pid' && NPROCS == 2", row));
  EXPECT_TRUE(Filter("not TYPE == 'net'", row));
}

TEST(LsnsFilterTest, EmptyCellsFailNumericComparisons) {
  const std::map<C, std::string> row = {{C::kType, "net"}};
  EXPECT_FALSE(Filter("PID > 0", row));
  EXPECT_FALSE(Filter("PID == 0", row));
  EXPECT_TRUE(Filter("PID != 1", row));
  EXPECT_FALSE(Filter("NSFS", row));
  EXPECT_TRUE(Filter("TYPE", row));
}

// A bare column: a string column is true when not empty, whatever it holds
// (NETNSID 0 is an id), a number column when not 0, as libsmartcols.
TEST(LsnsFilterTest, BareColumnsAreTrueAsLibsmartcolsMakesThem) {
  const std::map<C, std::string> row = {
      {C::kNetnsid, "0"}, {C::kCommand, "0"}, {C::kPns, "0"}, {C::kOns, "4026531837"}};
  EXPECT_TRUE(Filter("NETNSID", row));
  EXPECT_TRUE(Filter("COMMAND", row));
  EXPECT_FALSE(Filter("PNS", row));
  EXPECT_TRUE(Filter("ONS", row));
  EXPECT_FALSE(Filter("NETNSID && PNS", row));
}

TEST(LsnsFilterTest, SyntaxErrors) {
  EXPECT_THAT(LsnsFilter::Parse("FOO == 1"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown column: FOO"));
  EXPECT_THAT(LsnsFilter::Parse("TYPE =="),
              StatusIs(absl::StatusCode::kInvalidArgument, "unexpected end of expression"));
  EXPECT_THAT(LsnsFilter::Parse("(TYPE == 'net'"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unexpected end of expression"));
  EXPECT_THAT(LsnsFilter::Parse("TYPE == net"),
              StatusIs(absl::StatusCode::kInvalidArgument, "syntax error at 9 near 'net'"));
  EXPECT_THAT(LsnsFilter::Parse("TYPE == 'net"),
              StatusIs(absl::StatusCode::kInvalidArgument, "unterminated string at 9"));
  EXPECT_THAT(LsnsFilter::Parse("COMMAND =~ '('"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Deep or long expressions are refused, not a stack overflow (the fuzzer
// found 2,425 '(' enough to crash the parser under ASan).
TEST(LsnsFilterTest, DepthAndLengthAreBounded) {
  const std::map<C, std::string> row = {{C::kNs, "5"}};
  EXPECT_TRUE(Filter(std::string(256, '!') + "NS == 5", row));
  EXPECT_TRUE(Filter(std::string(256, '(') + "NS == 5" + std::string(256, ')'), row));
  EXPECT_THAT(LsnsFilter::Parse(std::string(257, '!') + "NS == 5"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "filter nested too deeply at 257: more than 256 levels of '(' and '!'"));
  EXPECT_THAT(
      LsnsFilter::Parse(std::string(50000, '(') + "NS"),
      StatusIs(absl::StatusCode::kInvalidArgument, "filter too long: more than 4096 tokens"));
  std::string chain = "NS == 1";
  for (int i = 0; i < 1023; ++i) chain += " || NS == 1";  // 3 + 4 * 1023 = 4095 tokens
  EXPECT_TRUE(LsnsFilter::Parse(chain).ok());
  EXPECT_THAT(
      LsnsFilter::Parse(chain + " || NS == 1"),
      StatusIs(absl::StatusCode::kInvalidArgument, "filter too long: more than 4096 tokens"));
}

// What regcomp would write out of a filter's regexes is bounded before it
// sees them: "a{1,32767}" made it take gigabytes. The repetitions may add at
// most 1000 elements: {m,n} makes n copies (n - 1 more), {m,} m + 1, '+'
// two, nested repetitions multiply, and the budget is shared by all the
// regexes of one filter; a bracket expression is one element, and plain
// characters cost nothing.
TEST(LsnsFilterTest, RegexRepetitionsAreBounded) {
  auto refused = [](const std::string& re) {
    return StatusIs(absl::StatusCode::kInvalidArgument,
                    "bad regex '" + re +
                        "': the repetitions in a filter's regular expressions may add at most "
                        "1000 elements ({m,n} makes n copies of what it follows, nested "
                        "repetitions multiply)");
  };
  struct Case {
    std::string re;
    bool accepted;
  };
  const Case kCases[] = {
      {"a{1,32767}", false},
      {"a{99999999999999999999999}", false},
      {"a{1001}", true},  // 1000 more
      {"a{1002}", false},
      {"a{1000,}", true},  // {m,} makes m + 1
      {"a{1001,}", false},
      {"x{,5000}", false},  // glibc reads "{,n}" as "{0,n}"
      // Nested: a{0,9} is 10 elements (the operator counts), its group 11,
      // and so on: 910 in all, 904 more than written.
      {"((a{0,9}){0,9}){0,9}", true},
      {"((a{0,10}){0,10}){0,10}", false},
      // A group counts 1 and what it holds: (ab|cd) is 6 elements.
      {"(ab|cd){0,167}", true},
      {"(ab|cd){0,168}", false},
      // '+' makes two copies; '*' and '?' are one element each, which
      // counts when they are repeated.
      {"(a{0,499})+", true},
      {"(a{0,500})+", false},
      {"(a{0,1000})*", true},
      {"((((a?)?)?)?){0,1001}", false},
      // A bracket is one element, whatever it holds ("]" first, "[:alpha:]").
      {"[]a{([:alpha:]]{1001}", true},
      {"[]a{([:alpha:]]{1002}", false},
      // An escaped brace is a character; characters cost nothing.
      {"x\\{5000}", true},
      {std::string(5000, 'x'), true},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<LsnsFilter> filter = LsnsFilter::Parse("COMMAND =~ '" + c.re + "'");
    if (c.accepted) {
      EXPECT_TRUE(filter.ok()) << c.re << ": " << filter.status();
    } else {
      EXPECT_THAT(filter, refused(c.re));
    }
  }
  // One budget for the whole filter.
  EXPECT_TRUE(LsnsFilter::Parse("COMMAND =~ 'a{501}' || COMMAND !~ 'b{501}'").ok());
  EXPECT_THAT(LsnsFilter::Parse("COMMAND =~ 'a{501}' || COMMAND !~ 'b{502}'"), refused("b{502}"));
  // Ordinary patterns keep working.
  const std::map<C, std::string> row = {{C::kPath, "/proc/4242/ns/net"}};
  EXPECT_TRUE(Filter("PATH =~ '^/proc/[0-9]{1,7}/ns/(net|mnt)$'", row));
  EXPECT_FALSE(Filter("PATH =~ '^/proc/[0-9]{1,3}/ns/(net|mnt)$'", row));
}
}  // namespace
}  // namespace linuxns::tools

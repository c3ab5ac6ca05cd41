// What the four tools say on the way out: a failed write of standard output
// is an error (util-linux's close_stdout: "tool: write error: ...", exit 1),
// and getopt's complaints are worded as glibc's getopt_long words them,
// side by side with util-linux 2.38 (/usr/bin) where its options agree.
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

constexpr char kFull[] = ">/dev/full";
constexpr char kClosed[] = ">&-";

std::string WriteError(const Tool& tool, const char* reason) {
  return absl::StrCat(tool.name, ": write error: ", reason, "\n");
}

class ToolOutputTest : public ::testing::TestWithParam<Tool> {};

TEST_P(ToolOutputTest, HelpAndVersionIntoAFullDeviceAreWriteErrors) {
  for (const char* option : {"--help", "--version"}) {
    ToolResult r = RunToolInShell("", {GetParam().path, option}, kFull);
    EXPECT_EQ(r.code, 1) << option;
    EXPECT_EQ(r.err, WriteError(GetParam(), "No space left on device")) << option;
  }
}

TEST_P(ToolOutputTest, HelpIntoAClosedStdoutIsAWriteError) {
  // util-linux forgives EBADF at the final flush (see LsnsOutputTest below);
  // output that never reached anyone is an error here.
  ToolResult r = RunToolInShell("", {GetParam().path, "--help"}, kClosed);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, WriteError(GetParam(), "Bad file descriptor"));
}

INSTANTIATE_TEST_SUITE_P(AllTools, ToolOutputTest, ::testing::ValuesIn(kAllTools), ToolTestName);

// The same as util-linux's tool of that name in /usr/bin, whose argv[0] is
// the path where ours says the name.
void ExpectSameAsUtilLinux(const std::string& name, const std::string& ours,
                           const std::vector<std::string>& args, const std::string& redirect) {
  const std::string theirs = "/usr/bin/" + name;
  if (::access(theirs.c_str(), X_OK) != 0) {
    GTEST_SKIP() << theirs << " is not installed";
  }
  std::vector<std::string> argv = {ours};
  argv.insert(argv.end(), args.begin(), args.end());
  ToolResult a = RunToolInShell("", argv, redirect);
  argv[0] = theirs;
  ToolResult b = RunToolInShell("", argv, redirect);
  std::string expected = b.err;
  for (std::size_t at; (at = expected.find(theirs + ":")) != std::string::npos;) {
    expected.replace(at, theirs.size(), name);
  }
  EXPECT_EQ(a.code, b.code) << name << " " << args[0];
  EXPECT_EQ(a.err, expected) << name << " " << args[0];
}

TEST(UtilLinuxOutputTest, WriteErrorsIntoAFullDeviceAreTheSame) {
  for (const Tool& tool : kAllTools) {
    if (std::string(tool.name) == "nsexec") continue;  // not in util-linux
    for (const char* option : {"--help", "--version"}) {
      ExpectSameAsUtilLinux(tool.name, tool.path, {option}, kFull);
    }
  }
  ExpectSameAsUtilLinux("lsns", LINUXNS_LSNS_PATH, {"--type", "uts"}, kFull);
}

TEST(LsnsOutputTest, ListingAndListColumnsIntoAFullDeviceOrAClosedStdoutAreWriteErrors) {
  const Tool lsns = kAllTools[3];
  // util-linux 2.38's lsns exits 0 into a closed stdout: its close_stdout
  // flushes with flush_standard_stream(), which counts EBADF as success (a
  // closed descriptor "cannot be written, so nothing was lost"); only output
  // larger than the stream's buffer, written before the end, fails there.
  for (const char* redirect : {kFull, kClosed}) {
    for (std::vector<std::string> argv : {std::vector<std::string>{lsns.path},
                                          std::vector<std::string>{lsns.path, "--list-columns"}}) {
      ToolResult r = RunToolInShell("", argv, redirect);
      EXPECT_EQ(r.code, 1) << argv.back() << " " << redirect;
      EXPECT_EQ(r.err, WriteError(lsns, redirect == kFull ? "No space left on device"
                                                          : "Bad file descriptor"))
          << argv.back() << " " << redirect;
    }
  }
}

// getopt's complaints: the message, then util-linux's hint.
std::string UsageError(const std::string& tool, const std::string& message) {
  return absl::StrCat(tool, ": ", message, "\nTry '", tool, " --help' for more information.\n");
}

struct BadOption {
  const char* tool;
  std::vector<std::string> args;
  const char* message;
};

// Per tool: an ambiguous abbreviation, an abbreviation given an argument it
// does not take, one missing its argument, and an invalid short option in a
// bundle after a long option.
const BadOption kBadOptions[] = {
    {"nsexec",
     {"--n", "true"},
     "option '--n' is ambiguous; possibilities: '--no-kill-child' '--net'"},
    {"nsexec", {"--ini=1", "true"}, "option '--init' doesn't allow an argument"},
    {"nsexec", {"--ut"}, "option '--uts' requires an argument"},
    {"nsexec", {"--pid", "-xp", "true"}, "invalid option -- 'x'"},
    {"unshare",
     {"--map"},
     "option '--map' is ambiguous; possibilities: '--map-user' "
     "'--map-users' '--map-group' '--map-groups' '--map-root-user' "
     "'--map-current-user' '--map-auto' '--map-subids'"},
    {"unshare", {"--kee=1"}, "option '--keep-caps' doesn't allow an argument"},
    {"unshare", {"--setu"}, "option '--setuid' requires an argument"},
    {"unshare", {"--fork", "-xf"}, "invalid option -- 'x'"},
    {"nsenter",
     {"--n"},
     "option '--n' is ambiguous; possibilities: '--net' '--net-socket' "
     "'--no-fork'"},
    {"nsenter", {"--pre=1"}, "option '--preserve-credentials' doesn't allow an argument"},
    {"nsenter", {"--wdn"}, "option '--wdns' requires an argument"},
    {"nsenter", {"--all", "-xa"}, "invalid option -- 'x'"},
    {"lsns",
     {"--no"},
     "option '--no' is ambiguous; possibilities: '--notruncate' "
     "'--noheadings' '--nowrap'"},
    {"lsns", {"--j=1"}, "option '--json' doesn't allow an argument"},
    {"lsns", {"--tas"}, "option '--task' requires an argument"},
    {"lsns", {"--json", "-xJ"}, "invalid option -- 'x'"},
};

// The same cases where util-linux 2.38's options agree with ours.
const BadOption kAsUtilLinux[] = {
    {"unshare", {"--kee=1"}, ""},    {"unshare", {"--se"}, ""},  {"unshare", {"--fork", "-xf"}, ""},
    {"nsenter", {"--pre=1"}, ""},    {"nsenter", {"--set"}, ""}, {"nsenter", {"--all", "-xa"}, ""},
    {"lsns", {"--no"}, ""},          {"lsns", {"--j=1"}, ""},    {"lsns", {"--tas"}, ""},
    {"lsns", {"--json", "-xJ"}, ""},
};

class GetoptMessagesTest : public ::testing::TestWithParam<Tool> {};

TEST_P(GetoptMessagesTest, AreGlibcsWording) {
  const std::string name = GetParam().name;
  for (const BadOption& c : kBadOptions) {
    if (name != c.tool) continue;
    std::vector<std::string> argv = {GetParam().path};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    ToolResult r = RunTool(argv);
    EXPECT_EQ(r.code, 1) << c.args[0];
    EXPECT_EQ(r.err, UsageError(name, c.message)) << c.args[0];
  }
}

TEST_P(GetoptMessagesTest, AreUtilLinuxsWhereTheOptionsAgree) {
  for (const BadOption& c : kAsUtilLinux) {
    if (GetParam().name == std::string(c.tool)) {
      ExpectSameAsUtilLinux(c.tool, GetParam().path, c.args, "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTools, GetoptMessagesTest, ::testing::ValuesIn(kAllTools),
                         ToolTestName);

}  // namespace
}  // namespace linuxns::testing

#include "nsexec_options.h"

#include <getopt.h>

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

absl::StatusOr<NsexecOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "nsexec");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseNsexecOptions(static_cast<int>(args.size()), argv.data());
}

TEST(NsexecOptionsTest, BundledShortOptionsWithHostname) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"-npu", "myhost", "bash"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kNet, NsType::kPid, NsType::kUts, NsType::kMnt}));
  EXPECT_EQ(o.hostname, "myhost");
  EXPECT_THAT(o.command, ElementsAre("bash"));
}

TEST(NsexecOptionsTest, LongOptionsAndEveryType) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"--user", "--ipc", "--cgroup", "--time", "--mount",
                                               "--uts=h", "--verbose", "id"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kUser, NsType::kIpc, NsType::kCgroup, NsType::kTime,
                                NsType::kMnt, NsType::kUts}));
  EXPECT_TRUE(o.verbose);
}

TEST(NsexecOptionsTest, InitIsALongOnlyOption) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"-p", "--init", "sh"}));
  EXPECT_TRUE(o.init);
  ASSERT_OK_AND_ASSIGN(o, Parse({"-p", "sh"}));
  EXPECT_FALSE(o.init);
}

TEST(NsexecOptionsTest, OptionsStopAtTheCommand) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"-n", "ls", "-l", "--all"}));
  EXPECT_THAT(o.command, ElementsAre("ls", "-l", "--all"));
  ASSERT_OK_AND_ASSIGN(o, Parse({"-n", "--", "-weird-name"}));
  EXPECT_THAT(o.command, ElementsAre("-weird-name"));
}

TEST(NsexecOptionsTest, ErrorsUseGlibcWording) {
  EXPECT_THAT(Parse({"-x", "true"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid option -- 'x'"));
  EXPECT_THAT(Parse({"--bogus", "true"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unrecognized option '--bogus'"));
  EXPECT_THAT(Parse({"-u"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "option requires an argument -- 'u'"));
  EXPECT_THAT(Parse({"--uts"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "option '--uts' requires an argument"));
  EXPECT_THAT(Parse({"--net=x", "true"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                   "option '--net' doesn't allow an argument"));
  EXPECT_THAT(Parse({"-n"}), StatusIs(absl::StatusCode::kInvalidArgument, "no command given"));
}

TEST(NsexecOptionsTest, AbbreviationErrorsAreWordedAsGlibcWordsThem) {
  EXPECT_THAT(Parse({"--n", "true"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "option '--n' is ambiguous; possibilities: '--no-kill-child' '--net'"));
  EXPECT_THAT(Parse({"--ini=1", "true"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                   "option '--init' doesn't allow an argument"));
  EXPECT_THAT(Parse({"--ut"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "option '--uts' requires an argument"));
  EXPECT_THAT(Parse({"--pid", "-xp", "true"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid option -- 'x'"));
  // Unique abbreviations work.
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"--ne", "--no-k", "true"}));
  EXPECT_TRUE(o.types.Contains(NsType::kNet));
  EXPECT_TRUE(o.no_kill_child);
}

TEST(NsexecOptionsTest, VethTakesTwoAddressesAndImpliesANetworkNamespace) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"--veth", "192.0.2.1/24,192.0.2.2/24", "sh"}));
  ASSERT_TRUE(o.veth.has_value());
  EXPECT_EQ(o.veth->host.ToString(), "192.0.2.1/24");
  EXPECT_EQ(o.veth->peer.ToString(), "192.0.2.2/24");
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kNet, NsType::kMnt}));
  ASSERT_OK_AND_ASSIGN(o, Parse({"-p", "--veth=2001:db8::1/64,2001:db8::2/64", "sh"}));
  EXPECT_EQ(o.veth->peer.ToString(), "2001:db8::2/64");
  ASSERT_OK_AND_ASSIGN(o, Parse({"-n", "sh"}));
  EXPECT_FALSE(o.veth.has_value());
}

TEST(NsexecOptionsTest, VethRejectsWhatIsNotTwoPrefixesOfOneFamily) {
  using absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(Parse({"--veth", "192.0.2.1/24", "sh"}),
              StatusIs(kInvalidArgument,
                       "--veth '192.0.2.1/24': expected HOST_ADDRESS/PREFIX,PEER_ADDRESS/PREFIX, "
                       "e.g. 198.51.100.1/24,198.51.100.2/24"));
  EXPECT_THAT(Parse({"--veth", "192.0.2.1/24,192.0.2.2/24,192.0.2.3/24", "sh"}),
              StatusIs(kInvalidArgument, ::testing::HasSubstr("expected HOST_ADDRESS")));
  EXPECT_THAT(Parse({"--veth", "192.0.2.1,192.0.2.2/24", "sh"}),
              StatusIs(kInvalidArgument,
                       "--veth: \"192.0.2.1\" has no prefix length "
                       "(ADDRESS/LENGTH, e.g. 192.0.2.1/24)"));
  EXPECT_THAT(Parse({"--veth", "192.0.2.1/24,192.0.2.2/33", "sh"}),
              StatusIs(kInvalidArgument,
                       "--veth: \"192.0.2.2/33\": the prefix length must be "
                       "a number from 0 to 32"));
  EXPECT_THAT(Parse({"--veth", "192.0.2.1/24,2001:db8::2/64", "sh"}),
              StatusIs(kInvalidArgument, ::testing::HasSubstr("mix IPv4 and IPv6")));
  EXPECT_THAT(Parse({"--veth", "192.0.2.1/24,192.0.2.1/24", "sh"}),
              StatusIs(kInvalidArgument, ::testing::HasSubstr("different addresses")));
  EXPECT_THAT(Parse({"--veth", "host,peer", "sh"}),
              StatusIs(kInvalidArgument, ::testing::HasSubstr("\"host\"")));
  EXPECT_THAT(Parse({"--veth"}),
              StatusIs(kInvalidArgument, "option '--veth' requires an argument"));
}

TEST(NsexecOptionsTest, VethWithAUserNamespaceIsRefused) {
  EXPECT_THAT(Parse({"-U", "--veth", "192.0.2.1/24,192.0.2.2/24", "sh"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::StartsWith("--veth cannot be combined with -U/--user")));
}

TEST(NsexecOptionsTest, SeccompTakesAFileOrUnconfinedAndTheLastOneCounts) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"sh"}));
  EXPECT_EQ(o.seccomp_file, std::nullopt) << "the built-in deny list by default";
  EXPECT_FALSE(o.seccomp_unconfined);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--seccomp", "/etc/rules", "sh"}));
  EXPECT_EQ(o.seccomp_file, "/etc/rules");
  EXPECT_FALSE(o.seccomp_unconfined);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--seccomp=unconfined", "sh"}));
  EXPECT_EQ(o.seccomp_file, std::nullopt);
  EXPECT_TRUE(o.seccomp_unconfined);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--seccomp=unconfined", "--seccomp=rules", "sh"}));
  EXPECT_EQ(o.seccomp_file, "rules");
  EXPECT_FALSE(o.seccomp_unconfined);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--seccomp=rules", "--seccomp", "unconfined", "sh"}));
  EXPECT_EQ(o.seccomp_file, std::nullopt);
  EXPECT_TRUE(o.seccomp_unconfined);
  // A file of that name is ./unconfined.
  ASSERT_OK_AND_ASSIGN(o, Parse({"--seccomp=./unconfined", "sh"}));
  EXPECT_EQ(o.seccomp_file, "./unconfined");
  // Parsing opens nothing: a file that does not exist is nsexec's to report.
  ASSERT_OK_AND_ASSIGN(o, Parse({"--seccomp=/linuxns-no-such-file", "sh"}));
  EXPECT_EQ(o.seccomp_file, "/linuxns-no-such-file");
  // --s is now ambiguous, --se is not.
  EXPECT_THAT(Parse({"--s=x", "sh"}),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("ambiguous")));
  ASSERT_OK_AND_ASSIGN(o, Parse({"--se=x", "sh"}));
  EXPECT_EQ(o.seccomp_file, "x");
}

TEST(NsexecOptionsTest, SeccompNeedsANonEmptyArgument) {
  EXPECT_THAT(Parse({"--seccomp=", "sh"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--seccomp '': expected a filter file or \"unconfined\""));
  EXPECT_THAT(Parse({"--seccomp"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                             "option '--seccomp' requires an argument"));
}

TEST(NsexecOptionsTest, HelpAndVersionNeedNoCommand) {
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"-h"}));
  EXPECT_TRUE(o.help);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--version"}));
  EXPECT_TRUE(o.version);
}

TEST(NsexecOptionsTest, ParsesAgainAfterAnErrorWithFreshState) {
  EXPECT_FALSE(Parse({"-x"}).ok());
  ASSERT_OK_AND_ASSIGN(NsexecOptions o, Parse({"-i", "true"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kIpc});
  EXPECT_EQ(optind, 0) << "getopt state not reset";
}

}  // namespace
}  // namespace linuxns::tools

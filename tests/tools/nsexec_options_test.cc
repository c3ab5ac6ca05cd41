#include "nsexec_options.h"

#include <getopt.h>

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
  ASSERT_OK_AND_ASSIGN(NsexecOptions o,
                       Parse({"--user", "--ipc", "--cgroup", "--time", "--mount", "--uts=h",
                              "--verbose", "id"}));
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
  EXPECT_THAT(Parse({"-u"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                      "option requires an argument -- 'u'"));
  EXPECT_THAT(Parse({"--uts"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                         "option '--uts' requires an argument"));
  EXPECT_THAT(Parse({"--net=x", "true"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "option '--net' doesn't allow an argument"));
  EXPECT_THAT(Parse({"-n"}), StatusIs(absl::StatusCode::kInvalidArgument, "no command given"));
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

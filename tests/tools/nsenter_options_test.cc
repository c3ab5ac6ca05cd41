// The nsenter option parser, in-process.
#include "nsenter_options.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace linuxns::tools {
namespace {

absl::StatusOr<NsenterOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "nsenter");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseNsenterOptions(static_cast<int>(args.size()), argv.data());
}

std::string Error(std::vector<std::string> args) {
  absl::StatusOr<NsenterOptions> parsed = Parse(std::move(args));
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(NsenterOptionsTest, TargetAndAllWithCommand) {
  absl::StatusOr<NsenterOptions> o = Parse({"-t", "42", "-a", "sh", "-c", "hostname"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->target, 42);
  EXPECT_FALSE(o->target_inode.has_value());
  EXPECT_TRUE(o->all);
  EXPECT_EQ(o->command, (std::vector<std::string>{"sh", "-c", "hostname"}));
}

TEST(NsenterOptionsTest, BundledShortOptions) {
  // -F, -e, -c take nothing, so -t's value follows in the same word.
  absl::StatusOr<NsenterOptions> o = Parse({"-Fect7", "-U", "true"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->no_fork);
  EXPECT_TRUE(o->env);
  EXPECT_TRUE(o->join_cgroup);
  EXPECT_EQ(o->target, 7);
  EXPECT_TRUE(o->ns(NsType::kUser).enter);
  EXPECT_FALSE(o->ns(NsType::kUser).file);
  EXPECT_EQ(o->command, std::vector<std::string>{"true"});
}

TEST(NsenterOptionsTest, OptionalArgumentTakesTheRestOfTheWordAsUtilLinuxDoes) {
  // getopt's optional argument: "-nu" is net from the file "u", not -n -u.
  absl::StatusOr<NsenterOptions> o = Parse({"-nu"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->ns(NsType::kNet).file, "u");
  EXPECT_FALSE(o->ns(NsType::kUts).enter);
}

TEST(NsenterOptionsTest, FileForms) {
  absl::StatusOr<NsenterOptions> o = Parse({"-n=/run/netns/a", "--uts=/u", "-m/m", "--ipc", "-t",
                                            "1", "--pid=/p", "-C=/c", "--user=/us", "-T/t"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->ns(NsType::kNet).file, "/run/netns/a");
  EXPECT_EQ(o->ns(NsType::kUts).file, "/u");
  EXPECT_EQ(o->ns(NsType::kMnt).file, "/m");
  EXPECT_TRUE(o->ns(NsType::kIpc).enter);
  EXPECT_FALSE(o->ns(NsType::kIpc).file);
  EXPECT_EQ(o->ns(NsType::kPid).file, "/p");
  EXPECT_EQ(o->ns(NsType::kCgroup).file, "/c");
  EXPECT_EQ(o->ns(NsType::kUser).file, "/us");
  EXPECT_EQ(o->ns(NsType::kTime).file, "/t");
  EXPECT_TRUE(o->command.empty());
}

TEST(NsenterOptionsTest, FileWithoutTargetIsEnough) {
  absl::StatusOr<NsenterOptions> o = Parse({"--net=/proc/self/ns/net", "ip", "link"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->target);
  EXPECT_EQ(o->command, (std::vector<std::string>{"ip", "link"}));
}

TEST(NsenterOptionsTest, TargetWithPidfdInode) {
  absl::StatusOr<NsenterOptions> o = Parse({"--target", "123:4026532001", "-n"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->target, 123);
  EXPECT_EQ(o->target_inode, 4026532001u);
}

TEST(NsenterOptionsTest, CredentialsAndDirectories) {
  absl::StatusOr<NsenterOptions> o =
      Parse({"-t", "5", "-S", "1000", "--setgid=follow", "--preserve-credentials", "--keep-caps",
             "-r", "--wdns", "/tmp", "-N", "3", "--user-parent"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->uid->follow);
  EXPECT_EQ(o->uid->id, 1000u);
  EXPECT_TRUE(o->gid->follow);
  EXPECT_TRUE(o->preserve_credentials);
  EXPECT_TRUE(o->keep_caps);
  EXPECT_EQ(o->root, "");
  EXPECT_EQ(o->wdns, "/tmp");
  EXPECT_FALSE(o->wd);
  EXPECT_EQ(o->net_socket, 3);
  EXPECT_TRUE(o->user_parent);
  absl::StatusOr<NsenterOptions> dirs = Parse({"--root=/srv", "-w/tmp"});
  ASSERT_TRUE(dirs.ok()) << dirs.status();
  EXPECT_EQ(dirs->root, "/srv");
  EXPECT_EQ(dirs->wd, "/tmp");
}

TEST(NsenterOptionsTest, HelpAndVersionStopParsing) {
  EXPECT_TRUE(Parse({"-h", "--bogus"})->help);
  EXPECT_TRUE(Parse({"--version"})->version);
}

// Numbers as util-linux reads them (strtoul_or_err): white space and a plus
// sign before the digits, and leading zeros, are taken.
TEST(NsenterOptionsTest, NumbersAreReadAsUtilLinuxReadsThem) {
  absl::StatusOr<NsenterOptions> o = Parse({"-t", " +012", "-S", " 7", "-G", "+8", "-N", "03"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->target, 12);
  ASSERT_TRUE(o->uid.has_value());
  EXPECT_EQ(o->uid->id, 7u);
  ASSERT_TRUE(o->gid.has_value());
  EXPECT_EQ(o->gid->id, 8u);
  EXPECT_EQ(o->net_socket, 3);
}

TEST(NsenterOptionsTest, BadInputGetsExactMessages) {
  EXPECT_EQ(Error({"-t", "abc", "-n"}), "failed to parse pid: 'abc'");
  // Out of range: util-linux adds strerror(ERANGE), as err(3) does.
  constexpr absl::string_view kRange = ": Numerical result out of range";
  EXPECT_EQ(Error({"-t", "0"}), absl::StrCat("failed to parse pid: '0'", kRange));
  EXPECT_EQ(Error({"-t", "-5"}), absl::StrCat("failed to parse pid: '-5'", kRange));
  EXPECT_EQ(Error({"-t", "99999999999"}),
            absl::StrCat("failed to parse pid: '99999999999'", kRange));
  EXPECT_EQ(Error({"-t", "5 "}), "failed to parse pid: '5 '");
  EXPECT_EQ(Error({"-t", "12:x"}), "failed to parse pidfd inode: 'x'");
  EXPECT_EQ(Error({"-t", "12:"}), "failed to parse pidfd inode: ''");
  EXPECT_EQ(Error({"-S", "x"}), "failed to parse uid: 'x'");
  EXPECT_EQ(Error({"-G", "-1"}), absl::StrCat("failed to parse gid: '-1'", kRange));
  EXPECT_EQ(Error({"-S", "4294967295"}), absl::StrCat("failed to parse uid: '4294967295'", kRange));
  EXPECT_EQ(Error({"-N", "fd"}), "failed to parse file descriptor: 'fd'");
  EXPECT_EQ(Error({"-n"}), "neither filename nor target pid supplied for ns/net");
  EXPECT_EQ(Error({"-p", "true"}), "neither filename nor target pid supplied for ns/pid");
  EXPECT_EQ(Error({"-a"}), "neither filename nor target pid supplied for --all");
  EXPECT_EQ(Error({"-r"}), "neither filename nor target pid supplied for root");
  EXPECT_EQ(Error({"-n="}), "empty file name for ns/net");
  EXPECT_EQ(Error({"-t", "1", "-w", "-W", "/"}), "--wd and --wdns are mutually exclusive");
  EXPECT_EQ(Error({"-N", "3"}), "--net-socket requires --target");
  EXPECT_EQ(Error({"-e"}), "--env requires --target");
  EXPECT_EQ(Error({"-S", "follow"}), "'follow' requires --target");
  EXPECT_EQ(Error({"--bogus"}), "unrecognized option '--bogus'");
  EXPECT_EQ(Error({"-x"}), "invalid option -- 'x'");
  EXPECT_EQ(Error({"-t"}), "option requires an argument -- 't'");
  EXPECT_EQ(Error({"--target"}), "option '--target' requires an argument");
  EXPECT_EQ(Error({"--env=1"}), "option '--env' doesn't allow an argument");
}

TEST(NsenterOptionsTest, OnlyGetoptComplaintsAreUsageErrors) {
  // They alone get "Try 'nsenter --help'", as with util-linux.
  for (std::vector<std::string> args : {std::vector<std::string>{"--bogus"}, {"-x"}, {"-t"}}) {
    absl::StatusOr<NsenterOptions> o = Parse(args);
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_TRUE(IsNsenterUsageError(o.status())) << args[0];
  }
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-t", "abc"}, {"-n"}, {"-t", "1", "-w", "-W", "/"}}) {
    absl::StatusOr<NsenterOptions> o = Parse(args);
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_FALSE(IsNsenterUsageError(o.status())) << args[0];
  }
}

TEST(NsenterOptionsTest, ParsingStopsAtTheCommandAndResetsGetopt) {
  absl::StatusOr<NsenterOptions> o = Parse({"-t", "1", "-n", "ls", "-n", "--bogus"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, (std::vector<std::string>{"ls", "-n", "--bogus"}));
  // A second parse starts clean.
  absl::StatusOr<NsenterOptions> again = Parse({"--", "-n"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->command, std::vector<std::string>{"-n"});
}

}  // namespace
}  // namespace linuxns::tools

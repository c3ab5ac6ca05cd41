#include "unshare_options.h"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/status_matchers.h"

namespace linuxns::tools {
namespace {

using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A fixed caller: euid 1000, egid 1001, subordinate ranges from files of our
// own.
class UnshareOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/unshare_options_test." + std::to_string(::getpid());
    ::mkdir(dir_.c_str(), 0700);
    env_.euid = 1000;
    env_.egid = 1001;
    env_.subuid_file = Write("subuid", "# comment\nother:200000:10\n1000:100000:65536\n");
    env_.subgid_file = Write("subgid", "1000:300000:65536\n");
    env_.uid_map_file = Write("uid_map", "         0          0 4294967295\n");
    env_.gid_map_file =
        Write("gid_map", "         0       1000          1\n        10      2000    5\n");
  }
  void TearDown() override {
    for (const char* f : {"subuid", "subgid", "uid_map", "gid_map"}) {
      ::unlink((dir_ + "/" + f).c_str());
    }
    ::rmdir(dir_.c_str());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  absl::StatusOr<UnshareOptions> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "unshare");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return ParseUnshareOptions(static_cast<int>(args.size()), argv.data(), env_);
  }
  static std::string Map(const absl::StatusOr<UnshareOptions>& o, bool uid) {
    if (!o.ok()) return std::string(o.status().message());
    const std::optional<IdMap>& m = uid ? o->uid_map : o->gid_map;
    return m ? m->ToString() : "none";
  }

  std::string dir_;
  UnshareEnvironment env_;
};

TEST_F(UnshareOptionsTest, BundledShortOptions) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"-Urmpf", "sh", "-c", "id"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kUser, NsType::kMnt, NsType::kPid}));
  EXPECT_TRUE(o.fork);
  EXPECT_EQ(o.uid_map->ToString(), "0 1000 1\n");
  EXPECT_EQ(o.gid_map->ToString(), "0 1001 1\n");
  EXPECT_TRUE(o.deny_setgroups);
  EXPECT_THAT(o.command, ElementsAre("sh", "-c", "id"));
  EXPECT_THAT(o.pins, IsEmpty());
}

TEST_F(UnshareOptionsTest, NoCommandMeansTheShell) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"-n"}));
  EXPECT_THAT(o.command, IsEmpty());
  EXPECT_FALSE(o.fork);
  EXPECT_EQ(o.types, NsTypeSet{NsType::kNet});
}

TEST_F(UnshareOptionsTest, PersistFileOnlyInTheAttachedLongForm) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--net=/run/netns/a", "--uts=/tmp/u", "true"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kNet, NsType::kUts}));
  ASSERT_EQ(o.pins.size(), 2u);
  EXPECT_EQ(o.pins[0].type, NsType::kNet);
  EXPECT_EQ(o.pins[0].path, "/run/netns/a");
  EXPECT_EQ(o.pins[1].type, NsType::kUts);
  // Without '=' the word is the program, as with util-linux.
  ASSERT_OK_AND_ASSIGN(o, Parse({"--net", "/run/netns/a"}));
  EXPECT_THAT(o.pins, IsEmpty());
  EXPECT_THAT(o.command, ElementsAre("/run/netns/a"));
  ASSERT_OK_AND_ASSIGN(o, Parse({"-n", "file"}));
  EXPECT_THAT(o.pins, IsEmpty());
  EXPECT_THAT(o.command, ElementsAre("file"));
  // Every type takes a file; the last one given for a type wins.
  ASSERT_OK_AND_ASSIGN(o, Parse({"--mount=/a", "--ipc=/b", "--pid=/c", "--user=/d", "--cgroup=/e",
                                 "--time=/f", "--mount=/g"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kMnt, NsType::kIpc, NsType::kPid, NsType::kUser,
                                NsType::kCgroup, NsType::kTime}));
  ASSERT_EQ(o.pins.size(), 6u);
  EXPECT_EQ(o.pins.back().type, NsType::kMnt);
  EXPECT_EQ(o.pins.back().path, "/g");
}

TEST_F(UnshareOptionsTest, MountProcImpliesMount) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--mount-proc", "-pf"}));
  EXPECT_EQ(o.types, (NsTypeSet{NsType::kMnt, NsType::kPid}));
  EXPECT_EQ(o.mount_proc, "/proc");
  ASSERT_OK_AND_ASSIGN(o, Parse({"--mount-proc=/mnt/proc"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kMnt});
  EXPECT_EQ(o.mount_proc, "/mnt/proc");
}

TEST_F(UnshareOptionsTest, KillChildAndForwardSignalsImplyFork) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--kill-child", "true"}));
  EXPECT_TRUE(o.fork);
  EXPECT_EQ(o.kill_child_signal, SIGKILL);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--kill-child=SIGTERM", "true"}));
  EXPECT_EQ(o.kill_child_signal, SIGTERM);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--kill-child=hup", "true"}));
  EXPECT_EQ(o.kill_child_signal, SIGHUP);
  // util-linux's signame_to_signum() takes aliases and real-time signals too.
  EXPECT_EQ(SignalFromName("SIGIOT"), SIGABRT);
  EXPECT_EQ(SignalFromName("cld"), SIGCHLD);
  EXPECT_EQ(SignalFromName("POLL"), SIGIO);
  EXPECT_EQ(SignalFromName("SIGRTMIN+2"), SIGRTMIN + 2);
  EXPECT_EQ(SignalFromName("rtmax-1"), SIGRTMAX - 1);
  EXPECT_EQ(SignalFromName("RT0"), SIGRTMIN);
  EXPECT_EQ(SignalFromName("RTMIN"), std::nullopt);  // as util-linux: needs +N
  EXPECT_EQ(SignalFromName("RTMAX-99"), std::nullopt);
  EXPECT_EQ(SignalFromName("SIG"), std::nullopt);
  EXPECT_THAT(Parse({"--kill-child=FOO"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unknown signal: FOO"));
  ASSERT_OK_AND_ASSIGN(o, Parse({"--forward-signals", "true"}));
  EXPECT_TRUE(o.fork);
  EXPECT_TRUE(o.forward_signals);
  EXPECT_FALSE(o.kill_child_signal.has_value());
}

TEST_F(UnshareOptionsTest, MapOptionsImplyUserAndSetgroupsDeny) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--map-user=5"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kUser});
  EXPECT_EQ(Map(o, true), "5 1000 1\n");
  EXPECT_EQ(Map(o, false), "none");
  EXPECT_FALSE(o.deny_setgroups);  // only a gid map needs it
  ASSERT_OK_AND_ASSIGN(o, Parse({"--map-group=7"}));
  EXPECT_EQ(Map(o, false), "7 1001 1\n");
  EXPECT_TRUE(o.deny_setgroups);
  ASSERT_OK_AND_ASSIGN(o, Parse({"-c"}));
  EXPECT_EQ(Map(o, true), "1000 1000 1\n");
  EXPECT_EQ(Map(o, false), "1001 1001 1\n");
  EXPECT_TRUE(o.deny_setgroups);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--map-user=root", "--map-group=root"}));
  EXPECT_EQ(Map(o, true), "0 1000 1\n");
  EXPECT_EQ(Map(o, false), "0 1001 1\n");
  ASSERT_OK_AND_ASSIGN(o, Parse({"-U", "--setgroups=deny"}));
  EXPECT_TRUE(o.deny_setgroups);
  EXPECT_FALSE(o.allow_setgroups);
  ASSERT_OK_AND_ASSIGN(o, Parse({"-U", "--setgroups", "allow"}));
  EXPECT_FALSE(o.deny_setgroups);
  EXPECT_TRUE(o.allow_setgroups);
}

TEST_F(UnshareOptionsTest, SetgroupsAllowConflictsWithASingleGroupMap) {
  const std::string conflict = "options --setgroups=allow and --map-group are mutually exclusive";
  EXPECT_THAT(Parse({"-r", "--setgroups=allow"}),
              StatusIs(absl::StatusCode::kInvalidArgument, conflict));
  EXPECT_THAT(Parse({"--map-group=0", "--setgroups=allow"}),
              StatusIs(absl::StatusCode::kInvalidArgument, conflict));
  EXPECT_THAT(Parse({"-c", "--setgroups=allow"}),
              StatusIs(absl::StatusCode::kInvalidArgument, conflict));
  // With a range the map is written by a privileged helper: no conflict.
  EXPECT_OK(Parse({"-r", "--map-groups=auto", "--setgroups=allow"}));
  EXPECT_THAT(Parse({"--setgroups=maybe"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                     "unsupported --setgroups argument 'maybe'"));
}

TEST_F(UnshareOptionsTest, MapRangesInBothSyntaxes) {
  EXPECT_EQ(Map(Parse({"--map-users=0:100000:65536"}), true), "0 100000 65536\n");
  EXPECT_EQ(Map(Parse({"--map-users=100000,0,65536"}), true), "0 100000 65536\n");
  EXPECT_EQ(Map(Parse({"--map-users=0:100000:10", "--map-users=10:200000:10"}), true),
            "0 100000 10\n10 200000 10\n");
  EXPECT_EQ(Map(Parse({"--map-groups=0:300000:5"}), false), "0 300000 5\n");
  // A range map is written by a privileged helper: setgroups stays allowed.
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--map-groups=0:300000:5"}));
  EXPECT_FALSE(o.deny_setgroups);
}

TEST_F(UnshareOptionsTest, SingleIdsPunchHolesInRanges) {
  // -r with a range starting at 0: inside 0 is ours, the range moves up one
  // and loses its top id.
  EXPECT_EQ(Map(Parse({"-r", "--map-users=0:100000:65536"}), true), "0 1000 1\n1 100000 65535\n");
  // -c inside a range: the range splits around it.
  EXPECT_EQ(Map(Parse({"-c", "--map-users=0:100000:65536"}), true),
            "1000 1000 1\n0 100000 1000\n1001 101000 64535\n");
  // auto ranges start at 0 inside and keep their size.
  EXPECT_EQ(Map(Parse({"-r", "--map-users=auto"}), true), "0 1000 1\n1 100000 65536\n");
}

TEST_F(UnshareOptionsTest, AutoSubidsAndAll) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--map-auto"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kUser});
  EXPECT_EQ(Map(o, true), "0 100000 65536\n");
  EXPECT_EQ(Map(o, false), "0 300000 65536\n");
  ASSERT_OK_AND_ASSIGN(o, Parse({"--map-subids"}));
  EXPECT_EQ(Map(o, true), "100000 100000 65536\n");
  EXPECT_EQ(Map(o, false), "300000 300000 65536\n");
  EXPECT_EQ(Map(Parse({"--map-users=subids"}), true), "100000 100000 65536\n");
  EXPECT_EQ(Map(Parse({"--map-users=all"}), true), "0 0 4294967295\n");
  EXPECT_EQ(Map(Parse({"--map-groups=all"}), false), "0 0 1\n10 10 5\n");
  env_.euid = 4242;
  EXPECT_THAT(Parse({"--map-auto"}), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(UnshareOptionsTest, BadMapsGetExactMessages) {
  for (const char* bad : {"1:2", "a,b,c", "1:2:3:4", "-1:2:3", "1:2:x", "", "1,2:3"}) {
    EXPECT_THAT(
        Parse({std::string("--map-users=") + bad}),
        StatusIs(absl::StatusCode::kInvalidArgument, std::string("invalid mapping '") + bad + "'"))
        << bad;
  }
  EXPECT_THAT(
      Parse({"--map-users=0:100000:0"}),
      StatusIs(absl::StatusCode::kInvalidArgument, "invalid mapping '0:100000:0': the count is 0"));
  EXPECT_THAT(Parse({"--map-users=0:4294967290:10"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id map line 1")));
  EXPECT_THAT(Parse({"--map-users=0:100000:10", "--map-users=5:200000:10"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("id map line 2")));
  EXPECT_THAT(
      Parse({"--map-user=linuxns-no-such-user"}),
      StatusIs(absl::StatusCode::kInvalidArgument, "failed to parse uid: 'linuxns-no-such-user'"));
  EXPECT_THAT(
      Parse({"--map-group=linuxns-no-such-group"}),
      StatusIs(absl::StatusCode::kInvalidArgument, "failed to parse gid: 'linuxns-no-such-group'"));
  EXPECT_THAT(Parse({"--owner=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "failed to parse owner"));
}

TEST_F(UnshareOptionsTest, OwnerImpliesUserAndPutsTheSingleMapInTheHelpersMap) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"--owner=5:6", "--map-user=0", "--map-group=0"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kUser});
  EXPECT_EQ(o.owner_uid, 5u);
  EXPECT_EQ(o.owner_gid, 6u);
  EXPECT_EQ(Map(o, true), "0 1000 1\n");
  EXPECT_FALSE(o.deny_setgroups);
}

TEST_F(UnshareOptionsTest, TimeOffsetsNeedATimeNamespace) {
  const std::string need =
      "options --monotonic and --boottime require unsharing of a time namespace (-T)";
  EXPECT_THAT(Parse({"--monotonic", "5"}), StatusIs(absl::StatusCode::kInvalidArgument, need));
  EXPECT_THAT(Parse({"--boottime=5"}), StatusIs(absl::StatusCode::kInvalidArgument, need));
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"-T", "--monotonic", "86400", "--boottime=-5"}));
  EXPECT_EQ(o.monotonic, absl::Hours(24));
  EXPECT_EQ(o.boottime, absl::Seconds(-5));
  EXPECT_THAT(Parse({"-T", "--monotonic", "x"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                                          "failed to parse monotonic offset: 'x'"));
}

TEST_F(UnshareOptionsTest, SetgroupsDenyNeedsAUserNamespace) {
  const std::string need = "option --setgroups=deny requires unsharing of a user namespace (-U)";
  EXPECT_THAT(Parse({"--setgroups=deny"}), StatusIs(absl::StatusCode::kInvalidArgument, need));
  EXPECT_THAT(Parse({"-m", "--setgroups", "deny"}),
              StatusIs(absl::StatusCode::kInvalidArgument, need));
  // Any option that implies one will do; "allow" is the state found anyway.
  EXPECT_OK(Parse({"--setgroups=deny", "-U"}).status());
  EXPECT_OK(Parse({"--map-users=0:1000:1", "--setgroups=deny"}).status());
  EXPECT_OK(Parse({"-m", "--setgroups=allow"}).status());
}

TEST_F(UnshareOptionsTest, EverythingElse) {
  ASSERT_OK_AND_ASSIGN(
      UnshareOptions o,
      Parse({"-m", "--propagation", "slave", "-R", "/srv", "-w", "/tmp", "-S", "1", "-G", "2",
             "--keep-caps", "--clear-env", "--whitelist-env=PATH,HOME", "--", "-weird"}));
  EXPECT_EQ(o.propagation, Propagation::kSlave);
  EXPECT_EQ(o.root, "/srv");
  EXPECT_EQ(o.wd, "/tmp");
  EXPECT_EQ(o.setuid, 1u);
  EXPECT_EQ(o.setgid, 2u);
  EXPECT_TRUE(o.keep_caps);
  EXPECT_TRUE(o.clear_env);
  EXPECT_THAT(*o.whitelist_env, ElementsAre("PATH", "HOME"));
  EXPECT_THAT(o.command, ElementsAre("-weird"));
  EXPECT_THAT(Parse({"--propagation=up"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "unsupported propagation mode: up"));
  EXPECT_THAT(Parse({"-S", "abc"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "failed to parse uid: 'abc'"));
  EXPECT_THAT(Parse({"-G", "-1"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "failed to parse gid: '-1': Numerical result out of range"));
  EXPECT_THAT(Parse({"-S", "4294967295"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "failed to parse uid: '4294967295': Numerical result out of range"));
  EXPECT_THAT(
      Parse({"-T", "--monotonic", "5s"}),
      StatusIs(absl::StatusCode::kInvalidArgument, "failed to parse monotonic offset: '5s'"));
}

// Numbers as util-linux reads them (strtoul_or_err, strtos64_or_err): white
// space and a sign before the digits are taken, nothing after them.
TEST_F(UnshareOptionsTest, NumbersAreReadAsUtilLinuxReadsThem) {
  absl::StatusOr<UnshareOptions> o =
      Parse({"-S", " 7", "-G", "+8", "-T", "--monotonic", " -5", "--boottime", "+6"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->setuid, 7u);
  EXPECT_EQ(o->setgid, 8u);
  EXPECT_EQ(o->monotonic, absl::Seconds(-5));
  EXPECT_EQ(o->boottime, absl::Seconds(6));
}

TEST_F(UnshareOptionsTest, GetoptErrorsAreUsageErrors) {
  absl::StatusOr<UnshareOptions> o = Parse({"--bogus"});
  EXPECT_THAT(o, StatusIs(absl::StatusCode::kInvalidArgument, "unrecognized option '--bogus'"));
  EXPECT_TRUE(IsUnshareUsageError(o.status()));
  EXPECT_THAT(Parse({"-x"}), StatusIs(absl::StatusCode::kInvalidArgument, "invalid option -- 'x'"));
  EXPECT_THAT(Parse({"-R"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "option requires an argument -- 'R'"));
  EXPECT_THAT(Parse({"--map-users"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                               "option '--map-users' requires an argument"));
  EXPECT_THAT(Parse({"--fork=x"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                            "option '--fork' doesn't allow an argument"));
  EXPECT_FALSE(IsUnshareUsageError(Parse({"--map-users=x"}).status()));
}

TEST_F(UnshareOptionsTest, AbbreviationErrorsAreWordedAsGlibcWordsThem) {
  // As /usr/bin/unshare (util-linux 2.38, glibc 2.36) says them, with our
  // table (which has --map-subids and --forward-signals too).
  absl::StatusOr<UnshareOptions> o = Parse({"--map"});
  EXPECT_THAT(o, StatusIs(absl::StatusCode::kInvalidArgument,
                          "option '--map' is ambiguous; possibilities: '--map-user' '--map-users' "
                          "'--map-group' '--map-groups' '--map-root-user' '--map-current-user' "
                          "'--map-auto' '--map-subids'"));
  EXPECT_TRUE(IsUnshareUsageError(o.status()));
  EXPECT_THAT(Parse({"--se=1"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "option '--se=1' is ambiguous; possibilities: '--setgroups' '--setuid' "
                       "'--setgid'"));
  // An abbreviation is named in full; an exact name wins over longer ones.
  EXPECT_THAT(Parse({"--kee=1"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                           "option '--keep-caps' doesn't allow an argument"));
  EXPECT_THAT(Parse({"--setu"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                          "option '--setuid' requires an argument"));
  EXPECT_THAT(Parse({"--map-user"}), StatusIs(absl::StatusCode::kInvalidArgument,
                                              "option '--map-user' requires an argument"));
  // A bad short option in a bundle after a long option is that short option.
  EXPECT_THAT(Parse({"--fork", "-xf"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid option -- 'x'"));
  EXPECT_THAT(Parse({"--fork", "-fx"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid option -- 'x'"));
  EXPECT_THAT(Parse({"--net=x", "-xn"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "invalid option -- 'x'"));
}

TEST_F(UnshareOptionsTest, HelpVersionAndFreshStateAfterAnError) {
  ASSERT_OK_AND_ASSIGN(UnshareOptions o, Parse({"-h"}));
  EXPECT_TRUE(o.help);
  ASSERT_OK_AND_ASSIGN(o, Parse({"--version"}));
  EXPECT_TRUE(o.version);
  EXPECT_FALSE(Parse({"-x"}).ok());
  ASSERT_OK_AND_ASSIGN(o, Parse({"-i", "true"}));
  EXPECT_EQ(o.types, NsTypeSet{NsType::kIpc});
  EXPECT_THAT(o.command, ElementsAre("true"));
}

}  // namespace
}  // namespace linuxns::tools

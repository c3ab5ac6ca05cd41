// End-to-end tests of the lsns tool on real namespaces, compared with
// util-linux's lsns (2.38) where both see the same namespaces.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pin.h"
#include "linuxns/spawn_options.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kUtilLinuxLsns[] = "/usr/bin/lsns";

// The name of this process's real uid, as lsns's USER column shows it.
std::string UserName() {
  const passwd* pw = ::getpwuid(::getuid());
  return pw != nullptr ? pw->pw_name : absl::StrCat(::getuid());
}

ToolResult Lsns(std::vector<std::string> args) {
  args.insert(args.begin(), LINUXNS_LSNS_PATH);
  return RunTool(args);
}

ToolResult UtilLinux(std::vector<std::string> args) {
  args.insert(args.begin(), kUtilLinuxLsns);
  return RunTool(args);
}

// Runs `argv` in the network namespace of `pid` (util-linux's nsenter -n):
// there lsns sees the ids that namespace has given others, and the test
// runner's own network namespace is left alone.
ToolResult InNetNsOf(pid_t pid, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"/usr/bin/nsenter", "-t", absl::StrCat(pid), "-n"});
  return RunTool(argv);
}

// A `sleep 60` alone in a new network namespace (root: no user namespace).
absl::StatusOr<ChildProcess> SpawnNetSleeper() {
  SpawnOptions options = Sleeper();
  options.new_namespaces = {NsType::kNet};
  return ChildProcess::Spawn(options);
}

// util-linux 2.38 exits with 1, saying nothing, when a process exits at the
// wrong moment of its /proc scan.
bool SilentFailure(const ToolResult& r) { return r.code != 0 && r.out.empty() && r.err.empty(); }

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

// The lines of `text` that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(text)) {
    if (absl::StartsWith(line, prefix)) out.push_back(line);
  }
  return out;
}

class LsnsTest : public LeakCheckedTest {
 protected:
  static bool HaveUtilLinux() { return ::access(kUtilLinuxLsns, X_OK) == 0; }
  static bool HaveIp() { return RunTool({"/bin/sh", "-c", "command -v ip"}).code == 0; }

  // A `sleep 60` alone in new namespaces of every type, so that every row of
  // `lsns -p PID` is stable (one process each) while the system churns. With
  // a new user namespace among them, no privilege is needed.
  void SpawnLoneSleeper() {
    SpawnOptions options;
    options.argv = {"sleep", "60"};
    options.new_namespaces = NsTypeSet::All();
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
    ASSERT_OK(child);
    AwaitNewImage(child->pid());  // lsns shows its command line
    child_.emplace(*std::move(child));
    pid_ = absl::StrCat(child_->pid());
  }

  std::string Inode(NsType type) {
    absl::StatusOr<NsFd> ns = child_->OpenNamespace(type);
    EXPECT_OK(ns);
    return ns.ok() ? absl::StrCat(ns->id().inode) : "?";
  }

  // Runs both tools with `args`; expects the same exit code, output and
  // errors.
  void ExpectSameAsUtilLinux(const std::vector<std::string>& args) {
    ToolResult ours = Lsns(args);
    ToolResult theirs = UtilLinux(args);
    // Other tests run in parallel: ask again after a silent failure.
    for (int i = 0; i < 5 && SilentFailure(theirs); ++i) {
      theirs = UtilLinux(args);
    }
    // glibc's getopt names the program by its argv[0]; util-linux's own
    // messages, and ours, by its short name.
    absl::StrReplaceAll({{absl::StrCat(kUtilLinuxLsns, ": "), "lsns: "}}, &theirs.err);
    const std::string what = absl::StrJoin(args, " ");
    EXPECT_EQ(ours.code, theirs.code) << what;
    EXPECT_EQ(ours.out, theirs.out) << what;
    EXPECT_EQ(ours.err, theirs.err) << what;
  }

  // The child goes before the fixture counts the children left behind.
  void TearDown() override {
    child_.reset();
    LeakCheckedTest::TearDown();
  }

  std::optional<ChildProcess> child_;
  std::string pid_;
};

#define LINUXNS_SKIP_UNLESS_UTIL_LINUX() \
  if (!HaveUtilLinux()) GTEST_SKIP() << kUtilLinuxLsns << " is not installed"

// The NETNSID tests set ids with iproute2's ip and run lsns in another
// network namespace with util-linux's nsenter.
#define LINUXNS_SKIP_UNLESS_IP_AND_NSENTER()                                             \
  if (::access("/usr/bin/nsenter", X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/nsenter"; \
  if (!HaveIp()) GTEST_SKIP() << "needs ip(8) (iproute2)"

TEST_F(LsnsTest, TaskRowsMatchUtilLinux) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  ExpectSameAsUtilLinux({"-p", pid_, "-o", "NS,TYPE,NPROCS,PID,COMMAND", "-n", "-r"});
  ExpectSameAsUtilLinux({"-p", pid_});
  ExpectSameAsUtilLinux({"-p", pid_, "-l"});
  ExpectSameAsUtilLinux({"-p", pid_, "-r"});
  ExpectSameAsUtilLinux({"--task", pid_, "-u", "-o", "+PATH,PPID,UID"});
  ExpectSameAsUtilLinux(
      {"-p", pid_, "-o", "NS,TYPE,PATH,NPROCS,PID,PPID,COMMAND,UID,USER,NSFS,PNS,ONS"});
  ExpectSameAsUtilLinux({"-p", pid_, "-t", "uts", "-t", "pid"});
  ToolResult r = Lsns({"-p", pid_, "-o", "NS,TYPE,NPROCS,PID,COMMAND", "-n", "-r"});
  EXPECT_EQ(Lines(r.out).size(), static_cast<size_t>(kNsTypeCount));
  EXPECT_THAT(LinesStartingWith(r.out, Inode(NsType::kNet)),
              ElementsAre(absl::StrCat(Inode(NsType::kNet), " net 1 ", pid_, " sleep\\x2060")));
}

TEST_F(LsnsTest, JsonMatchesUtilLinux) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  ExpectSameAsUtilLinux({"-J", "-p", pid_});
  ExpectSameAsUtilLinux(
      {"--json", "-p", pid_, "-o", "NS,TYPE,PATH,NPROCS,PID,PPID,COMMAND,UID,USER,PNS,ONS"});
  ToolResult r = Lsns({"-J", "-p", pid_, "-t", "net"});
  EXPECT_THAT(r.out, StartsWith("{\n   \"namespaces\": [\n"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("\"ns\": ", Inode(NsType::kNet), ",")));
  EXPECT_THAT(r.out, HasSubstr("\"type\": \"net\""));
  EXPECT_THAT(r.out, HasSubstr("\"command\": \"sleep 60\""));
}

TEST_F(LsnsTest, NetTypeRowsMatchUtilLinux) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  // The whole system's list changes between two runs; the child's row not.
  // -l: no process tree, whose shape depends on which other rows exist.
  const std::vector<std::string> args = {
      "-t", "net", "-l", "-n", "-r", "-o", "NS,TYPE,NPROCS,PID,USER,NSFS,COMMAND"};
  ToolResult ours = Lsns(args);
  ToolResult theirs = UtilLinux(args);
  for (int i = 0; i < 5 && SilentFailure(theirs); ++i) theirs = UtilLinux(args);
  ASSERT_EQ(ours.code, 0) << ours.err;
  ASSERT_EQ(theirs.code, 0) << theirs.err;
  const std::string net = Inode(NsType::kNet);
  EXPECT_THAT(LinesStartingWith(ours.out, net),
              ElementsAre(absl::StrCat(net, " net 1 ", pid_, " ", UserName(), "  sleep\\x2060")));
  EXPECT_EQ(LinesStartingWith(ours.out, net), LinesStartingWith(theirs.out, net));
  for (const std::string& line : Lines(ours.out)) EXPECT_THAT(line, HasSubstr(" net "));
}

TEST_F(LsnsTest, NamespaceArgumentListsItsProcessesLikeUtilLinux) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  ExpectSameAsUtilLinux({Inode(NsType::kUts)});
  ExpectSameAsUtilLinux({"-r", "-n", Inode(NsType::kIpc)});
  ExpectSameAsUtilLinux({"123"});  // not found namespace: 123
}

TEST_F(LsnsTest, TreesOfTheTaskMatchUtilLinux) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  // Only the stable columns: the owner rows shown above the child's are the
  // system's.
  ExpectSameAsUtilLinux({"-T", "-p", pid_, "-o", "NS,TYPE"});
  ExpectSameAsUtilLinux({"--tree=parent", "-p", pid_, "-o", "NS,TYPE"});
  ExpectSameAsUtilLinux({"-Towner", "-p", pid_, "-o", "NS,TYPE,PNS,ONS", "-J"});
  // The child's user namespace sits under ours, its other namespaces under
  // it: drawn indented, whatever the locale's line characters.
  ToolResult r = Lsns({"-T", "-p", pid_, "-o", "NS,TYPE"});
  for (NsType type : kAllNsTypes) {
    const std::string inode = Inode(type);
    int found = 0;
    for (const std::string& line : Lines(r.out)) {
      const size_t at = line.find(inode);
      if (at == std::string::npos) continue;
      ++found;
      EXPECT_GT(at, type == NsType::kUser ? 0u : 2u) << line;
    }
    EXPECT_EQ(found, 1) << type << "\n" << r.out;
  }
}

TEST_F(LsnsTest, BadInputGivesUtilLinuxErrors) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"-t", "xyz"},
                                             {"-o", "NS,FOO"},
                                             {"-p"},
                                             {"-p", "abc"},
                                             {"--bogus"},
                                             {"-J", "-r"},
                                             {"-Tbad"},
                                             {"x"},
                                             {"-p", "1", "5"},
                                             {"-x"}}) {
    ExpectSameAsUtilLinux(args);
  }
  ToolResult r = Lsns({"-t", "xyz"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "lsns: unknown namespace type: xyz\n");
  r = Lsns({"-p"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "lsns: option requires an argument -- 'p'\n"
            "Try 'lsns --help' for more information.\n");
  r = Lsns({"-o", "FOO"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "lsns: unknown column: FOO\n");
}

// A PID and a namespace are read as util-linux reads them (strtoimax(3),
// strtoumax(3)): leading blanks and a sign may come first, nothing may come
// after the digits, and a number out of range (for a namespace, a negative
// one too) is named as such. A trailing blank or newline once selected the
// process anyway.
TEST_F(LsnsTest, NumbersAreReadAsUtilLinuxReadsThem) {
  LINUXNS_SKIP_UNLESS_UTIL_LINUX();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  const std::string uts = Inode(NsType::kUts);
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"-p", pid_ + " "},
                                             {"-p", pid_ + "\n"},
                                             {"-p", " " + pid_, "-n", "-r", "-o", "NS,TYPE"},
                                             {"-p", "+" + pid_, "-n", "-r", "-o", "NS,TYPE"},
                                             {"-p", "2147483648"},
                                             {"-p", "-2147483649"},
                                             {"-p", "99999999999999999999x"},
                                             {uts + " "},
                                             {" " + uts, "-n", "-r"},
                                             {"18446744073709551616"},
                                             {"--", "-5"},
                                             {"--", "-x"}}) {
    ExpectSameAsUtilLinux(args);
  }
  ToolResult r = Lsns({"-p", pid_ + " "});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, absl::StrCat("lsns: invalid PID argument: '", pid_, " '\n"));
  r = Lsns({"-p", "2147483648"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "lsns: invalid PID argument: '2147483648': Numerical result out of range\n");
  r = Lsns({"--", "-5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "lsns: invalid namespace argument: '-5': Numerical result out of range\n");
}

TEST_F(LsnsTest, NamespaceHeldOnlyByAnFdIsListedWithoutProcesses) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  const std::string net = absl::StrCat(ns.Find(NsType::kNet)->id().inode);
  ToolResult r = Lsns({"-t", "net", "-n", "-r", "-o", "NS,TYPE,NPROCS,PID,COMMAND"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(LinesStartingWith(r.out, net), ElementsAre(absl::StrCat(net, " net 0  ")));
  r = Lsns({"-P", "-t", "net", "-n", "-r", "-o", "NS"});
  EXPECT_THAT(LinesStartingWith(r.out, net), ElementsAre(net));
}

TEST_F(LsnsTest, PinnedNamespaceShowsEveryPathInNsfs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string a = scratch() + "/a";
  const std::string b = scratch() + "/b";
  std::string net;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
    net = absl::StrCat(ns.Find(NsType::kNet)->id().inode);
    ASSERT_OK(PinNamespace(*ns.Find(NsType::kNet), a));
    ASSERT_OK(PinNamespace(*ns.Find(NsType::kNet), b));
  }
  ToolResult raw = Lsns({"-P", "-t", "net", "-n", "-r", "-o", "NS,NPROCS,NSFS"});
  ToolResult nowrap = Lsns({"-t", "net", "-n", "-W", "-o", "NS,NSFS"});
  ToolResult wrapped = Lsns({"-t", "net", "-n", "-o", "NS,NSFS"});
  ToolResult json = Lsns({"-t", "net", "-J", "-o", "NS,NSFS"});
  EXPECT_OK(UnpinNamespace(a, true));
  EXPECT_OK(UnpinNamespace(b, true));
  EXPECT_THAT(LinesStartingWith(raw.out, net), ElementsAre(absl::StrCat(net, " 0 ", a, ",", b)));
  EXPECT_THAT(LinesStartingWith(nowrap.out, net), ElementsAre(absl::StrCat(net, " ", a, ",", b)));
  // One path per line: the second line of the cell is indented under NSFS.
  std::vector<std::string> lines = Lines(wrapped.out);
  auto it = std::find_if(lines.begin(), lines.end(),
                         [&](const std::string& l) { return absl::StartsWith(l, net); });
  ASSERT_NE(it, lines.end()) << wrapped.out;
  EXPECT_EQ(*it, absl::StrCat(net, " ", a));
  ASSERT_NE(std::next(it), lines.end());
  EXPECT_EQ(*std::next(it), absl::StrCat(std::string(net.size() + 1, ' '), b));
  EXPECT_THAT(json.out, HasSubstr(absl::StrCat("\"nsfs\": \"", a, "\\n", b, "\"")));
}

TEST_F(LsnsTest, FilterSelectsRows) {
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  ToolResult r = Lsns({"-p", pid_, "-n", "-r", "-o", "NS,TYPE", "-Q",
                       "TYPE == \"uts\" || (TYPE =~ '^ip' && NPROCS == 1)"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(Lines(r.out), ElementsAre(absl::StrCat(Inode(NsType::kUts), " uts"),
                                        absl::StrCat(Inode(NsType::kIpc), " ipc")));
  r = Lsns({"-Q", "TYPE == net"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "lsns: failed to parse \"TYPE == net\": syntax error at 9 near 'net'\n");
}

// Joins the network namespaces of `a` and `b` by a veth pair, which makes
// each give the other an id; returns the id that a's namespace gave b's, as
// ip(8) shows it (the link-netnsid of the local end), or "" after a failure.
std::string ConnectByVeth(pid_t a, pid_t b) {
  ToolResult ip = InNetNsOf(a, {"ip", "link", "add", "lsns-va", "type", "veth", "peer", "name",
                                "lsns-vb", "netns", absl::StrCat(b)});
  EXPECT_EQ(ip.code, 0) << ip.err;
  ip = InNetNsOf(a, {"ip", "-d", "-o", "link", "show", "lsns-va"});
  EXPECT_EQ(ip.code, 0) << ip.err;
  const size_t at = ip.out.find(" link-netnsid ");
  EXPECT_NE(at, std::string::npos) << ip.out;
  if (at == std::string::npos) return "";
  const std::vector<std::string> words = absl::StrSplit(ip.out.substr(at + 14), ' ');
  return words.front();
}

// As util-linux's test lsns/netnsid: a veth pair between two network
// namespaces makes each give the other an id; lsns, run in one, shows the id
// it gave the other, the link-netnsid ip(8) shows for the local end, and
// the same as util-linux's lsns.
TEST_F(LsnsTest, NetnsidIsTheIdGivenToTheVethPeerNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  LINUXNS_SKIP_UNLESS_IP_AND_NSENTER();
  ASSERT_OK_AND_ASSIGN(ChildProcess a, SpawnNetSleeper());
  ASSERT_OK_AND_ASSIGN(ChildProcess b, SpawnNetSleeper());
  const std::string b_pid = absl::StrCat(b.pid());
  const std::string id = ConnectByVeth(a.pid(), b.pid());
  ASSERT_FALSE(id.empty());
  ToolResult ours = InNetNsOf(
      a.pid(), {LINUXNS_LSNS_PATH, "-p", b_pid, "-t", "net", "-n", "-r", "-o", "NETNSID,PID"});
  ASSERT_EQ(ours.code, 0) << ours.err;
  EXPECT_EQ(ours.out, absl::StrCat(id, " ", b_pid, "\n"));
  // Its own namespace has no id for itself.
  ToolResult own = InNetNsOf(a.pid(), {LINUXNS_LSNS_PATH, "-p", absl::StrCat(a.pid()), "-t", "net",
                                       "-n", "-r", "-o", "NETNSID"});
  EXPECT_EQ(own.out, "unassigned\n") << own.err;
  if (HaveUtilLinux()) {
    ToolResult theirs = InNetNsOf(
        a.pid(), {kUtilLinuxLsns, "-p", b_pid, "-t", "net", "-n", "-r", "-o", "NETNSID,PID"});
    EXPECT_EQ(ours.out, theirs.out) << theirs.err;
  }
}

// As util-linux's test lsns/netnsid-for-persistent-namespaces: a network
// namespace pinned by a bind mount, given the id 4242 with `ip netns set`
// (RTM_NEWNSID), is selected by its NETNSID, a string column as util-linux
// types it (its "unassigned" is no number); a number works too.
TEST_F(LsnsTest, FilterSelectsAPinnedNamespaceByItsNetnsid) {
  LINUXNS_SKIP_UNLESS_ROOT();
  LINUXNS_SKIP_UNLESS_IP_AND_NSENTER();
  ASSERT_OK_AND_ASSIGN(ChildProcess viewer, SpawnNetSleeper());
  const std::string pin = scratch() + "/pinned-net";
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
    ASSERT_OK(PinNamespace(*ns.Find(NsType::kNet), pin));
  }
  // ip netns set takes a name under /run/netns: one made in a mount
  // namespace of its own, so that the host's /run is not touched.
  ToolResult set =
      InNetNsOf(viewer.pid(),
                {"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                 "mount -t tmpfs tmpfs /run && mkdir /run/netns && touch /run/netns/lsns-test && "
                 "mount --bind \"$0\" /run/netns/lsns-test && ip netns set lsns-test 4242",
                 pin});
  ToolResult quoted = InNetNsOf(viewer.pid(), {LINUXNS_LSNS_PATH, "--filter", "NETNSID == '4242'",
                                               "-o", "NETNSID,TYPE,NSFS", "-n", "-r"});
  ToolResult number = InNetNsOf(viewer.pid(), {LINUXNS_LSNS_PATH, "-Q", "NETNSID == 4242", "-o",
                                               "NETNSID,TYPE,NSFS", "-n", "-r"});
  EXPECT_OK(UnpinNamespace(pin, true));
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_EQ(quoted.code, 0) << quoted.err;
  EXPECT_EQ(quoted.out, absl::StrCat("4242 net ", pin, "\n"));
  EXPECT_EQ(number.out, quoted.out) << number.err;
}

// A bare column in -Q is true as libsmartcols makes it: a string column
// when its cell is not empty, a number column when it is not 0. NETNSID is a
// string column, and 0 the first id a namespace gives: "-Q NETNSID" keeps
// that row (it once took the "0" for false), while PNS, a number, is false
// at 0 (a network namespace has no parent).
TEST_F(LsnsTest, BareColumnFilterKeepsTheNetnsidZero) {
  LINUXNS_SKIP_UNLESS_ROOT();
  LINUXNS_SKIP_UNLESS_IP_AND_NSENTER();
  ASSERT_OK_AND_ASSIGN(ChildProcess a, SpawnNetSleeper());
  ASSERT_OK_AND_ASSIGN(ChildProcess b, SpawnNetSleeper());
  const std::string b_pid = absl::StrCat(b.pid());
  // The first id a fresh namespace gives (the kernel's idr starts at 0).
  ASSERT_EQ(ConnectByVeth(a.pid(), b.pid()), "0");
  const std::vector<std::string> args = {
      LINUXNS_LSNS_PATH, "-p", b_pid, "-t", "net", "-n", "-r", "-o", "NETNSID,PID"};
  auto with_filter = [&](const std::string& filter) {
    std::vector<std::string> argv = args;
    argv.insert(argv.end(), {"-Q", filter});
    return InNetNsOf(a.pid(), argv);
  };
  ToolResult r = with_filter("NETNSID");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("0 ", b_pid, "\n"));
  EXPECT_EQ(with_filter("NETNSID && !PNS").out, r.out);
  EXPECT_EQ(with_filter("!NETNSID").out, "");
  EXPECT_EQ(with_filter("PNS").out, "");
}

// A network namespace to which ours has given no id shows "unassigned"
// (NETNSA_NSID_NOT_ASSIGNED), as util-linux's lsns.
TEST_F(LsnsTest, NetnsidOfANamespaceWithoutIdIsUnassigned) {
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  ToolResult r = Lsns({"-p", pid_, "-t", "net", "-n", "-r", "-o", "NS,NETNSID"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(Inode(NsType::kNet), " unassigned\n"));
  if (HaveUtilLinux()) ExpectSameAsUtilLinux({"-p", pid_, "-t", "net", "-o", "NS,NETNSID"});
}

// util-linux 2.38 exits 1 without a word when it runs out of descriptors;
// this lsns names what it could not read, and never prints a row with a
// value it could not read (PNS or ONS 0, a number for a user name, an empty
// NETNSID) with exit status 0, whatever the limit.
TEST_F(LsnsTest, DescriptorLimitNeverGivesGuessedValuesWithExitZero) {
  if (kUnderSanitizer) GTEST_SKIP() << "a sanitizer's runtime needs descriptors too";
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  const std::vector<std::string> args = {
      LINUXNS_LSNS_PATH, "-p", pid_, "-n", "-r", "-o", "NS,TYPE,NPROCS,PNS,ONS,USER,NETNSID"};
  ToolResult unlimited = RunTool(args);
  ASSERT_EQ(unlimited.code, 0) << unlimited.err;
  ASSERT_EQ(Lines(unlimited.out).size(), static_cast<size_t>(kNsTypeCount));
  int failures = 0, successes = 0;
  for (long limit = 4; limit <= 64 && successes < 3; ++limit) {
    ToolResult r = RunToolInShell(absl::StrCat("ulimit -n ", limit, ";"), args, "");
    if (r.code == 0) {
      ++successes;
      EXPECT_EQ(r.out, unlimited.out) << "ulimit -n " << limit;
    } else {
      ++failures;
      EXPECT_EQ(r.code, 1) << "ulimit -n " << limit;
      EXPECT_EQ(r.out, "") << "ulimit -n " << limit;
      EXPECT_THAT(r.err, StartsWith("lsns: ")) << "ulimit -n " << limit;
      EXPECT_THAT(r.err, HasSubstr(": Too many open files\n")) << "ulimit -n " << limit;
    }
  }
  EXPECT_GT(failures, 0);
  EXPECT_EQ(successes, 3);
}

// "a{1,32767}" would make glibc's regcomp take gigabytes: the filter is
// refused before regcomp sees it, quickly and within 512 MiB of address
// space, with a message that names the limit. Bounded patterns still work.
TEST_F(LsnsTest, RegexWithAHugeRepetitionIsRefusedBeforeRegcomp) {
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  // 512 MiB of address space, except under a sanitizer (its shadow memory
  // alone is more): the time bound still catches a regcomp that ran.
  const std::string limit = kUnderSanitizer ? "" : "ulimit -v 524288;";
  const auto start = std::chrono::steady_clock::now();
  ToolResult r = RunToolInShell(limit, {LINUXNS_LSNS_PATH, "-Q", "COMMAND =~ \"a{1,32767}\""}, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "lsns: failed to parse \"COMMAND =~ \"a{1,32767}\"\": bad regex 'a{1,32767}': the "
            "repetitions in a filter's regular expressions may add at most 1000 elements ({m,n} "
            "makes n copies of what it follows, nested repetitions multiply)\n");
  r = RunToolInShell(limit,
                     {LINUXNS_LSNS_PATH, "-p", pid_, "-n", "-r", "-o", "NS,TYPE", "-Q",
                      "TYPE =~ '^(ut|ip){1,2}s?c?$' && COMMAND =~ '^sle{1,9}p [0-9]{2}$'"},
                     "");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(Lines(r.out), ElementsAre(absl::StrCat(Inode(NsType::kUts), " uts"),
                                        absl::StrCat(Inode(NsType::kIpc), " ipc")));
}

// As util-linux's -H (its column-list table, since 2.40): no heading, the
// names right-aligned, then the type and the description; in JSON an
// "lsns-columns" array of "holder", "type" and "description".
TEST_F(LsnsTest, ListColumnsIsUtilLinuxsColumnList) {
  ToolResult r = Lsns({"-H"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "     NS <integer> namespace identifier (inode number)\n"
            "   TYPE <string>  kind of namespace\n"
            "   PATH <string>  path to the namespace\n"
            " NPROCS <integer> number of processes in the namespace\n"
            "    PID <integer> lowest PID in the namespace\n"
            "   PPID <integer> PPID of the PID\n"
            "COMMAND <string>  command line of the PID\n"
            "    UID <integer> UID of the PID\n"
            "   USER <string>  username of the PID\n"
            "NETNSID <string>  namespace ID as used by network subsystem\n"
            "   NSFS <string>  nsfs mountpoint (usually used network subsystem)\n"
            "    PNS <integer> parent namespace identifier (inode number)\n"
            "    ONS <integer> owner namespace identifier (inode number)\n");
  EXPECT_EQ(Lsns({"-n", "-H"}).out, r.out);
  r = Lsns({"-J", "-H"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\n   \"lsns-columns\": [\n      {\n"
                                "         \"holder\": \"NS\",\n"
                                "         \"type\": \"<integer>\",\n"
                                "         \"description\": \"namespace identifier (inode "
                                "number)\"\n"
                                "      },"));
  r = Lsns({"-r", "-H"});
  EXPECT_THAT(Lines(r.out), ::testing::Contains("NETNSID <string> namespace\\x20ID\\x20as\\x20used"
                                                "\\x20by\\x20network\\x20subsystem"));
}

TEST_F(LsnsTest, OutputAllHasEveryColumn) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_NO_FATAL_FAILURE(SpawnLoneSleeper());
  ToolResult r = Lsns({"--output-all", "-p", pid_, "-t", "net", "-r"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string pns_ons =
      absl::StrCat(" 0 ", Inode(NsType::kUser));  // net has no parent; its owner
  EXPECT_THAT(
      Lines(r.out),
      ElementsAre("NS TYPE PATH NPROCS PID PPID COMMAND UID USER NETNSID NSFS PNS ONS",
                  absl::StrCat(Inode(NsType::kNet), " net /proc/", pid_, "/ns/net 1 ", pid_, " ",
                               ::getpid(), " sleep\\x2060 0 root unassigned ", pns_ons)));
}

TEST_F(LsnsTest, HelpAndVersion) {
  ToolResult r = Lsns({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, HasSubstr(" lsns [options] [<namespace>]"));
  EXPECT_THAT(r.out, HasSubstr(" -T, --tree[=<rel>]"));
  r = Lsns({"-V"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("lsns from linuxns "));
  EXPECT_THAT(r.err, IsEmpty());
}

}  // namespace
}  // namespace linuxns::testing

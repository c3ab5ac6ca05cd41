// End-to-end tests of the unshare tool on real namespaces, side by side with
// util-linux's /usr/bin/unshare (2.38) wherever that one is right.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pid_fd.h"
#include "linuxns/pin.h"
#include "linuxns/unique_fd.h"
#include "support/status_matchers.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kUtilLinux[] = "/usr/bin/unshare";

class UnshareTest : public LeakCheckedTest {};

ToolResult Run(const char* tool, std::vector<std::string> args) {
  args.insert(args.begin(), tool);
  return RunTool(args);
}
ToolResult Ours(std::vector<std::string> args) {
  return Run(LINUXNS_UNSHARE_PATH, std::move(args));
}
ToolResult Theirs(std::vector<std::string> args) { return Run(kUtilLinux, std::move(args)); }

bool HaveUtilLinux() { return ::access(kUtilLinux, X_OK) == 0; }

#define SKIP_UNLESS_UTIL_LINUX() \
  if (!HaveUtilLinux()) GTEST_SKIP() << kUtilLinux << " is not installed"

// One line per type: "new" or "same" compared with this process.
std::string WhichAreNew(const std::string& readlinks) {
  std::istringstream lines(readlinks);
  std::string out;
  for (NsType t : kAllNsTypes) {
    std::string line;
    std::getline(lines, line);
    const std::string ours = NsFd::OpenCurrent(t)->id().ToString();
    absl::StrAppend(&out, NsTypeName(t), ":", line == ours ? "same" : "new", " ");
  }
  return out;
}

std::string ReadlinkScript() {
  std::string script;
  for (NsType t : kAllNsTypes)
    absl::StrAppend(&script, "readlink /proc/self/ns/", NsTypeName(t), ";");
  return script;
}

TEST_F(UnshareTest, NewNamespacesDifferForExactlyTheRequestedTypes) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SKIP_UNLESS_UTIL_LINUX();
  const std::vector<std::vector<std::string>> cases = {
      {"-i", "-C"}, {"-mun"}, {"-f", "-p", "-T"}, {"-U", "-n"}, {"--mount-proc", "-fp"}};
  for (std::vector<std::string> args : cases) {
    args.insert(args.end(), {"sh", "-c", ReadlinkScript()});
    ToolResult ours = Ours(args);
    ToolResult theirs = Theirs(args);
    ASSERT_EQ(ours.code, 0) << args[0] << ": " << ours.err;
    ASSERT_EQ(theirs.code, 0) << args[0] << ": " << theirs.err;
    EXPECT_EQ(WhichAreNew(ours.out), WhichAreNew(theirs.out)) << args[0];
  }
  // Without --fork a new time namespace is that of the children. The program
  // itself reads it (pid_for_children would be unreadable until a first
  // child exists, with util-linux too).
  std::vector<std::string> args = {"-T", "-u", "readlink"};
  for (NsType t : kAllNsTypes) {
    args.push_back(
        absl::StrCat("/proc/self/ns/", NsTypeName(t), t == NsType::kTime ? "_for_children" : ""));
  }
  ToolResult ours = Ours(args);
  ASSERT_EQ(ours.code, 0) << ours.err;
  EXPECT_EQ(WhichAreNew(ours.out), WhichAreNew(Theirs(args).out));
  EXPECT_EQ(WhichAreNew(ours.out),
            "mnt:same uts:new ipc:same pid:same net:same user:same cgroup:same time:new ");
}

TEST_F(UnshareTest, MapsAndSetgroupsMatchUtilLinux) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SKIP_UNLESS_UTIL_LINUX();
  const std::string show = "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u";
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"-r"},
                                             {"--map-user=5", "--map-group=6"},
                                             {"--map-user=7"},
                                             {"-U", "--setgroups=deny"},
                                             {"-r", "-f"}}) {
    args.insert(args.end(), {"sh", "-c", show});
    ToolResult ours = Ours(args);
    ToolResult theirs = Theirs(args);
    EXPECT_EQ(ours.code, 0) << ours.err;
    EXPECT_EQ(ours.out, theirs.out) << args[0];
    EXPECT_EQ(ours.err, theirs.err);
  }
}

TEST_F(UnshareTest, NewRangeSyntaxAndAutoMaps) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult r = Ours(
      {"--map-users=0:100000:65536", "--map-groups=0:100000:65536", "cat", "/proc/self/uid_map"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "         0     100000      65536\n");
  r = Ours({"-r", "--map-users=0:100000:65536", "cat", "/proc/self/uid_map"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "         0          0          1\n         1     100000      65535\n");
}

TEST_F(UnshareTest, AsAnOrdinaryUserMapRootUser) {
  ToolResult r = RunToolAsNobody({CopyToolForOthers(LINUXNS_UNSHARE_PATH, scratch()), "-rf", "-pu",
                                  "sh", "-c", "id -u; echo $$; cat /proc/self/setgroups"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\ndeny\n");
}

TEST_F(UnshareTest, HostnameIsUnchangedInTheNewUtsNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  ToolResult r = Ours({"-u", "sh", "-c", "hostname; hostname changed; hostname"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(host, "\nchanged\n"));
  char after[256] = {};
  ASSERT_EQ(::gethostname(after, sizeof after - 1), 0);
  EXPECT_STREQ(after, host);
}

// The optional fields of the root mount in mountinfo: "shared:N", "master:N".
std::string RootPropagation(const std::string& mountinfo) {
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() < 7 || f[4] != "/") continue;
    std::string tags;
    for (std::size_t i = 6; i < f.size() && f[i] != "-"; ++i) absl::StrAppend(&tags, f[i], " ");
    return tags.empty() ? "private" : tags;
  }
  return "no root";
}

TEST_F(UnshareTest, PropagationOfTheRootMountMatchesUtilLinux) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SKIP_UNLESS_UTIL_LINUX();
  for (const char* mode : {"private", "slave", "shared", "unchanged"}) {
    std::vector<std::string> args = {"-m", "--propagation", mode, "cat", "/proc/self/mountinfo"};
    ToolResult ours = Ours(args);
    ToolResult theirs = Theirs(args);
    ASSERT_EQ(ours.code, 0) << ours.err;
    EXPECT_EQ(RootPropagation(ours.out), RootPropagation(theirs.out)) << mode;
  }
  EXPECT_EQ(RootPropagation(Ours({"-m", "cat", "/proc/self/mountinfo"}).out), "private");
}

TEST_F(UnshareTest, PidOneInsideWithForkAndProcMounted) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SKIP_UNLESS_UTIL_LINUX();
  std::vector<std::string> args = {"-pf", "sh", "-c", "echo $$"};
  EXPECT_EQ(Ours(args).out, "1\n");
  EXPECT_EQ(Ours(args).out, Theirs(args).out);
  args = {"-pf", "--mount-proc", "sh", "-c", "echo $$; echo /proc/[0-9]*"};
  ToolResult ours = Ours(args);
  EXPECT_EQ(ours.code, 0) << ours.err;
  EXPECT_EQ(ours.out, "1\n/proc/1\n");
  EXPECT_EQ(ours.out, Theirs(args).out);
}

TEST_F(UnshareTest, TimeOffsetsMatchUtilLinux) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SKIP_UNLESS_UTIL_LINUX();
  std::vector<std::string> args = {
      "-Tf", "--monotonic", "86400", "--boottime", "-5", "cat", "/proc/self/timens_offsets"};
  ToolResult ours = Ours(args);
  EXPECT_EQ(ours.code, 0) << ours.err;
  EXPECT_THAT(ours.out, HasSubstr("monotonic       86400         0\n"));
  EXPECT_EQ(ours.out, Theirs(args).out);
}

TEST_F(UnshareTest, ExitStatusAndSignalsMatchUtilLinux) {
  SKIP_UNLESS_UTIL_LINUX();
  for (const char* script : {"exit 42", "kill -TERM $$", "kill -INT $$", "exit 0"}) {
    for (const char* fork : {"-f", "--kill-child"}) {
      ToolResult ours = Ours({fork, "sh", "-c", script});
      ToolResult theirs = Theirs({fork, "sh", "-c", script});
      EXPECT_EQ(ours.code, theirs.code) << script;
      EXPECT_EQ(ours.err, theirs.err) << script;
    }
  }
  EXPECT_EQ(Ours({"-f", "sh", "-c", "kill -TERM $$"}).code, 128 + SIGTERM);
  // util-linux 2.38 says "sigprocmask unblock failed" and exits 1 here.
  ToolResult killed = Ours({"-f", "sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(killed.code, 128 + SIGKILL);
  EXPECT_EQ(killed.err, "");
  EXPECT_EQ(Ours({"sh", "-c", "exit 7"}).code, 7);
}

TEST_F(UnshareTest, PersistentNetNamespaceIsPinnedOntoTheFile) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string path = scratch() + "/net";
  ToolResult r = Ours({absl::StrCat("--net=", path), "readlink", "/proc/self/ns/net"});
  ASSERT_EQ(r.code, 0) << r.err;
  {
    ASSERT_OK_AND_ASSIGN(NsFd net, NsFd::OpenPath(path, NsType::kNet));
    EXPECT_EQ(net.type(), NsType::kNet);
    EXPECT_EQ(net.id().ToString() + "\n", r.out);
    EXPECT_NE(net.id(), NsFd::OpenCurrent(NsType::kNet)->id());
  }
  EXPECT_OK(UnpinNamespace(path, true));
  // And with --fork, the pid namespace too.
  const std::string pid_path = scratch() + "/pid";
  r = Ours({absl::StrCat("--pid=", pid_path), "-f", "true"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_OK(NsFd::OpenPath(pid_path, NsType::kPid).status());
  EXPECT_OK(UnpinNamespace(pid_path, true));
}

TEST_F(UnshareTest, WithoutForkTheProcessKeepsItsPid) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult r =
      RunTool({"/bin/sh", "-c",
               absl::StrCat("echo $$; exec ", LINUXNS_UNSHARE_PATH, " -u sh -c 'echo $$'")});
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::string> pids = absl::StrSplit(r.out, '\n');
  ASSERT_EQ(pids.size(), 3u) << r.out;
  EXPECT_EQ(pids[0], pids[1]);
}

TEST_F(UnshareTest, InheritedDescriptorsPassThrough) {
  ToolResult r =
      RunTool({"/bin/sh", "-c",
               absl::StrCat("exec 7</etc/hostname; ", LINUXNS_UNSHARE_PATH, " sh -c 'cat <&7' && ",
                            LINUXNS_UNSHARE_PATH,
                            " -f sh -c 'cat /proc/self/fdinfo/7 >/dev/null' && echo ok")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok\n"));
}

TEST_F(UnshareTest, ForwardSignalsReachACommandThatIsPidOne) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions options;
  options.argv = {LINUXNS_UNSHARE_PATH,        "-p", "--forward-signals", "sh", "-c",
                  "echo ready; exec sleep 100"};
  options.stdout_mode = Stdio::kPipe;
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(options));
  UniqueFd out = child.TakeStdout();
  char buf[16] = {};
  ASSERT_GT(::read(out.get(), buf, sizeof buf), 0);
  EXPECT_STREQ(buf, "ready\n");
  EXPECT_OK(child.Signal(SIGTERM));
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> status, child.WaitFor(absl::Seconds(10)));
  ASSERT_TRUE(status.has_value()) << "SIGTERM did not reach the command";
  EXPECT_EQ(status->ShellCode(), 128 + SIGTERM);
}

TEST_F(UnshareTest, KillChildKillsTheCommandWhenUnshareDies) {
  for (const char* option : {"--kill-child", "--kill-child=TERM"}) {
    SpawnOptions options;
    options.argv = {LINUXNS_UNSHARE_PATH, option, "sh", "-c", "echo $$; exec sleep 100"};
    options.stdout_mode = Stdio::kPipe;
    ASSERT_OK_AND_ASSIGN(ChildProcess unshare, ChildProcess::Spawn(options));
    UniqueFd out = unshare.TakeStdout();
    char buf[32] = {};
    ASSERT_GT(::read(out.get(), buf, sizeof buf - 1), 0);
    ASSERT_OK_AND_ASSIGN(PidFd command, PidFd::Open(std::atoi(buf)));
    EXPECT_OK(unshare.Signal(SIGKILL));
    ASSERT_OK_AND_ASSIGN(ExitStatus status, unshare.Wait());
    EXPECT_EQ(status.signal(), SIGKILL);
    pollfd pfd = {command.get(), POLLIN, 0};
    EXPECT_EQ(::poll(&pfd, 1, 10000), 1) << option << ": the command outlived unshare";
  }
}

TEST_F(UnshareTest, RootAndWorkingDirectoryMatchUtilLinux) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SKIP_UNLESS_UTIL_LINUX();
  // A minimal root: pwd and the C library.
  const std::string root = scratch() + "/root";
  for (const char* dir : {"", "/bin", "/work", "/lib64", "/lib", "/lib/x86_64-linux-gnu"}) {
    ASSERT_EQ(::mkdir((root + dir).c_str(), 0755), 0) << dir;
  }
  for (const char* file :
       {"/bin/pwd", "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6"}) {
    if (::access(file, R_OK) != 0) GTEST_SKIP() << file << " is missing";
    std::filesystem::copy_file(file, root + file);
  }
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"-R", root, "/bin/pwd"},
           {"-R", root, "-w", "/work", "/bin/pwd"},
           {"-f", "-m", "--root", root, "--wd=/work", "/bin/pwd"}}) {
    ToolResult ours = Ours(args);
    ToolResult theirs = Theirs(args);
    EXPECT_EQ(ours.code, 0) << ours.err;
    EXPECT_EQ(ours.out, theirs.out);
  }
  EXPECT_EQ(Ours({"-R", root, "-w", "/work", "/bin/pwd"}).out, "/work\n");
}

TEST_F(UnshareTest, BadInputGetsTheErrorAndExitCode) {
  ToolResult unknown = Ours({"--bogus", "true"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err,
            "unshare: unrecognized option '--bogus'\nTry 'unshare --help' for more information.\n");
  ToolResult bad_map = Ours({"--map-users=1:2", "true"});
  EXPECT_EQ(bad_map.code, 1);
  EXPECT_EQ(bad_map.err, "unshare: invalid mapping '1:2'\n");
  ToolResult no_time = Ours({"--monotonic", "5", "true"});
  EXPECT_EQ(no_time.code, 1);
  EXPECT_EQ(no_time.err,
            "unshare: options --monotonic and --boottime require unsharing of a time "
            "namespace (-T)\n");
  ToolResult conflict = Ours({"-r", "--setgroups=allow", "true"});
  EXPECT_EQ(conflict.code, 1);
  EXPECT_EQ(conflict.err,
            "unshare: options --setgroups=allow and --map-group are mutually exclusive\n");
  if (HaveUtilLinux()) {
    EXPECT_EQ(Theirs({"-r", "--setgroups=allow", "true"}).err, conflict.err);
    EXPECT_EQ(Theirs({"--propagation", "x", "true"}).err, Ours({"--propagation", "x", "true"}).err);
  }
  for (const char* fork : {"-f", "-U"}) {
    ToolResult missing = Ours({fork, "linuxns-no-such-command"});
    EXPECT_EQ(missing.code, 127) << fork;
    EXPECT_THAT(missing.err, StartsWith("unshare: "));
    EXPECT_THAT(missing.err, HasSubstr("linuxns-no-such-command: No such file or directory"));
    ToolResult not_executable = Ours({fork, "/etc/passwd"});
    EXPECT_EQ(not_executable.code, 126) << fork;
    EXPECT_THAT(not_executable.err, HasSubstr("/etc/passwd: Permission denied"));
  }
}

// --owner: the namespace is created by the owner, who writes maps of its own
// ids itself (setgroups denied first, as an unprivileged writer of a gid map
// must), with --fork or without.
TEST_F(UnshareTest, OwnerWritesTheMapsOfItsOwnIds) {
  LINUXNS_SKIP_UNLESS_ROOT();
  for (const char* mode : {"-U", "-f"}) {
    ToolResult r = Ours({mode, "--owner=65534:65534", "--map-users=0:65534:1",
                         "--map-groups=0:65534:1", "--setgroups=deny", "sh", "-c",
                         "id -u; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"});
    EXPECT_EQ(r.code, 0) << mode << ": " << r.err;
    EXPECT_EQ(r.out,
              "0\n         0      65534          1\n         0      65534          1\ndeny\n")
        << mode;
  }
}

// Without a new user namespace util-linux writes "deny" to the setgroups
// file of the namespace it runs in, which fails: an error here too, never
// silently ignored. "allow" is what it finds there, a no-op for both.
TEST_F(UnshareTest, SetgroupsDenyWithoutAUserNamespaceIsAnError) {
  ToolResult ours = Ours({"--setgroups=deny", "true"});
  EXPECT_EQ(ours.code, 1);
  EXPECT_EQ(ours.err,
            "unshare: option --setgroups=deny requires unsharing of a user namespace (-U)\n");
  EXPECT_EQ(Ours({"--setgroups=allow", "true"}).code, 0);
  if (!HaveUtilLinux() || !IsRoot()) return;
  EXPECT_EQ(Theirs({"--setgroups=deny", "true"}).code, 1);
  EXPECT_EQ(Theirs({"--setgroups=allow", "true"}).code, 0);
}

TEST_F(UnshareTest, NoCommandRunsTheShell) {
  ToolResult r = RunTool({"/usr/bin/env", "SHELL=/bin/echo", LINUXNS_UNSHARE_PATH});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
}

// Without a command the shell is the one the new environment names, as in
// util-linux (which sets that environment before it looks): --clear-env drops
// SHELL, so the login shell or /bin/sh runs, reading /dev/null (for uid 65534
// the login shell is nologin, which fails: only what ran is checked); a
// SHELL kept by --whitelist-env runs.
TEST_F(UnshareTest, NoCommandRunsTheShellOfTheNewEnvironment) {
  ToolResult r = RunTool({"/usr/bin/env", "SHELL=/bin/echo", LINUXNS_UNSHARE_PATH, "--clear-env"});
  EXPECT_NE(r.out, "\n") << "the SHELL of the old environment ran";
  r = RunTool({"/usr/bin/env", "SHELL=/bin/echo", LINUXNS_UNSHARE_PATH, "--whitelist-env=SHELL"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
}

TEST_F(UnshareTest, ClearAndWhitelistEnvironment) {
  ToolResult r = RunTool({"/usr/bin/env", "-i", "A=1", "B=2", LINUXNS_UNSHARE_PATH,
                          "--whitelist-env=B,C", "/usr/bin/env"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "B=2\n");
  r = RunTool({"/usr/bin/env", "-i", "A=1", LINUXNS_UNSHARE_PATH, "--clear-env", "/usr/bin/env"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(UnshareTest, SetuidSetgidAndKeepCaps) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult r = Ours({"-S", "65534", "-G", "65534", "sh", "-c", "id -u; id -g; id -G"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "65534\n65534\n65534\n");
  r = Ours({"--map-user=1", "--map-group=1", "--keep-caps", "grep", "CapAmb", "/proc/self/status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("0000000000000000")));
}

// Without a map the program runs as the overflow uid, which keeps no
// capability across execve: --keep-caps makes them ambient all the same, as
// util-linux does (uid 65534 may create the user namespace too).
TEST_F(UnshareTest, KeepCapsWithoutAMapOfTheUser) {
  const std::vector<std::string> args = {"-U", "--keep-caps", "grep", "CapAmb",
                                         "/proc/self/status"};
  ToolResult r = Ours(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("0000000000000000")));
  EXPECT_EQ(Ours({"-U", "grep", "CapAmb", "/proc/self/status"}).out, "CapAmb:\t0000000000000000\n");
  if (HaveUtilLinux()) {
    EXPECT_EQ(r.out, Theirs(args).out);
  }
}

TEST_F(UnshareTest, HelpAndVersion) {
  ToolResult help = Ours({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr(" -n, --net[=<file>]"));
  EXPECT_THAT(help.out, HasSubstr("--map-users"));
  ToolResult version = Ours({"-V"});
  EXPECT_EQ(version.code, 0);
  EXPECT_THAT(version.out, StartsWith("unshare from linuxns "));
}

}  // namespace
}  // namespace linuxns::testing

// nsexec's system-call filter end to end: the built-in deny list by default,
// a filter file (--seccomp FILE), or none (--seccomp unconfined).
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::HasSubstr;

class NsexecSeccompTest : public LeakCheckedTest {};

ToolResult Nsexec(std::vector<std::string> args) {
  args.insert(args.begin(), LINUXNS_NSEXEC_PATH);
  return RunTool(args);
}

// --seccomp: the built-in deny list by default, a filter file, or none.

// Writes `text` to `name` in `dir`, readable by every user; returns the path.
std::string WriteFilterFile(const std::string& dir, const std::string& name,
                            const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0644);
  return path;
}

// Whether `path` is a mount point in this process's mount namespace.
bool IsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    if (mount_point == path) return true;
  }
  return false;
}

constexpr char kSigsysDeath[] =
    "killed by signal 31 (Bad system call: a system call its seccomp filter forbids)";

TEST_F(NsexecSeccompTest, TheBuiltInDenyListMakesTheKernelLogFailWithEperm) {
  // syslog(2) (dmesg -S: not /dev/kmsg), which root may make without a filter.
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult denied = Nsexec({"dmesg", "-S"});
  EXPECT_EQ(denied.code, 1) << denied.err;
  EXPECT_EQ(denied.out, "");
  EXPECT_EQ(denied.err, "dmesg: read kernel buffer failed: Operation not permitted\n");
  // Whatever the namespaces.
  ToolResult in_namespaces = Nsexec({"-npu", "box", "--init", "dmesg", "-S"});
  EXPECT_EQ(in_namespaces.code, 1) << in_namespaces.err;
  EXPECT_THAT(in_namespaces.err, HasSubstr("Operation not permitted"));
  // And not without a filter.
  ToolResult unconfined = Nsexec({"--seccomp=unconfined", "dmesg", "-S"});
  EXPECT_EQ(unconfined.code, 0) << unconfined.err;
  EXPECT_NE(unconfined.out, "");
}

// As any user: userfaultfd(UFFD_USER_MODE_ONLY), which an ordinary user may
// make (Linux 5.11 and later), through perl's syscall().
TEST_F(NsexecSeccompTest, TheBuiltInDenyListMakesUserfaultfdFailWithEpermForAnyUser) {
  const std::string script = absl::StrCat("my $r = syscall(", SYS_userfaultfd,
                                          ", 1); print $r < 0 ? \"$!\\n\" : \"made\\n\"");
  const std::string tool = CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch());
  ToolResult unconfined =
      RunToolAsNobody({tool, "-U", "--seccomp=unconfined", "perl", "-e", script});
  if (unconfined.out != "made\n") {
    GTEST_SKIP() << "userfaultfd(UFFD_USER_MODE_ONLY) fails here without a filter: "
                 << unconfined.out << unconfined.err;
  }
  for (const char* user_ns : {"-U", "-Ump"}) {
    ToolResult denied = RunToolAsNobody({tool, user_ns, "perl", "-e", script});
    EXPECT_EQ(denied.code, 0) << denied.err;
    EXPECT_EQ(denied.out, "Operation not permitted\n") << user_ns;
  }
  // Without a user namespace (no_new_privs), and as root.
  ToolResult nobody = RunToolAsNobody({tool, "perl", "-e", script});
  EXPECT_EQ(nobody.out, "Operation not permitted\n");
  if (IsRoot()) {
    EXPECT_EQ(Nsexec({"perl", "-e", script}).out, "Operation not permitted\n");
  }
}

TEST_F(NsexecSeccompTest, TheBuiltInDenyListDeniesTheMountApiOnlyInTheCallersMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string target = scratch() + "/m";
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0) << std::strerror(errno);
  const std::vector<std::string> mount = {"mount", "-t", "tmpfs", "linuxns-test", target};
  // Sharing nsexec's mount namespace (no namespace, or only an IPC one).
  for (const std::vector<std::string>& options :
       {std::vector<std::string>{}, std::vector<std::string>{"-i"}}) {
    std::vector<std::string> args = options;
    args.insert(args.end(), mount.begin(), mount.end());
    ToolResult r = Nsexec(args);
    EXPECT_EQ(r.code, 32) << r.err;  // mount(8)'s "mount failure"
    EXPECT_THAT(r.err, HasSubstr("permission denied"));
    if (IsMountPoint(target)) {
      ADD_FAILURE() << "the filter let a mount into this mount namespace";
      ::umount2(target.c_str(), MNT_DETACH);
    }
  }
  // In a mount namespace of its own (-m, and so -p and -n), the mount is
  // the command's business.
  std::vector<std::string> args = {"-m", "sh", "-c"};
  args.push_back(absl::StrCat("mount -t tmpfs linuxns-test ", target, " && grep -c ' ", target,
                              " ' /proc/self/mountinfo"));
  ToolResult own = Nsexec(args);
  EXPECT_EQ(own.code, 0) << own.err;
  EXPECT_EQ(own.out, "1\n");
  EXPECT_FALSE(IsMountPoint(target));
  // -v names the filter.
  ToolResult shared = Nsexec({"-v", "-i", "true"});
  EXPECT_THAT(shared.err,
              ::testing::ContainsRegex("nsexec: seccomp: the built-in deny list with the mount "
                                       "API and sethostname and setdomainname, [0-9]+ BPF "
                                       "instructions\n"));
  ToolResult mnt = Nsexec({"-v", "-m", "true"});
  EXPECT_THAT(mnt.err, ::testing::ContainsRegex("nsexec: seccomp: the built-in deny list with "
                                                "sethostname and setdomainname, [0-9]+ BPF "
                                                "instructions\n"));
  ToolResult mnt_uts = Nsexec({"-v", "-m", "-u", "box", "true"});
  EXPECT_THAT(mnt_uts.err,
              ::testing::ContainsRegex(
                  "nsexec: seccomp: the built-in deny list, [0-9]+ BPF instructions\n"));
  EXPECT_THAT(Nsexec({"-v", "--seccomp=unconfined", "-m", "true"}).err,
              HasSubstr("nsexec: seccomp: unconfined\n"));
}

TEST_F(NsexecSeccompTest, SeccompFileWithAnErrnoRule) {
  const std::string file = WriteFilterFile(scratch(), "deny-uname",
                                           "# uname(2) fails, nothing else does\n"
                                           "default allow\n"
                                           "errno EPERM uname\n");
  const std::string kFails = "uname: cannot get system name: Operation not permitted\n";
  // As root or as an ordinary user in a user namespace (CAP_SYS_ADMIN there
  // lets the child install it as it is)...
  std::vector<std::string> args = {"--seccomp", file, "uname"};
  if (!IsRoot()) args.insert(args.begin(), "-U");
  ToolResult r = Nsexec(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, kFails);
  EXPECT_EQ(Nsexec({"--seccomp", file, "true"}).code, 0);
  // ...and without any namespace (the child sets no_new_privs first).
  const std::string tool = CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch());
  ToolResult nobody = RunToolAsNobody({tool, "--seccomp=" + file, "uname"});
  EXPECT_EQ(nobody.code, 1);
  EXPECT_EQ(nobody.err, kFails);
  ToolResult nobody_user = RunToolAsNobody({tool, "-U", "--seccomp=" + file, "uname"});
  EXPECT_EQ(nobody_user.code, 1);
  EXPECT_EQ(nobody_user.err, kFails);
  // Without the rule, uname answers.
  EXPECT_EQ(Nsexec({"uname", "-s"}).out, "Linux\n");
}

TEST_F(NsexecSeccompTest, SeccompFileWithAKillRuleEndsTheCommandWithSigsys) {
  const std::string file = WriteFilterFile(scratch(), "kill-uname", "kill uname\n");
  std::vector<std::string> args = {"--seccomp=" + file, "uname"};
  if (!IsRoot()) args.insert(args.begin(), "-U");
  ToolResult r = Nsexec(args);
  EXPECT_EQ(r.code, 128 + SIGSYS);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, absl::StrCat("nsexec: uname: ", kSigsysDeath, "\n"));
  // A command that does not make the call runs.
  args.back() = "true";
  EXPECT_EQ(Nsexec(args).code, 0);
  // Under --init, which exits with 128+31 for the command: the same code.
  ToolResult init = Nsexec({"-Up", "--init", "--seccomp=" + file, "uname"});
  EXPECT_EQ(init.code, 128 + SIGSYS) << init.err;
  // With --stats, the line comes after the message.
  ToolResult stats = Nsexec({"-U", "--stats", "--seccomp=" + file, "uname"});
  EXPECT_EQ(stats.code, 128 + SIGSYS);
  EXPECT_THAT(stats.err, ::testing::MatchesRegex(
                             absl::StrCat("nsexec: uname: killed by signal 31 \\(Bad system call: "
                                          "a system call its seccomp filter forbids\\)\n",
                                          kNsexecStatsLine)));
  // The built-in deny list kills nothing: a SIGSYS is the command's own.
  ToolResult own = Nsexec({"sh", "-c", "kill -SYS $$"});
  EXPECT_EQ(own.code, 128 + SIGSYS);
  EXPECT_EQ(own.err, "");
}

TEST_F(NsexecSeccompTest, SeccompFileErrorsNameTheFileAndTheLineAndNothingRuns) {
  const std::string marker = scratch() + "/ran";
  const std::vector<std::string> command = {"sh", "-c", "touch " + marker};
  auto run = [&](const std::string& file) {
    std::vector<std::string> args = {"--seccomp", file};
    if (!IsRoot()) args.insert(args.begin(), "-U");
    args.insert(args.end(), command.begin(), command.end());
    return Nsexec(args);
  };
  const std::string malformed = WriteFilterFile(scratch(), "malformed",
                                                "default allow\n"
                                                "\n"
                                                "errno EPERM uname   # fine\n"
                                                "errno EPERM socket arg0=2\n");
  ToolResult r = run(malformed);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, absl::StrCat("nsexec: ", malformed,
                                ": syscall filter: line 4: malformed condition \"arg0=2\" "
                                "(argN==V, !=, <, <=, >, >=, or argN&M==V; N 0..5)\n"));
  const std::string action = WriteFilterFile(scratch(), "action", "deny uname\n");
  r = run(action);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, absl::StrCat("nsexec: ", action,
                                ": syscall filter: line 1: unknown action \"deny\" "
                                "(allow, log, trap, kill, errno E)\n"));
  const std::string unknown = WriteFilterFile(
      scratch(), "unknown", "errno EPERM uname\nerrno EPERM linuxns_no_such_call\n");
  r = run(unknown);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, absl::StrCat("nsexec: ", unknown,
                                ": syscall filter: rule 2 (linuxns_no_such_call): unknown system "
                                "call \"linuxns_no_such_call\" (not in this architecture's "
                                "tables)\n"));
  const std::string missing = scratch() + "/linuxns-no-such-file";
  r = run(missing);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, absl::StrCat("nsexec: ", missing, ": open: No such file or directory\n"));
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the command ran";
  // An empty argument is a usage error.
  r = Nsexec({"--seccomp=", "true"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "nsexec: --seccomp '': expected a filter file or \"unconfined\"\n"
            "Try 'nsexec --help' for more information.\n");
}

// A filter file is read whole before it is parsed: one without end
// (/dev/zero) or larger than any filter (more than 1 MiB) is refused, not
// read until memory runs out (nsexec once died of std::bad_alloc, exit 134,
// after taking all the memory it was allowed). A file of exactly 1 MiB is
// read.
TEST_F(NsexecSeccompTest, SeccompFileLargerThanOneMebibyteIsRefused) {
  const std::string marker = scratch() + "/ran";
  // 1 GiB of address space bounds what a nsexec without the limit takes,
  // except under a sanitizer (its shadow memory alone is more).
  const std::string limit = kUnderSanitizer ? "" : "ulimit -v 1048576;";
  auto run = [&](const std::string& file) {
    std::vector<std::string> argv = {LINUXNS_NSEXEC_PATH, "--seccomp", file};
    if (!IsRoot()) argv.insert(argv.begin() + 1, "-U");
    argv.insert(argv.end(), {"sh", "-c", "touch " + marker});
    return RunToolInShell(limit, argv, "");
  };
  ToolResult r = run("/dev/zero");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err, "nsexec: /dev/zero: larger than 1048576 bytes, too large for a filter file\n");
  // 16384 comment lines of 64 bytes: 1 MiB, then one byte more.
  std::string text;
  for (int i = 0; i < 16384; ++i) text += "#" + std::string(62, 'x') + "\n";
  const std::string exact = WriteFilterFile(scratch(), "exact", text);
  const std::string over = WriteFilterFile(scratch(), "over", text + "\n");
  r = run(over);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err, absl::StrCat("nsexec: ", over,
                                ": larger than 1048576 bytes, too large for a filter file\n"));
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the command ran";
  r = run(exact);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(marker));
}

}  // namespace
}  // namespace linuxns::testing

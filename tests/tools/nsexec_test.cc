// End-to-end tests of the nsexec tool on real namespaces.
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/ns_fd.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::HasSubstr;

class NsexecTest : public LeakCheckedTest {};

ToolResult Nsexec(std::vector<std::string> args) {
  args.insert(args.begin(), LINUXNS_NSEXEC_PATH);
  return RunTool(args);
}

TEST_F(NsexecTest, ClassicContainerPidOneHostnameAndOnlyLoopback) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult r = Nsexec({"-npu", "myhost", "sh", "-c",
                         "echo $$; hostname; ls /sys/class/net; echo /proc/[0-9]*"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1\nmyhost\nlo\n/proc/1\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(NsexecTest, AsAnOrdinaryUserWithUserNamespace) {
  // A copy that uid 65534 can reach, wherever the build directory lies.
  ASSERT_EQ(::chmod(scratch().c_str(), 0755), 0);
  const std::string tool = scratch() + "/nsexec";
  std::filesystem::copy_file(LINUXNS_NSEXEC_PATH, tool);
  int code = RunInForkedChild([&] {
    if (!DropToNobody()) return 2;
    ToolResult r = RunTool({tool, "-Unpu", "myhost", "sh", "-c", "id -u; echo $$; hostname"});
    if (r.code != 0 || r.out != "0\n1\nmyhost\n") {
      std::fprintf(stderr, "code %d out %s err %s\n", r.code, r.out.c_str(), r.err.c_str());
      return 3;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NsexecTest, NewNamespacesDifferForExactlyTheRequestedTypes) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::string script;
  for (NsType t : kAllNsTypes) absl::StrAppend(&script, "readlink /proc/self/ns/", NsTypeName(t), ";");
  ToolResult r = Nsexec({"-iC", "sh", "-c", script});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(r.out);
  for (NsType t : kAllNsTypes) {
    std::string line;
    std::getline(lines, line);
    const std::string ours = NsFd::OpenCurrent(t)->id().ToString();
    const bool expect_new = t == NsType::kIpc || t == NsType::kCgroup;
    EXPECT_EQ(line != ours, expect_new) << t << ": " << line;
  }
}

TEST_F(NsexecTest, InitPutsTheCommandUnderPidOne) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult r = Nsexec({"-p", "--init", "sh", "-c", "echo $$; cat /proc/1/comm; exit 3"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "2\nlinuxns-init\n");
}

TEST_F(NsexecTest, ExitStatusAndSignalsAreTheCommands) {
  EXPECT_EQ(Nsexec({"sh", "-c", "exit 42"}).code, 42);
  EXPECT_EQ(Nsexec({"sh", "-c", "kill -9 $$"}).code, 128 + 9);
}

TEST_F(NsexecTest, BadInputGetsTheErrorAndExitCode) {
  ToolResult unknown = Nsexec({"--bogus", "true"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err,
            "nsexec: unrecognized option '--bogus'\nTry 'nsexec --help' for more information.\n");
  ToolResult missing = Nsexec({"linuxns-no-such-command"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_THAT(missing.err, HasSubstr("nsexec: spawn: execve linuxns-no-such-command: No such "
                                     "file or directory"));
  ToolResult not_executable = Nsexec({"/etc/passwd"});
  EXPECT_EQ(not_executable.code, 126);
  ToolResult long_host = Nsexec({"-u", std::string(65, 'h'), "true"});
  EXPECT_EQ(long_host.code, 1);
  EXPECT_EQ(long_host.err, "nsexec: spawn: hostname is 65 bytes long; at most 64 are allowed\n");
  ToolResult no_command = Nsexec({"-n"});
  EXPECT_EQ(no_command.code, 1);
  EXPECT_THAT(no_command.err, HasSubstr("nsexec: no command given\n"));
}

TEST_F(NsexecTest, HelpAndVersion) {
  ToolResult help = Nsexec({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr(" -u, --uts <hostname>"));
  ToolResult version = Nsexec({"-V"});
  EXPECT_EQ(version.code, 0);
  EXPECT_THAT(version.out, ::testing::StartsWith("nsexec from linuxns "));
}

}  // namespace
}  // namespace linuxns::testing

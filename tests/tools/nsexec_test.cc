// End-to-end tests of the nsexec tool on real namespaces.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pid_fd.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
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

// -v names the namespaces the command was placed in even when it exits at
// once: the child records them before its exec (record_namespaces), so the
// report never races the command (it read "(exited)" in 4 of 60 runs).
TEST_F(NsexecTest, VerboseReportsTheNamespacesOfACommandThatExitsAtOnce) {
  LINUXNS_SKIP_UNLESS_ROOT();
  for (int i = 0; i < 60; ++i) {
    ToolResult r = Nsexec({"-v", "-n", "--", "true"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.err,
                ::testing::ContainsRegex("nsexec: net: net:\\[[0-9]+\\] -> net:\\[[0-9]+\\]"))
        << "run " << i;
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("exited"))) << "run " << i;
    EXPECT_THAT(r.err, ::testing::Not(HasSubstr("-> ?"))) << "run " << i;
  }
}

TEST_F(NsexecTest, ClassicContainerPidOneHostnameAndOnlyLoopback) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ToolResult r = Nsexec(
      {"-npu", "myhost", "sh", "-c", "echo $$; hostname; ls /sys/class/net; echo /proc/[0-9]*"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1\nmyhost\nlo\n/proc/1\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(NsexecTest, AsAnOrdinaryUserWithUserNamespace) {
  ToolResult r = RunToolAsNobody({CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch()), "-Unpu",
                                  "myhost", "sh", "-c", "id -u; echo $$; hostname"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\nmyhost\n");
}

TEST_F(NsexecTest, NewNamespacesDifferForExactlyTheRequestedTypes) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::string script;
  for (NsType t : kAllNsTypes)
    absl::StrAppend(&script, "readlink /proc/self/ns/", NsTypeName(t), ";");
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

TEST_F(NsexecTest, LoopbackIsUpInANewNetworkNamespace) {
  // 0x9: IFF_UP | IFF_LOOPBACK.
  const std::vector<std::string> command = {"sh", "-c", "cat /sys/class/net/lo/flags"};
  if (IsRoot()) {
    std::vector<std::string> args = {"-n"};
    args.insert(args.end(), command.begin(), command.end());
    ToolResult r = Nsexec(args);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "0x9\n");
  }
  // And for an ordinary user, with -U.
  std::vector<std::string> args = {CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch()), "-Un"};
  args.insert(args.end(), command.begin(), command.end());
  ToolResult r = RunToolAsNobody(args);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0x9\n");
}

// The host's links whose names start with "nsexec" (those --veth makes).
// Compared before and after rather than expected empty: the host's network
// namespace is shared with whatever else runs on the machine. Each test uses
// its own subnet for the same reason.
std::vector<std::string> HostVethLinks() {
  std::vector<std::string> links;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("nsexec", 0) == 0) links.push_back(name);
  }
  return links;
}

// A UDP socket of the test (in the host's network namespace) bound to
// `address`:`port` before the address exists (IP_FREEBIND): what the command
// sends to the host's end of the pair arrives here.
UniqueFd FreeBoundUdp(int family, const char* address, uint16_t port) {
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  if (!fd ||
      ::setsockopt(fd.get(), family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
                   family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND, &one, sizeof(one)) != 0) {
    return UniqueFd();
  }
  sockaddr_storage storage{};
  socklen_t size = 0;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    ::inet_pton(AF_INET, address, &in->sin_addr);
    size = sizeof(*in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, address, &in6->sin6_addr);
    size = sizeof(*in6);
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), size) != 0) return UniqueFd();
  return fd;
}

// What arrived on `fd` (within 5 s) and the sender's address; answers
// "pong\n" to the sender.
std::pair<std::string, std::string> ReceiveAndAnswer(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 5000) != 1) return {"(nothing)", ""};
  char buffer[128];
  sockaddr_storage from{};
  socklen_t size = sizeof(from);
  const ssize_t n = ::recvfrom(fd, buffer, sizeof(buffer), MSG_DONTWAIT,
                               reinterpret_cast<sockaddr*>(&from), &size);
  if (n < 0) return {"(error)", ""};
  ::sendto(fd, "pong\n", 5, 0, reinterpret_cast<sockaddr*>(&from), size);
  char text[INET6_ADDRSTRLEN] = {};
  if (from.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, text, sizeof(text));
  } else {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, text, sizeof(text));
  }
  return {std::string(buffer, static_cast<std::size_t>(n)), text};
}

// Runs nsexec with `args` on a thread while this one answers the datagram the
// command sends to `host`; returns the tool's result and what arrived.
std::pair<ToolResult, std::pair<std::string, std::string>> RunExchanging(
    int host, std::vector<std::string> args) {
  ToolResult result;
  std::thread tool([&] { result = Nsexec(std::move(args)); });
  std::pair<std::string, std::string> received = ReceiveAndAnswer(host);
  tool.join();
  return {result, received};
}

// The command's side: send `message` to ADDRESS:PORT through the veth pair,
// print the answer (waiting at most 5 s for it).
std::string SendAndPrintAnswer(const std::string& address, int port, const std::string& message) {
  // head reads the datagram whole (bash's read would take one byte of it).
  return absl::StrCat("exec 3<>/dev/udp/", address, "/", port, "; echo ", message,
                      " >&3; timeout 5 head -c 5 <&3");
}

TEST_F(NsexecTest, VethConnectsTheNewNetworkToTheHostAndIsDeletedAfterwards) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::vector<std::string> before = HostVethLinks();
  UniqueFd host = FreeBoundUdp(AF_INET, "198.51.100.1", 4300);
  ASSERT_TRUE(host.valid()) << std::strerror(errno);
  auto [r, received] = RunExchanging(
      host.get(),
      {"--veth", "198.51.100.1/28,198.51.100.2/28", "bash", "-c",
       "ls /sys/class/net; cat /sys/class/net/eth0/operstate /sys/class/net/lo/flags; " +
           SendAndPrintAnswer("198.51.100.1", 4300, "hello")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "eth0\nlo\nup\n0x9\npong\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(received, std::make_pair(std::string("hello\n"), std::string("198.51.100.2")));
  EXPECT_EQ(HostVethLinks(), before);
}

TEST_F(NsexecTest, VethWorksWithIpv6AtOnceAndWithEveryOtherType) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::vector<std::string> before = HostVethLinks();
  UniqueFd host = FreeBoundUdp(AF_INET6, "2001:db8:1::1", 4301);
  ASSERT_TRUE(host.valid()) << std::strerror(errno);
  auto [r, received] = RunExchanging(
      host.get(), {"-pu", "box", "-v", "--veth=2001:db8:1::1/64,2001:db8:1::2/64", "bash", "-c",
                   "hostname; echo $$; " + SendAndPrintAnswer("2001:db8:1::1", 4301, "hi")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "box\n1\npong\n");
  EXPECT_THAT(r.err, HasSubstr(" 2001:db8:1::1/64 <-> eth0 2001:db8:1::2/64 in net:["));
  EXPECT_EQ(received, std::make_pair(std::string("hi\n"), std::string("2001:db8:1::2")));
  EXPECT_EQ(HostVethLinks(), before);
}

TEST_F(NsexecTest, VethIsDeletedWhenTheCommandFailsOrIsKilled) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::vector<std::string> before = HostVethLinks();
  EXPECT_EQ(Nsexec({"--veth", "198.51.100.17/28,198.51.100.18/28", "sh", "-c", "kill -9 $$"}).code,
            128 + 9);
  EXPECT_EQ(HostVethLinks(), before);
  ToolResult missing =
      Nsexec({"--veth", "198.51.100.17/28,198.51.100.18/28", "linuxns-no-such-command"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_EQ(HostVethLinks(), before);
}

TEST_F(NsexecTest, VethBadInputAndNoPrivilegeGetAnErrorAndLeaveNoLink) {
  const std::vector<std::string> before = HostVethLinks();
  ToolResult bad = Nsexec({"--veth", "198.51.100.1/24", "true"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err,
            "nsexec: --veth '198.51.100.1/24': expected HOST_ADDRESS/PREFIX,PEER_ADDRESS/PREFIX, "
            "e.g. 198.51.100.1/24,198.51.100.2/24\nTry 'nsexec --help' for more information.\n");
  // A subnet the host uses already (its own addresses, whatever they are).
  std::string taken;
  {
    ToolResult ip =
        RunTool({"/bin/sh", "-c", "ip -o -4 address show scope global | awk '{print $4; exit}'"});
    taken = ip.out.substr(0, ip.out.find('\n'));
  }
  if (!taken.empty() && IsRoot()) {
    ToolResult clash = Nsexec({"--veth", taken + ",198.51.100.250/32", "true"});
    EXPECT_EQ(clash.code, 1);
    EXPECT_THAT(clash.err, HasSubstr(absl::StrCat("nsexec: --veth: ", taken, " overlaps ")));
    EXPECT_THAT(clash.err, HasSubstr("choose a subnet this host does not use"));
  }
  // As an ordinary user: no privilege over the host's network.
  ToolResult r = RunToolAsNobody({CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch()), "--veth",
                                  "198.51.100.33/28,198.51.100.34/28", "true"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, ::testing::StartsWith("nsexec: --veth: "));
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  EXPECT_EQ(HostVethLinks(), before);
}

// The pids in /proc/PID/task/*/children: the children of every thread of PID.
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  const std::string tasks = absl::StrCat("/proc/", pid, "/task");
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "children");
    for (pid_t child; in >> child;) children.push_back(child);
  }
  return children;
}

// The live processes (by /proc; zombies, which an init may not have reaped
// yet, do not count) whose pid namespace is the one of inode `ino`.
int ProcessesInPidNamespace(ino_t ino) {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    struct stat st;
    const std::string ns = entry.path().string() + "/ns/pid";
    if (::stat(ns.c_str(), &st) != 0 || st.st_ino != ino) continue;
    std::ifstream in(entry.path() / "stat");
    const std::string stat_line((std::istreambuf_iterator<char>(in)), {});
    const std::size_t state = stat_line.rfind(") ");
    if (state != std::string::npos && stat_line.compare(state + 2, 1, "Z") != 0) ++count;
  }
  return count;
}

// A container that nsexec leaves running: `nsexec -p ... sh` whose shell (PID
// 1 of a new pid namespace) has started a grandchild, then nsexec is killed
// with SIGKILL.
struct Orphaned {
  PidFd command;
  PidFd grandchild;
  ino_t pid_ns = 0;
};

absl::StatusOr<Orphaned> KillNsexecWhileItsContainerRuns(std::vector<std::string> options) {
  SpawnOptions spawn;
  spawn.argv = {LINUXNS_NSEXEC_PATH};
  spawn.argv.insert(spawn.argv.end(), options.begin(), options.end());
  for (const char* arg : {"-p", "sh", "-c", "sleep 1000 & echo ready; wait"}) {
    spawn.argv.emplace_back(arg);
  }
  spawn.stdout_mode = Stdio::kPipe;
  LINUXNS_ASSIGN_OR_RETURN(ChildProcess nsexec, ChildProcess::Spawn(spawn));
  UniqueFd out = nsexec.TakeStdout();
  char ready[6];
  if (::read(out.get(), ready, sizeof ready) != sizeof ready) {
    return absl::InternalError("nsexec's command did not say it was ready");
  }
  std::vector<pid_t> command = ChildrenOf(nsexec.pid());
  if (command.size() != 1) return absl::InternalError("nsexec has not exactly one child");
  std::vector<pid_t> grandchild = ChildrenOf(command[0]);
  if (grandchild.size() != 1) return absl::InternalError("the command has not exactly one child");
  Orphaned o;
  LINUXNS_ASSIGN_OR_RETURN(o.command, PidFd::Open(command[0]));
  LINUXNS_ASSIGN_OR_RETURN(o.grandchild, PidFd::Open(grandchild[0]));
  struct stat st;
  const std::string ns = absl::StrCat("/proc/", command[0], "/ns/pid");
  if (::stat(ns.c_str(), &st) != 0) return absl::InternalError("no pid namespace of the command");
  o.pid_ns = st.st_ino;
  LINUXNS_RETURN_IF_ERROR(nsexec.Signal(SIGKILL));
  LINUXNS_ASSIGN_OR_RETURN(ExitStatus status, nsexec.Wait());
  if (!status.signaled()) return absl::InternalError("nsexec was not killed");
  return o;
}

TEST_F(NsexecTest, KillingNsexecKillsItsContainer) {
  LINUXNS_SKIP_UNLESS_ROOT();
  absl::StatusOr<Orphaned> o = KillNsexecWhileItsContainerRuns({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command.WaitForExit(absl::Seconds(1)).value_or(false), true);
  EXPECT_EQ(o->grandchild.WaitForExit(absl::Seconds(1)).value_or(false), true);
  EXPECT_EQ(ProcessesInPidNamespace(o->pid_ns), 0);
  static_cast<void>(o->command.SendSignal(SIGKILL));  // should it have survived
}

TEST_F(NsexecTest, NoKillChildLeavesTheContainerRunning) {
  LINUXNS_SKIP_UNLESS_ROOT();
  absl::StatusOr<Orphaned> o = KillNsexecWhileItsContainerRuns({"--no-kill-child"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command.WaitForExit(absl::Seconds(1)).value_or(true), false);
  EXPECT_EQ(o->grandchild.HasExited().value_or(true), false);
  EXPECT_EQ(ProcessesInPidNamespace(o->pid_ns), 2);
  // Clean up: the pid namespace goes with its PID 1.
  EXPECT_TRUE(o->command.SendSignal(SIGKILL).ok());
  EXPECT_EQ(o->grandchild.WaitForExit(absl::Seconds(5)).value_or(false), true);
}

TEST_F(NsexecTest, NoDescriptorForTheSignalfdMeansTheCommandNeverStarts) {
  // Under UBSan at `ulimit -n` 4 the tool dies in the runtime's own checks.
  if (kUnderSanitizer) GTEST_SKIP() << "a sanitizer's runtime needs descriptors too";
  // Under a descriptor limit, whatever nsexec cannot make (the signalfd that
  // forwards signals, the spawn's pipes and pidfds) fails before the command
  // starts: the command runs fully or not at all. -v says "started pid N"
  // once the command has been executed (a command killed at once may not get
  // to its marker file); RunTool returns once every holder of its pipes has
  // exited, so the marker of a command that ran is there.
  for (const char* kill_child : {"", "--no-kill-child"}) {
    for (int limit = 4; limit <= 8; ++limit) {
      const std::string marker = absl::StrCat(scratch(), "/ran", limit, kill_child);
      std::vector<std::string> argv = {LINUXNS_NSEXEC_PATH, "-v", "sh", "-c", "touch " + marker};
      if (kill_child[0] != '\0') argv.insert(argv.begin() + 1, kill_child);
      ToolResult r = RunToolInShell(absl::StrCat("ulimit -n ", limit, ";"), argv, "");
      const bool ran = std::filesystem::exists(marker);
      SCOPED_TRACE(absl::StrCat("ulimit -n ", limit, " ", kill_child, ": ", r.err));
      if (r.code == 0) {
        EXPECT_TRUE(ran);
        continue;
      }
      EXPECT_FALSE(ran) << "the command ran although nsexec failed";
      EXPECT_THAT(r.err, ::testing::Not(HasSubstr("nsexec: started pid")));
      EXPECT_EQ(r.code, 1);
      EXPECT_THAT(r.err, ::testing::StartsWith("nsexec: "));
      EXPECT_THAT(r.err, HasSubstr("Too many open files"));
    }
  }
}

// The CPU time this process's reaped children used so far.
absl::Duration ChildrenCpu() {
  rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  return absl::DurationFromTimeval(ru.ru_utime) + absl::DurationFromTimeval(ru.ru_stime);
}

// The figures of the stats line in `err`.
struct Stats {
  absl::Duration cpu = absl::InfiniteDuration();  // user + system
  unsigned long long max_rss_kib = 0;
};

Stats ParseStats(const std::string& err) {
  Stats stats;
  const std::size_t at = err.find("nsexec: stats: ");
  double user = 0, system = 0;
  if (at != std::string::npos &&
      std::sscanf(err.c_str() + at, "nsexec: stats: user %lfs system %lfs maxrss %llu KiB", &user,
                  &system, &stats.max_rss_kib) == 3) {
    stats.cpu = absl::Seconds(user + system);
  }
  return stats;
}

TEST_F(NsexecTest, StatsPrintTheCommandsCpuTimeAndPeakMemory) {
  // dd fills a 64 MiB buffer from /dev/zero: all of it resident, and CPU
  // time spent in the kernel.
  const absl::Duration before = ChildrenCpu();
  ToolResult r =
      Nsexec({"--stats", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1", "status=none"});
  const absl::Duration used = ChildrenCpu() - before;
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::MatchesRegex(kNsexecStatsLine));
  const Stats stats = ParseStats(r.err);
  EXPECT_GE(stats.max_rss_kib, 64u * 1024) << r.err;
  // The command's share of what nsexec and the command used in all (the
  // line rounds each figure down to the millisecond).
  EXPECT_GE(stats.cpu, absl::Milliseconds(1)) << r.err;
  EXPECT_LE(stats.cpu, used) << r.err;
}

TEST_F(NsexecTest, StatsComeAfterTheCommandAndKeepItsExitStatus) {
  ToolResult killed = Nsexec({"--stats", "sh", "-c", "echo last >&2; kill -9 $$"});
  EXPECT_EQ(killed.code, 128 + 9);
  EXPECT_THAT(killed.err, ::testing::MatchesRegex(absl::StrCat("last\n", kNsexecStatsLine)));
  ToolResult exited = Nsexec({"--stats", "sh", "-c", "exit 42"});
  EXPECT_EQ(exited.code, 42);
  EXPECT_THAT(exited.err, ::testing::MatchesRegex(kNsexecStatsLine));
  // No command ran: no stats.
  ToolResult missing = Nsexec({"--stats", "linuxns-no-such-command"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_THAT(missing.err, ::testing::Not(HasSubstr("stats")));
  // Without the option, nothing is said.
  EXPECT_EQ(Nsexec({"sh", "-c", "exit 42"}).err, "");
}

TEST_F(NsexecTest, StatsUnderTheInitCoverTheCommandItWaitedFor) {
  // As an ordinary user, in a user and pid namespace: the init is nsexec's
  // child, and the 64 MiB are the command's, the init's child.
  ToolResult r = RunToolAsNobody({CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch()), "-Up",
                                  "--init", "--stats", "dd", "if=/dev/zero", "of=/dev/null",
                                  "bs=64M", "count=1", "status=none"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::MatchesRegex(kNsexecStatsLine));
  EXPECT_GE(ParseStats(r.err).max_rss_kib, 64u * 1024) << r.err;
}

// --dev: the command's /dev is the minimal one, as root and as an ordinary
// user in a user namespace; this machine's /dev is untouched.
TEST_F(NsexecTest, DevGivesTheCommandAMinimalDevOfItsOwn) {
  const std::string list =
      "fd\nfull\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n";
  const std::string script =
      "ls -A /dev; head -c 16 /dev/urandom | wc -c; dd if=/dev/zero of=/dev/full bs=1 count=1 "
      "status=none || echo full";
  std::vector<std::string> args = {"--dev", "sh", "-c", script};
  if (!IsRoot()) args.insert(args.begin(), "-U");
  ToolResult r = Nsexec(args);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, list + "16\nfull\n");
  EXPECT_THAT(r.err, HasSubstr("No space left on device"));
  EXPECT_TRUE(std::filesystem::exists("/dev/loop-control") ||
              std::filesystem::exists("/dev/console") || std::filesystem::exists("/dev/kmsg"))
      << "this machine's /dev looks changed";
  ToolResult nobody = RunToolAsNobody(
      {CopyToolForOthers(LINUXNS_NSEXEC_PATH, scratch()), "-U", "--dev", "sh", "-c", "ls -A /dev"});
  EXPECT_EQ(nobody.code, 0) << nobody.err;
  EXPECT_EQ(nobody.out, list);
}

TEST_F(NsexecTest, ABadSeccompFileLeavesNoVethBehind) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::vector<std::string> before = HostVethLinks();
  const std::string bad = scratch() + "/bad";
  std::ofstream(bad) << "default\n";
  ToolResult r =
      Nsexec({"-v", "--veth", "198.51.100.49/28,198.51.100.50/28", "--seccomp", bad, "true"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(": syscall filter: line 1: \"default\" needs an action\n"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("veth")));
  EXPECT_EQ(HostVethLinks(), before);
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

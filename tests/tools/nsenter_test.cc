// End-to-end tests of the nsenter tool against real targets made here, side
// by side with util-linux's /usr/bin/nsenter where both must agree.
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pid_fd.h"
#include "linuxns/unique_fd.h"
#include "support/spawn_util.h"
#include "support/test_util.h"
#include "tools/tool_test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kUtilLinuxNsenter[] = "/usr/bin/nsenter";

ToolResult Nsenter(std::vector<std::string> args) {
  args.insert(args.begin(), LINUXNS_NSENTER_PATH);
  return RunTool(args);
}

std::string Pid(pid_t pid) { return absl::StrCat(pid); }

// `sleep 60` in new namespaces, with a hostname when uts is new; killed and
// reaped by the ChildProcess destructor.
ChildProcess StartTarget(NsTypeSet types, bool map_user = false,
                         std::optional<std::vector<std::string>> env = std::nullopt,
                         std::optional<std::string> cwd = std::nullopt) {
  SpawnOptions options;
  options.argv = {"sleep", "60"};
  options.new_namespaces = types;
  if (map_user) options.MapCurrentUserToRoot();
  if (types.Contains(NsType::kUts)) options.hostname = "nsenter-target";
  options.env = std::move(env);
  options.cwd = std::move(cwd);
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
  EXPECT_TRUE(child.ok()) << child.status();
  if (child.ok()) AwaitNewImage(child->pid());  // nsenter -e reads its environ
  return std::move(child).value();
}

std::string IdOf(const ChildProcess& target, NsType type) {
  absl::StatusOr<NsFd> ns = target.OpenNamespace(type);
  return ns.ok() ? ns->id().ToString() : ns.status().ToString();
}

class NsenterTest : public LeakCheckedTest {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    // Under AddressSanitizer: nsenter enters a pid namespace itself before it
    // forks, and LeakSanitizer's tracer, cloned at exit, is then born in that
    // namespace and cannot find the process it must stop: the leak check
    // would hang. It stays on for everything else (and for this test binary).
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string options =
        std::string(asan != nullptr ? asan : "") + (asan != nullptr ? ":" : "") + "detect_leaks=0";
    ::setenv("ASAN_OPTIONS", options.c_str(), 1);
  }
};

TEST_F(NsenterTest, AllGivesTheSameAsUtilLinux) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target =
      StartTarget({NsType::kUts, NsType::kNet, NsType::kIpc, NsType::kPid, NsType::kMnt});
  const std::vector<std::string> args = {
      "-t", Pid(target.pid()), "-a", "sh", "-c", "hostname; readlink /proc/self/ns/net"};
  ToolResult ours = Nsenter(args);
  EXPECT_EQ(ours.code, 0) << ours.err;
  EXPECT_EQ(ours.out, absl::StrCat("nsenter-target\n", IdOf(target, NsType::kNet), "\n"));
  EXPECT_EQ(ours.err, "");
  if (::access(kUtilLinuxNsenter, X_OK) != 0) GTEST_SKIP() << "no " << kUtilLinuxNsenter;
  std::vector<std::string> theirs_argv = args;
  theirs_argv.insert(theirs_argv.begin(), kUtilLinuxNsenter);
  ToolResult theirs = RunTool(theirs_argv);
  EXPECT_EQ(theirs.code, 0) << theirs.err;
  EXPECT_EQ(ours.out, theirs.out);
}

TEST_F(NsenterTest, UserNamespaceGivesUidZero) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUser, NsType::kUts}, /*map_user=*/true);
  ToolResult r = Nsenter({"-t", Pid(target.pid()), "-U", "-u", "sh", "-c",
                          "id -u; id -g; hostname; readlink /proc/self/ns/user"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("0\n0\nnsenter-target\n", IdOf(target, NsType::kUser), "\n"));
}

TEST_F(NsenterTest, AsAnOrdinaryUserIntoItsOwnContainer) {
  ASSERT_EQ(::chmod(scratch().c_str(), 0755), 0);
  const std::string tool = scratch() + "/nsenter";
  std::filesystem::copy_file(LINUXNS_NSENTER_PATH, tool);
  int code = RunInForkedChild([&] {
    if (!DropToNobody()) return 2;
    absl::StatusOr<ChildProcess> target = [] {
      SpawnOptions options;
      options.argv = {"sleep", "60"};
      options.new_namespaces = {NsType::kUts, NsType::kPid, NsType::kMnt};
      options.MapCurrentUserToRoot();
      options.hostname = "nobodys";
      return ChildProcess::Spawn(options);
    }();
    if (!target.ok()) {
      std::fprintf(stderr, "target: %s\n", target.status().ToString().c_str());
      return 3;
    }
    ToolResult r =
        RunTool({tool, "-t", Pid(target->pid()), "-a", "sh", "-c", "id -u; hostname; echo $$"});
    if (r.code != 0 || r.out != "0\nnobodys\n2\n") {
      std::fprintf(stderr, "code %d out %s err %s\n", r.code, r.out.c_str(), r.err.c_str());
      return 4;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NsenterTest, EnteringOnesOwnUserNamespaceIsANoOp) {
  ToolResult r = Nsenter({"-U", "-t", Pid(::getpid()), "readlink", "/proc/self/ns/user"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, NsFd::OpenCurrent(NsType::kUser)->id().ToString() + "\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(NsenterTest, AllWithATargetInOurNamespacesRunsTheCommandHere) {
  ToolResult r = Nsenter({"-a", "-t", Pid(::getpid()), "--", "pwd"});
  EXPECT_EQ(r.code, 0) << r.err;
  // No namespace was entered: not even the mount namespace's cwd reset.
  EXPECT_EQ(r.out, std::filesystem::current_path().string() + "\n");
}

TEST_F(NsenterTest, PidNamespaceForksAndShowsTheTargetsPids) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kPid});
  ToolResult r =
      Nsenter({"-t", Pid(target.pid()), "-p", "sh", "-c", "echo $$; readlink /proc/self/ns/pid"});
  ASSERT_EQ(r.code, 0) << r.err;
  absl::string_view out = r.out;
  const std::size_t newline = out.find('\n');
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(out.substr(0, newline), &pid)) << r.out;
  EXPECT_GT(pid, 1);  // the sleep is 1
  EXPECT_LT(pid, 1000);
  EXPECT_EQ(out.substr(newline + 1), IdOf(target, NsType::kPid) + "\n");
}

TEST_F(NsenterTest, ExitStatusAndSignalDeathArePassedOn) {
  // Without a pid namespace: exec in place.
  EXPECT_EQ(Nsenter({"-t", Pid(::getpid()), "-U", "sh", "-c", "exit 42"}).code, 42);
  EXPECT_EQ(Nsenter({"-t", Pid(::getpid()), "-U", "sh", "-c", "kill -9 $$"}).code, 128 + 9);
  if (!IsRoot()) GTEST_SKIP() << "the forking half needs root (CAP_SYS_ADMIN)";
  ChildProcess target = StartTarget({NsType::kPid});
  EXPECT_EQ(Nsenter({"-t", Pid(target.pid()), "-p", "sh", "-c", "exit 7"}).code, 7);
  // Forked: the tool dies of the same signal, as util-linux's does.
  EXPECT_EQ(Nsenter({"-t", Pid(target.pid()), "-p", "sh", "-c", "kill -TERM $$"}).code, 128 + 15);
  EXPECT_EQ(Nsenter({"-t", Pid(target.pid()), "-p", "sh", "-c", "kill -9 $$"}).code, 128 + 9);
}

// The tool started directly, with its stdout on a pipe.
struct RunningTool {
  ChildProcess tool;
  UniqueFd out;
};

RunningTool StartNsenter(std::vector<std::string> args) {
  SpawnOptions options;
  options.argv = std::move(args);
  options.argv.insert(options.argv.begin(), LINUXNS_NSENTER_PATH);
  options.stdin_mode = Stdio::kNull;
  options.stdout_mode = Stdio::kPipe;
  absl::StatusOr<ChildProcess> tool = ChildProcess::Spawn(options);
  EXPECT_TRUE(tool.ok()) << tool.status();
  UniqueFd out = tool->TakeStdout();
  return RunningTool{std::move(tool).value(), std::move(out)};
}

std::string ReadLine(const UniqueFd& fd) {
  std::string line;
  char c;
  while (::read(fd.get(), &c, 1) == 1 && c != '\n') line += c;
  return line;
}

// The state letter of /proc/PID/stat ('T' when stopped).
char ProcessState(pid_t pid) {
  FILE* f = std::fopen(absl::StrCat("/proc/", pid, "/stat").c_str(), "re");
  if (f == nullptr) return '?';
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  const char* paren = std::strrchr(buf, ')');
  return n > 0 && paren != nullptr && paren[1] == ' ' ? paren[2] : '?';
}

TEST_F(NsenterTest, SigtermIsForwardedToTheCommandInAPidNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kPid});
  RunningTool run = StartNsenter({"-t", Pid(target.pid()), "-p", "sh", "-c",
                                  "trap 'exit 9' TERM; echo ready; while :; do sleep 0.05; done"});
  ASSERT_EQ(ReadLine(run.out), "ready");
  ASSERT_TRUE(run.tool.Signal(SIGTERM).ok());
  absl::StatusOr<ExitStatus> status = run.tool.Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, ExitStatus::Exited(9));
}

TEST_F(NsenterTest, AStopOfTheCommandStopsTheToolAndContinueResumesBoth) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kPid});
  RunningTool run = StartNsenter(
      {"-t", Pid(target.pid()), "-p", "sh", "-c", "echo stopping; kill -STOP $$; echo resumed"});
  ASSERT_EQ(ReadLine(run.out), "stopping");
  char state = '?';
  for (int i = 0; i < 200 && (state = ProcessState(run.tool.pid())) != 'T'; ++i) {
    ::usleep(10'000);
  }
  EXPECT_EQ(state, 'T');
  ASSERT_TRUE(run.tool.Signal(SIGCONT).ok());
  EXPECT_EQ(ReadLine(run.out), "resumed");
  absl::StatusOr<ExitStatus> status = run.tool.Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, ExitStatus::Exited(0));
}

TEST_F(NsenterTest, WdnsAndRootOfTheTargetsMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kMnt, NsType::kUts});
  ToolResult r = Nsenter({"-t", Pid(target.pid()), "-m", "-u", "-r", "-W", "/proc", "sh", "-c",
                          "pwd; readlink /proc/self/ns/mnt"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("/proc\n", IdOf(target, NsType::kMnt), "\n"));
}

// `sh -c SCRIPT` in new namespaces (`types`, with mnt; mapped to root in a
// user namespace of its own when `map_user`), whose working directory is
// /mnt/x on a tmpfs that exists only in its mount namespace, beside a file
// "marker"; or, with `deleted_cwd`, a directory removed after the cd.
ChildProcess StartTargetInItsOwnMnt(NsTypeSet types, bool map_user, bool deleted_cwd = false) {
  SpawnOptions o =
      Shell(deleted_cwd ? "mount -t tmpfs none /mnt && mkdir /mnt/gone && cd /mnt/gone && rmdir "
                          "/mnt/gone && exec sleep 60"
                        : "mount -t tmpfs none /mnt && mkdir /mnt/x && touch /mnt/x/marker && "
                          "cd /mnt/x && exec sleep 60");
  o.new_namespaces = types;
  o.new_namespaces.Add(NsType::kMnt);
  if (map_user) o.MapCurrentUserToRoot();
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(AwaitWorkingDirectory(child->pid(), deleted_cwd ? "/mnt/gone (deleted)" : "/mnt/x"));
  return std::move(child).value();
}

constexpr char kShowWhere[] =
    "echo \"pwd=$(/bin/pwd -P 2>&1)\" \"ls=$(ls 2>&1 | head -3 | tr '\\n' ' ')\"";

// nsenter -t TARGET `args` sh -c kShowWhere, ours and util-linux's: the same
// output and exit status.
void ExpectSameAsUtilLinux(const ChildProcess& target, std::vector<std::string> args,
                           const std::string& want_out) {
  args.insert(args.begin(), {"-t", Pid(target.pid())});
  for (const char* a : {"sh", "-c", kShowWhere}) args.push_back(a);
  const std::string shown = absl::StrJoin(args, " ");
  ToolResult ours = Nsenter(args);
  EXPECT_EQ(ours.code, 0) << shown << ": " << ours.err;
  EXPECT_EQ(ours.out, want_out) << shown;
  if (::access(kUtilLinuxNsenter, X_OK) != 0) return;
  args.insert(args.begin(), kUtilLinuxNsenter);
  ToolResult theirs = RunTool(args);
  EXPECT_EQ(ours.code, theirs.code) << shown << ": " << theirs.err;
  EXPECT_EQ(ours.out, theirs.out) << shown;
}

TEST_F(NsenterTest, RootAndWdOfATargetWithItsOwnMountNamespaceAsUtilLinux) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTargetInItsOwnMnt({NsType::kPid, NsType::kUts}, false);
  const std::string here = "pwd=/mnt/x ls=marker \n";
  ExpectSameAsUtilLinux(target, {"-a", "-w"}, here);
  ExpectSameAsUtilLinux(target, {"-m", "-w"}, here);
  ExpectSameAsUtilLinux(target, {"-m", "-r", "-w"}, here);
  ExpectSameAsUtilLinux(target, {"-m", "-p", "-r", "-w"}, here);
  // DIR is opened before the namespaces are entered (util-linux documents
  // it): /tmp and /etc here are this mount namespace's.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-a", "-w/tmp"}, {"-m", "-r/", "-w/etc"}, {"-m", "-r"}}) {
    args.insert(args.begin(), {"-t", Pid(target.pid())});
    for (const char* a : {"/bin/pwd", "-P"}) args.push_back(a);
    ToolResult ours = Nsenter(args);
    const std::string want = args[3] == "-w/tmp" ? "/tmp\n" : args[3] == "-r" ? "/\n" : "/etc\n";
    EXPECT_EQ(ours.out, want) << ours.err;
    if (::access(kUtilLinuxNsenter, X_OK) != 0) continue;
    args.insert(args.begin(), kUtilLinuxNsenter);
    ToolResult theirs = RunTool(args);
    EXPECT_EQ(ours.out, theirs.out) << absl::StrJoin(args, " ");
    EXPECT_EQ(ours.code, theirs.code) << absl::StrJoin(args, " ");
  }
  ExpectSameAsUtilLinux(
      target, {"-m", "-r/", "-w/etc"},
      "pwd=/etc ls=" + RunTool({"/bin/sh", "-c", "ls /etc | head -3 | tr '\\n' ' '"}).out + "\n");
  // -r alone: the root of the target, and the working directory setns left.
  ExpectSameAsUtilLinux(target, {"-m", "-r", "--wdns=/mnt"}, "pwd=/mnt ls=x \n");
}

TEST_F(NsenterTest, WdOfATargetWhoseWorkingDirectoryWasDeleted) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTargetInItsOwnMnt({}, false, /*deleted_cwd=*/true);
  for (std::vector<std::string> args : {std::vector<std::string>{"-m", "-w"}, {"-a", "-r", "-w"}}) {
    args.insert(args.begin(), {"-t", Pid(target.pid())});
    for (const char* a : {"sh", "-c", "ls -a | wc -l; test -e ../gone || echo gone"}) {
      args.push_back(a);
    }
    ToolResult ours = Nsenter(args);
    EXPECT_EQ(ours.code, 0) << ours.err;
    EXPECT_EQ(ours.out, "0\ngone\n") << ours.err;  // an empty, unlinked directory
    if (::access(kUtilLinuxNsenter, X_OK) != 0) continue;
    args.insert(args.begin(), kUtilLinuxNsenter);
    ToolResult theirs = RunTool(args);
    EXPECT_EQ(ours.code, theirs.code);
    EXPECT_EQ(ours.out, theirs.out);
  }
}

TEST_F(NsenterTest, WdnsThatDoesNotExistInTheTargetsNamespaceNamesPathAndNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTargetInItsOwnMnt({}, false);
  ToolResult r = Nsenter({"-t", Pid(target.pid()), "-m", "--wdns=/mnt/nonexistent", "true"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err,
              HasSubstr(absl::StrCat("chdir \"/mnt/nonexistent\" in ", IdOf(target, NsType::kMnt),
                                     ": No such file or directory")));
  // -w DIR is opened here, before the joins, as util-linux does.
  ToolResult wd = Nsenter({"-t", Pid(target.pid()), "-m", "-w/nonexistent-here", "true"});
  EXPECT_EQ(wd.code, 1);
  EXPECT_EQ(wd.err, "nsenter: cannot open /nonexistent-here: No such file or directory\n");
}

TEST_F(NsenterTest, OrdinaryUserTakesRootAndWdOfItsOwnContainer) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const int code = RunInForkedChild([] {
    if (!DropToNobody()) return 2;
    ChildProcess target = StartTargetInItsOwnMnt({NsType::kUser, NsType::kPid}, true);
    ToolResult r = Nsenter({"-t", Pid(target.pid()), "-a", "-r", "-w", "sh", "-c", kShowWhere});
    if (r.code != 0 || r.out != "pwd=/mnt/x ls=marker \n") {
      std::fprintf(stderr, "%d %s %s\n", r.code, r.out.c_str(), r.err.c_str());
      return 1;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

// Under every descriptor limit, nsenter either runs the program or fails
// before it starts: the signalfd it waits with is made before the spawn.
// Whether the program was started is seen with inotify: execve(2) opens it.
TEST_F(NsenterTest, UnderAnyDescriptorLimitTheProgramRunsOrNeverStarts) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kPid});
  const std::string program = scratch() + "/true";
  std::filesystem::copy_file("/bin/true", program);
  ::chmod(program.c_str(), 0755);
  bool ran = false;
  for (int limit = 3; limit < 64 && !ran; ++limit) {
    UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    ASSERT_TRUE(watch);
    ASSERT_GE(::inotify_add_watch(watch.get(), program.c_str(), IN_OPEN), 0);
    ToolResult r = RunTool({"/usr/bin/prlimit", absl::StrCat("--nofile=", limit, ":", limit), "--",
                            LINUXNS_NSENTER_PATH, "-t", Pid(target.pid()), "-p", program});
    char events[4096];
    const bool started = ::read(watch.get(), events, sizeof events) > 0;
    ran = r.code == 0;
    EXPECT_EQ(started, ran) << "limit " << limit << ": exit " << r.code << ", " << r.err;
  }
  EXPECT_TRUE(ran) << "nsenter never ran the program under 64 descriptors";
}

// As util-linux's execvp(3): a script without "#!" runs through /bin/sh; an
// empty program name is not found.
TEST_F(NsenterTest, CommandsAreRunAsExecvpRunsThem) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUts});
  const std::string script = scratch() + "/no-shebang";
  ASSERT_EQ(
      RunTool({"/bin/sh", "-c", "echo 'hostname' > " + script + "; chmod 755 " + script}).code, 0);
  for (const std::string& tool :
       {std::string(LINUXNS_NSENTER_PATH), std::string(kUtilLinuxNsenter)}) {
    if (::access(tool.c_str(), X_OK) != 0) continue;
    ToolResult r = RunTool({tool, "-t", Pid(target.pid()), "-u", script});
    EXPECT_EQ(r.code, 0) << tool << ": " << r.err;
    EXPECT_EQ(r.out, "nsenter-target\n") << tool;
    ToolResult empty = RunTool({tool, "-t", Pid(target.pid()), "-u", ""});
    EXPECT_EQ(empty.code, 127) << tool << ": " << empty.err;
  }
}

TEST_F(NsenterTest, UserParentEntersTheParentUserNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUser}, /*map_user=*/true);
  ToolResult r =
      Nsenter({"-t", Pid(target.pid()), "--user-parent", "readlink", "/proc/self/ns/user"});
  EXPECT_EQ(r.code, 0) << r.err;
  // The target's parent user namespace is ours: a no-op.
  EXPECT_EQ(r.out, NsFd::OpenCurrent(NsType::kUser)->id().ToString() + "\n");
}

TEST_F(NsenterTest, NoForkLeavesOnlyTheChildrenInThePidNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kPid});
  ToolResult r = Nsenter({"-F", "-t", Pid(target.pid()), "-p", "sh", "-c",
                          "readlink /proc/$$/ns/pid; readlink /proc/self/ns/pid"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(NsFd::OpenCurrent(NsType::kPid)->id().ToString(), "\n",
                                IdOf(target, NsType::kPid), "\n"));
}

TEST_F(NsenterTest, TargetWithPidfdInode) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUts});
  struct stat st;
  ASSERT_EQ(::fstat(target.pidfd().get(), &st), 0);
  const std::string with_inode = absl::StrCat(target.pid(), ":", st.st_ino);
  ToolResult r = Nsenter({"-t", with_inode, "-u", "hostname"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "nsenter-target\n");
  const std::string wrong = absl::StrCat(target.pid(), ":", st.st_ino + 1);
  ToolResult refused = Nsenter({"-t", wrong, "-u", "hostname"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_EQ(refused.out, "");
  EXPECT_EQ(refused.err, absl::StrCat("nsenter: pidfd inode ", st.st_ino + 1, " not found for pid ",
                                      target.pid(), "\n"));
}

TEST_F(NsenterTest, NetSocketEntersTheSocketsNetworkNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess holder = StartTarget({NsType::kNet});
  absl::StatusOr<NsFd> net = holder.OpenNamespace(NsType::kNet);
  ASSERT_TRUE(net.ok()) << net.status();
  // A socket made in that namespace on a thread of ours (never the test
  // runner's own thread), then held by this process: the target.
  UniqueFd sock;
  std::thread([&] {
    if (::unshare(CLONE_FS) == 0 && ::setns(net->get(), CLONE_NEWNET) == 0) {
      sock.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    }
  }).join();
  ASSERT_TRUE(sock.valid());
  ToolResult r = Nsenter(
      {"-t", Pid(::getpid()), "-N", absl::StrCat(sock.get()), "readlink", "/proc/self/ns/net"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, net->id().ToString() + "\n");
}

TEST_F(NsenterTest, EnvironmentAndWorkingDirectoryOfTheTarget) {
  ChildProcess target = StartTarget(
      {}, false, std::vector<std::string>{"NSENTER_TEST=from-target", "PATH=/usr/bin:/bin"},
      scratch());
  ToolResult r =
      Nsenter({"-t", Pid(target.pid()), "-e", "-w", "sh", "-c", "echo $NSENTER_TEST; pwd"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat("from-target\n", scratch(), "\n"));
}

TEST_F(NsenterTest, SetuidAndSetgid) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUts});
  ToolResult r = Nsenter({"-t", Pid(target.pid()), "-u", "-S", "65534", "-G", "65534", "id"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n");
}

// util-linux drops the supplementary groups before it enters anything: in a
// user namespace that denies setgroups(2) (as `unshare -r` makes them) they
// would stay otherwise, unmapped but granting their access all the same.
// The user namespace given as a file must work too, as with util-linux.
TEST_F(NsenterTest, SupplementaryGroupsAreGoneInAUserNamespaceThatDeniesSetgroups) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUser}, /*map_user=*/true);
  ASSERT_EQ(RunTool({"/bin/cat", absl::StrCat("/proc/", target.pid(), "/setgroups")}).out,
            "deny\n");
  const std::string file = absl::StrCat("--user=/proc/", target.pid(), "/ns/user");
  for (const std::string& tool :
       {std::string(LINUXNS_NSENTER_PATH), std::string(kUtilLinuxNsenter)}) {
    if (::access(tool.c_str(), X_OK) != 0) continue;
    for (std::vector<std::string> args :
         {std::vector<std::string>{tool, "-t", Pid(target.pid()), "-U"}, {tool, file}}) {
      args.insert(args.end(), {"id", "-G"});
      SpawnOptions o;
      o.argv = args;
      o.groups = std::vector<gid_t>{1, 2};  // the tool starts with these
      absl::StatusOr<Output> r = RunCapturingStdout(o);
      ASSERT_TRUE(r.ok()) << r.status();
      ASSERT_TRUE(r->status.ok()) << r->status.status();
      EXPECT_EQ(*r->status, ExitStatus::Exited(0)) << absl::StrJoin(args, " ");
      EXPECT_EQ(r->out, "0\n") << absl::StrJoin(args, " ");
    }
  }
}

// Without a user namespace entered, util-linux drops the supplementary
// groups as a best effort: an ordinary user may still set a gid of its own.
TEST_F(NsenterTest, OrdinaryUserSetsItsOwnGidWithoutAUserNamespace) {
  // The gid the tool runs with: nobody's, or ours when not root already.
  const gid_t own = IsRoot() ? 65534 : ::getegid();
  const std::vector<std::string> args = {"-t", Pid(::getpid()), "-G", absl::StrCat(own), "id",
                                         "-G"};
  std::vector<std::string> ours = args;
  ours.insert(ours.begin(), CopyToolForOthers(LINUXNS_NSENTER_PATH, scratch()));
  ToolResult r = RunToolAsNobody(ours);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(own, "\n"));
  if (::access(kUtilLinuxNsenter, X_OK) != 0) return;
  std::vector<std::string> theirs = args;
  theirs.insert(theirs.begin(), kUtilLinuxNsenter);
  ToolResult t = RunToolAsNobody(theirs);
  EXPECT_EQ(r.code, t.code) << t.err;
  EXPECT_EQ(r.out, t.out);
}

// --keep-caps keeps what an entered user namespace grants, and only that, as
// util-linux's does: without one the capabilities are the caller's own.
TEST_F(NsenterTest, KeepCapsOnlyKeepsTheCapabilitiesOfAnEnteredUserNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kUser, NsType::kUts}, /*map_user=*/true);
  constexpr char kNone[] = "CapAmb:\t0000000000000000\n";
  ToolResult r = Nsenter({"-t", Pid(target.pid()), "-u", "-S", "65534", "-G", "65534",
                          "--keep-caps", "grep", "CapAmb", "/proc/self/status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kNone);
  // With the uid left as it is, the user namespace's capabilities are kept.
  r = Nsenter({"-t", Pid(target.pid()), "-U", "--preserve-credentials", "--keep-caps", "grep",
               "CapAmb", "/proc/self/status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("CapAmb:"));
  EXPECT_NE(r.out, kNone);
}

TEST_F(NsenterTest, BadInputGetsTheErrorAndExitCode) {
  ToolResult gone = Nsenter({"-t", "2147483647", "-n", "true"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_EQ(gone.err, "nsenter: pidfd_open 2147483647: No such process\n");

  ToolResult regular = Nsenter({"--net=/etc/passwd", "true"});
  EXPECT_EQ(regular.code, 1);
  EXPECT_EQ(regular.err, "nsenter: /etc/passwd is not a namespace file (it is a regular file)\n");

  ToolResult directory = Nsenter({"-n=/", "true"});
  EXPECT_EQ(directory.code, 1);
  EXPECT_EQ(directory.err, "nsenter: / is not a namespace file (it is a directory)\n");

  ToolResult no_file = Nsenter({"--uts=/nonexistent/ns", "true"});
  EXPECT_EQ(no_file.code, 1);
  EXPECT_THAT(no_file.err, HasSubstr("/nonexistent/ns: No such file or directory"));

  ToolResult wrong_type = Nsenter({"--net=/proc/self/ns/uts", "true"});
  EXPECT_EQ(wrong_type.code, 1);
  EXPECT_EQ(wrong_type.err, "nsenter: /proc/self/ns/uts is a uts namespace, not a net namespace\n");

  ToolResult unknown = Nsenter({"--bogus", "true"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(unknown.err,
            "nsenter: unrecognized option '--bogus'\nTry 'nsenter --help' for more information.\n");

  ToolResult no_target = Nsenter({"-n", "true"});
  EXPECT_EQ(no_target.code, 1);
  EXPECT_EQ(no_target.err, "nsenter: neither filename nor target pid supplied for ns/net\n");

  ToolResult missing = Nsenter({"-t", Pid(::getpid()), "-U", "linuxns-no-such-command"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_THAT(missing.err, HasSubstr("nsenter: spawn: execve linuxns-no-such-command: No such "
                                     "file or directory"));
  ToolResult not_executable = Nsenter({"-t", Pid(::getpid()), "-U", "/etc/passwd"});
  EXPECT_EQ(not_executable.code, 126);
}

// As util-linux (and nsenter(1) says): only getopt's complaints add the hint
// to run --help; a bad value or combination is one line.
TEST_F(NsenterTest, OnlyOptionErrorsGetTheHelpHint) {
  const std::vector<std::vector<std::string>> cases = {
      {"-t", "abc", "-n", "true"}, {"-n", "true"}, {"-t", "1", "-S", "x", "-U", "true"}};
  const std::vector<std::string> want = {
      "nsenter: failed to parse pid: 'abc'\n",
      "nsenter: neither filename nor target pid supplied for ns/net\n",
      "nsenter: failed to parse uid: 'x'\n"};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ToolResult ours = Nsenter(cases[i]);
    EXPECT_EQ(ours.code, 1) << cases[i][1];
    EXPECT_EQ(ours.err, want[i]);
    if (::access(kUtilLinuxNsenter, X_OK) != 0) continue;
    std::vector<std::string> theirs_argv = cases[i];
    theirs_argv.insert(theirs_argv.begin(), kUtilLinuxNsenter);
    ToolResult theirs = RunTool(theirs_argv);
    EXPECT_EQ(ours.code, theirs.code) << cases[i][1];
    EXPECT_EQ(ours.err, theirs.err);
  }
  ToolResult exclusive = Nsenter({"-t", "1", "-w", "-W", "/", "true"});
  EXPECT_EQ(exclusive.err, "nsenter: --wd and --wdns are mutually exclusive\n");
  ToolResult unknown = Nsenter({"--bogus"});
  EXPECT_THAT(unknown.err, HasSubstr("\nTry 'nsenter --help' for more information.\n"));
}

// -t takes a thread id, as util-linux does, and enters that thread's own
// namespaces: here a UTS namespace the thread unshared, which its process
// does not share.
TEST_F(NsenterTest, TargetThreadIdEntersTheThreadsOwnNamespaces) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::promise<pid_t> ready;
  std::promise<void> done;
  std::thread thread([&] {
    const bool ok = ::unshare(CLONE_NEWUTS) == 0 && ::sethostname("linuxns-thread", 14) == 0;
    ready.set_value(ok ? ::gettid() : -errno);
    done.get_future().wait();
  });
  const pid_t tid = ready.get_future().get();
  ToolResult ours = Nsenter({"-t", Pid(tid), "-u", "hostname"});
  std::optional<ToolResult> theirs;
  if (::access(kUtilLinuxNsenter, X_OK) == 0) {
    theirs = RunTool({kUtilLinuxNsenter, "-t", Pid(tid), "-u", "hostname"});
  }
  done.set_value();
  thread.join();
  ASSERT_GT(tid, 0) << std::strerror(-tid);
  if (absl::StatusOr<PidFd> self = PidFd::OpenThread(::gettid());
      absl::IsUnimplemented(self.status())) {
    GTEST_SKIP() << self.status();
  }
  EXPECT_EQ(ours.code, 0) << ours.err;
  EXPECT_EQ(ours.out, "linuxns-thread\n");
  if (theirs) {
    EXPECT_EQ(ours.out, theirs->out);
  }
}

TEST_F(NsenterTest, MissingCommandInAForkedPidNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ChildProcess target = StartTarget({NsType::kPid});
  ToolResult missing = Nsenter({"-t", Pid(target.pid()), "-p", "linuxns-no-such-command"});
  EXPECT_EQ(missing.code, 127);
  EXPECT_THAT(missing.err, HasSubstr("linuxns-no-such-command: No such file or directory"));
}

// The shell named by SHELL runs; the test names it, since the environment it
// runs in may have none (then the login shell runs: nologin for uid 65534).
TEST_F(NsenterTest, NoCommandRunsTheShell) {
  ToolResult r = RunTool(
      {"/usr/bin/env", "SHELL=/bin/echo", LINUXNS_NSENTER_PATH, "-t", Pid(::getpid()), "-U"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
}

// With -e the command gets the target's environment, and without a command
// the shell is the one that environment names, as in util-linux: not ours.
TEST_F(NsenterTest, NoCommandWithTheTargetsEnvironmentRunsItsShell) {
  ChildProcess target =
      StartTarget({}, /*map_user=*/false, std::vector<std::string>{"SHELL=/bin/echo"});
  ToolResult r = RunTool(
      {"/usr/bin/env", "SHELL=/bin/false", LINUXNS_NSENTER_PATH, "-t", Pid(target.pid()), "-e"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
}

TEST_F(NsenterTest, InheritedDescriptorsPassThroughAndNoOthers) {
  // The outer shell opens 7 without close-on-exec; the command must see it,
  // and none of the tool's own descriptors (the test builtin opens nothing).
  const std::string check =
      "for n in 3 4 5 6 8 9 10 11 12 13 14 15; do test -e /proc/self/fd/$n && echo leaked $n; "
      "done; readlink /proc/self/fd/7";
  auto script = [&](const char* options) {
    return absl::StrCat("exec 7</dev/null; exec ", LINUXNS_NSENTER_PATH, " ", options,
                        " -t \"$1\" sh -c '", check, "'");
  };
  ToolResult in_place = RunTool({"/bin/sh", "-c", script("-U"), "sh", Pid(::getpid())});
  EXPECT_EQ(in_place.code, 0) << in_place.err;
  EXPECT_EQ(in_place.out, "/dev/null\n");
  if (!IsRoot()) GTEST_SKIP() << "the forking half needs root (CAP_SYS_ADMIN)";
  ChildProcess target = StartTarget({NsType::kPid});
  ToolResult forked = RunTool({"/bin/sh", "-c", script("-p"), "sh", Pid(target.pid())});
  EXPECT_EQ(forked.code, 0) << forked.err;
  EXPECT_EQ(forked.out, "/dev/null\n");
}

TEST_F(NsenterTest, HelpAndVersion) {
  ToolResult help = Nsenter({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr(" -t, --target <pid>[:<inode>]"));
  ToolResult version = Nsenter({"-V"});
  EXPECT_EQ(version.code, 0);
  EXPECT_THAT(version.out, ::testing::StartsWith("nsenter from linuxns "));
}

}  // namespace
}  // namespace linuxns::testing

// End-to-end tests of linuxns-init (lib/init/linuxns_init.cc): the built
// binary runs as PID 1 of new pid and mount namespaces (with their own /proc)
// through ChildProcess, with a command behind it.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "child/spawn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/unique_fd.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::IsOk;

// The build's linuxns-init, or a copy named by LINUXNS_TEST_INIT_PATH (the
// unprivileged CI pass copies it where uid 65534 can reach it).
const char* const kInit = [] {
  const char* copy = std::getenv("LINUXNS_TEST_INIT_PATH");
  return copy != nullptr ? copy : LINUXNS_INIT_PATH;
}();
constexpr char kTryHelp[] = "Try 'linuxns-init --help' for more information.\n";

// The binary writes this layout without including lib/child/spawn.h.
static_assert(sizeof(child::SpawnReport) == 12);

class InitTest : public testing::LeakCheckedTest {};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe MakePipe() {
  int p[2] = {-1, -1};
  EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0) << std::strerror(errno);
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

// Reads `fd` until end-of-file; std::nullopt if that takes more than
// `timeout` (so that a test fails rather than hangs).
std::optional<std::string> ReadToEof(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string data;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p = {fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return data;
    data.append(buf, static_cast<std::size_t>(n));
  }
}

// Reads one line (up to and including '\n') from `fd`, byte by byte so that
// nothing after it is consumed; "" on end-of-file or after `timeout`.
std::string ReadLine(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  while (line.empty() || line.back() != '\n') {
    pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    char c;
    if (::read(fd, &c, 1) != 1) return "";
    line.push_back(c);
  }
  return line;
}

// Runs linuxns-init with `args` and the command after them, as PID 1 of new
// pid and mount namespaces with a fresh /proc when `pid_one`, else as a plain
// child. Its stdin is /dev/null, its stdout and stderr pipes (read them after
// the spawn, through out() and err()), and `extra_fds` are passed as given.
class InitRun {
 public:
  InitRun(std::vector<std::string> args, bool pid_one, std::vector<FdMapping> extra_fds = {}) {
    SpawnOptions options;
    options.argv = {kInit};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    if (pid_one) {
      options.new_namespaces = {NsType::kPid, NsType::kMnt};
      options.mount_proc = true;
    }
    UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Pipe out = MakePipe();
    Pipe err = MakePipe();
    options.fds = {{null.get(), 0}, {out.write.get(), 1}, {err.write.get(), 2}};
    options.fds.insert(options.fds.end(), extra_fds.begin(), extra_fds.end());
    child_ = ChildProcess::Spawn(options);
    out_ = std::move(out.read);
    err_ = std::move(err.read);
  }

  absl::StatusOr<ChildProcess>& child() { return child_; }
  int out() const { return out_.get(); }

  // Everything the run writes to stdout / stderr, once they are closed.
  std::string AllOut() { return ReadToEof(out_.get(), kTimeout).value_or("(timed out)"); }
  std::string AllErr() { return ReadToEof(err_.get(), kTimeout).value_or("(timed out)"); }

  // Waits for init; its exit code, or 128 + signal, or -1 on error.
  int Wait() {
    if (!child_.ok()) return -1;
    absl::StatusOr<ExitStatus> status = child_->Wait();
    EXPECT_THAT(status, IsOk());
    return status.ok() ? status->ShellCode() : -1;
  }

  static constexpr std::chrono::milliseconds kTimeout{10000};

 private:
  absl::StatusOr<ChildProcess> child_;
  UniqueFd out_;
  UniqueFd err_;
};

std::vector<std::string> Shell(const std::string& script) { return {"--", "sh", "-c", script}; }

TEST_F(InitTest, CommandRunsAsPidTwoAndItsExitCodeComesBack) {
  LINUXNS_SKIP_UNLESS_ROOT();
  InitRun run(Shell("echo $$; cat /proc/1/comm; exit 7"), /*pid_one=*/true);
  ASSERT_THAT(run.child(), IsOk());
  EXPECT_EQ(run.AllOut(), "2\nlinuxns-init\n");
  EXPECT_EQ(run.AllErr(), "");
  ASSERT_OK_AND_ASSIGN(ExitStatus status, run.child()->Wait());
  EXPECT_EQ(status, ExitStatus::Exited(7));
}

TEST_F(InitTest, CommandKilledBySignalGives128PlusTheSignal) {
  LINUXNS_SKIP_UNLESS_ROOT();
  for (int sig : {SIGKILL, SIGTERM, SIGSEGV}) {
    InitRun run(Shell(absl::StrCat("kill -", sig, " $$")), /*pid_one=*/true);
    ASSERT_THAT(run.child(), IsOk());
    ASSERT_OK_AND_ASSIGN(ExitStatus status, run.child()->Wait());
    // Init itself exits normally: PID 1 cannot die of the command's signal.
    EXPECT_EQ(status, ExitStatus::Exited(128 + sig)) << "signal " << sig;
  }
}

TEST_F(InitTest, SigtermSentToInitReachesTheCommand) {
  LINUXNS_SKIP_UNLESS_ROOT();
  InitRun run(Shell("trap 'exit 42' TERM; echo $$; while :; do sleep 0.1; done"),
              /*pid_one=*/true);
  ASSERT_THAT(run.child(), IsOk());
  // The trap is set once the shell speaks; it is pid 2, init's child.
  ASSERT_EQ(ReadLine(run.out(), InitRun::kTimeout), "2\n");
  ASSERT_THAT(run.child()->Signal(SIGTERM), IsOk());
  EXPECT_EQ(run.Wait(), 42);
}

TEST_F(InitTest, EveryForwardedSignalReachesTheCommand) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::vector<std::pair<int, std::string>> forwarded = {
      {SIGINT, "INT"},   {SIGHUP, "HUP"},   {SIGQUIT, "QUIT"},
      {SIGUSR1, "USR1"}, {SIGUSR2, "USR2"}, {SIGWINCH, "WINCH"}};
  std::string script;
  for (const auto& [sig, name] : forwarded) {
    absl::StrAppend(&script, "trap 'echo ", name, "' ", name, "; ");
  }
  absl::StrAppend(&script, "trap 'exit 43' TERM; echo ready; while :; do sleep 0.1; done");
  InitRun run(Shell(script), /*pid_one=*/true);
  ASSERT_THAT(run.child(), IsOk());
  ASSERT_EQ(ReadLine(run.out(), InitRun::kTimeout), "ready\n");
  for (const auto& [sig, name] : forwarded) {
    ASSERT_THAT(run.child()->Signal(sig), IsOk());
    EXPECT_EQ(ReadLine(run.out(), InitRun::kTimeout), name + "\n");
  }
  ASSERT_THAT(run.child()->Signal(SIGTERM), IsOk());
  EXPECT_EQ(run.Wait(), 43);
}

// Two grandchildren are orphaned (their parent shells exit at once), so they
// become init's children; they exit after 0.3 s. Were init not reaping them,
// they would stay zombies, visible in the namespace's /proc a second later.
constexpr char kOrphanScript[] = R"(
a=$(sh -c 'sleep 0.3 >/dev/null 2>&1 & echo $!')
b=$(sh -c 'sleep 0.3 >/dev/null 2>&1 & echo $!')
for p in $a $b; do read -r _ _ _ ppid _ < /proc/$p/stat; echo "parent $ppid"; done
sleep 1
z=0
for f in /proc/[0-9]*/stat; do read -r _ _ state _ < $f && [ "$state" = Z ] && z=$((z+1)); done
echo "zombies $z"
for p in $a $b; do [ -e /proc/$p ] && echo "$p still there"; done
exit 0
)";

TEST_F(InitTest, OrphansAreReaped) {
  LINUXNS_SKIP_UNLESS_ROOT();
  InitRun run(Shell(kOrphanScript), /*pid_one=*/true);
  ASSERT_THAT(run.child(), IsOk());
  EXPECT_EQ(run.AllOut(), "parent 1\nparent 1\nzombies 0\n");
  EXPECT_EQ(run.AllErr(), "");
  EXPECT_EQ(run.Wait(), 0);
}

TEST_F(InitTest, ExecFailureIsReportedAsASpawnRecordWithExitCode127Or126) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string plain = scratch() + "/plain";
  ASSERT_EQ(::close(::open(plain.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644)), 0);
  struct Case {
    std::string command;
    int err;
    int code;
  };
  for (const Case& c : {Case{scratch() + "/missing", ENOENT, 127},
                        Case{"linuxns-no-such-command", ENOENT, 127}, Case{plain, EACCES, 126}}) {
    SCOPED_TRACE(c.command);
    Pipe report = MakePipe();
    InitRun run({"--report-fd=3", "--", c.command}, /*pid_one=*/true, {{report.write.get(), 3}});
    report.write.reset();
    ASSERT_THAT(run.child(), IsOk());
    std::optional<std::string> record = ReadToEof(report.read.get(), InitRun::kTimeout);
    ASSERT_TRUE(record.has_value()) << "no end-of-file on the report pipe";
    const child::SpawnReport expected = {child::SpawnStep::kExec, 0, c.err};
    ASSERT_EQ(record->size(), sizeof expected);
    child::SpawnReport got;
    std::memcpy(&got, record->data(), sizeof got);
    EXPECT_EQ(got.step, child::SpawnStep::kExec)
        << "kSpawnStepExec in lib/init/linuxns_init.cc must be child::SpawnStep::kExec";
    EXPECT_EQ(got.index, 0);
    EXPECT_EQ(got.err, c.err) << std::strerror(got.err);
    EXPECT_EQ(std::memcmp(record->data(), &expected, sizeof expected), 0);
    // With a report descriptor the failure is the reader's to tell.
    EXPECT_EQ(run.AllErr(), "");
    EXPECT_EQ(run.Wait(), c.code);
  }
}

TEST_F(InitTest, ExecFailureWithoutReportFdIsOneLineOnStderr) {
  const std::string missing = scratch() + "/missing";
  InitRun run({"--", missing}, /*pid_one=*/false);
  ASSERT_THAT(run.child(), IsOk());
  EXPECT_EQ(run.AllErr(), absl::StrCat("linuxns-init: failed to execute ", missing,
                                       ": No such file or directory\n"));
  EXPECT_EQ(run.Wait(), 127);
}

TEST_F(InitTest, SuccessfulExecClosesTheReportFdAndTheCommandDoesNotInheritIt) {
  LINUXNS_SKIP_UNLESS_ROOT();
  Pipe report = MakePipe();
  InitRun run({"--report-fd=3", "--", "sleep", "60"}, /*pid_one=*/true, {{report.write.get(), 3}});
  report.write.reset();
  ASSERT_THAT(run.child(), IsOk());
  // End-of-file while the command still runs: neither init nor the command
  // holds the write end any more.
  EXPECT_EQ(ReadToEof(report.read.get(), InitRun::kTimeout), std::optional<std::string>(""));
  ASSERT_OK_AND_ASSIGN(std::optional<ExitStatus> early, run.child()->WaitFor(absl::ZeroDuration()));
  EXPECT_EQ(early, std::nullopt);
  // sleep has no handler: the forwarded SIGTERM kills it, and init says so.
  ASSERT_THAT(run.child()->Signal(SIGTERM), IsOk());
  EXPECT_EQ(run.Wait(), 128 + SIGTERM);
}

TEST_F(InitTest, CommandGetsTheTerminalsForegroundProcessGroup) {
  LINUXNS_SKIP_UNLESS_ROOT();
  UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(master.valid()) << std::strerror(errno);
  ASSERT_EQ(::grantpt(master.get()), 0);
  ASSERT_EQ(::unlockpt(master.get()), 0);
  UniqueFd terminal(::open(::ptsname(master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(terminal.valid()) << std::strerror(errno);
  // setsid(1) makes the terminal init's controlling terminal, then runs init
  // (as PID 1: it does not fork, not being a process group leader). Without
  // init's doing, the foreground group would be init's own (1).
  SpawnOptions options;
  options.argv = {"setsid",
                  "--ctty",
                  kInit,
                  "--",
                  "sh",
                  "-c",
                  "read -r pid _ _ _ pgrp _ _ tpgid _ < /proc/self/stat; "
                  "echo $pid $pgrp $tpgid"};
  options.new_namespaces = {NsType::kPid, NsType::kMnt};
  options.mount_proc = true;
  Pipe out = MakePipe();
  options.fds = {{terminal.get(), 0}, {out.write.get(), 1}};
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(options));
  out.write.reset();
  EXPECT_EQ(ReadToEof(out.read.get(), InitRun::kTimeout), std::optional<std::string>("2 2 2\n"));
  ASSERT_OK_AND_ASSIGN(ExitStatus status, child.Wait());
  EXPECT_EQ(status, ExitStatus::Exited(0));
}

TEST_F(InitTest, WorksWhenNotPidOne) {
  // As a plain child init makes itself a subreaper: the orphan is adopted by
  // it (its parent is the command's parent) and reaped.
  InitRun run(Shell(R"(
a=$(sh -c 'sleep 0.2 >/dev/null 2>&1 & echo $!')
read -r _ _ _ ppid _ < /proc/$a/stat
[ "$ppid" = "$PPID" ] && echo adopted
sleep 0.6
[ -e /proc/$a ] && echo "$a still there"
trap 'exit 44' TERM; echo ready; while :; do sleep 0.1; done
)"),
              /*pid_one=*/false);
  ASSERT_THAT(run.child(), IsOk());
  EXPECT_EQ(ReadLine(run.out(), InitRun::kTimeout), "adopted\n");
  ASSERT_EQ(ReadLine(run.out(), InitRun::kTimeout), "ready\n");
  ASSERT_THAT(run.child()->Signal(SIGTERM), IsOk());
  EXPECT_EQ(run.Wait(), 44);
}

TEST_F(InitTest, BadUsageExitsOneWithTwoLines) {
  struct Case {
    std::vector<std::string> args;
    std::string first_line;
  };
  for (const Case& c : {
           Case{{}, "linuxns-init: no command specified\n"},
           Case{{"--"}, "linuxns-init: no command specified\n"},
           Case{{"--report-fd=3"}, "linuxns-init: no command specified\n"},
           Case{{"--bogus", "true"}, "linuxns-init: unrecognized option '--bogus'\n"},
           Case{{"-x", "true"}, "linuxns-init: invalid option -- 'x'\n"},
           Case{{"--report-fd=1", "true"},
                "linuxns-init: invalid report descriptor '1' (a number of 3 or more)\n"},
           Case{{"--report-fd=x", "true"},
                "linuxns-init: invalid report descriptor 'x' (a number of 3 or more)\n"},
       }) {
    SCOPED_TRACE(::testing::PrintToString(c.args));
    InitRun run(c.args, /*pid_one=*/false);
    ASSERT_THAT(run.child(), IsOk());
    EXPECT_EQ(run.AllOut(), "");
    EXPECT_EQ(run.AllErr(), c.first_line + kTryHelp);
    EXPECT_EQ(run.Wait(), 1);
  }
}

TEST_F(InitTest, ClosedReportFdIsAnErrorOfInitItself) {
  InitRun run({"--report-fd=9", "--", "true"}, /*pid_one=*/false);
  ASSERT_THAT(run.child(), IsOk());
  EXPECT_EQ(run.AllErr(), "linuxns-init: --report-fd=9: Bad file descriptor\n");
  EXPECT_EQ(run.Wait(), 1);
}

TEST_F(InitTest, HelpGoesToStdoutAndExitsZero) {
  InitRun run({"--help"}, /*pid_one=*/false);
  ASSERT_THAT(run.child(), IsOk());
  EXPECT_THAT(run.AllOut(), ::testing::HasSubstr("linuxns-init [options] [--] <command>"));
  EXPECT_EQ(run.AllErr(), "");
  EXPECT_EQ(run.Wait(), 0);
}

}  // namespace
}  // namespace linuxns

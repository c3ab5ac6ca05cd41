#include "linuxns/run.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/spawn_failure.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class RunTest : public testing::LeakCheckedTest {};

SpawnOptions Shell(const std::string& script) {
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", script};
  return options;
}

RunOptions Capture(bool out, bool err) {
  RunOptions run;
  run.capture_stdout = out;
  run.capture_stderr = err;
  // A bug that blocks fails the test instead of hanging it.
  run.timeout = absl::Seconds(60);
  return run;
}

int CountOpenFds() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  while (struct dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the directory's own descriptor
}

TEST_F(RunTest, ReturnsTheExitStatus) {
  ASSERT_OK_AND_ASSIGN(RunResult exited, linuxns::Run(Shell("exit 3")));
  EXPECT_EQ(exited.exit_status, ExitStatus::Exited(3));
  EXPECT_EQ(exited.stdout_text, "");
  EXPECT_FALSE(exited.stdout_truncated);
  ASSERT_OK_AND_ASSIGN(RunResult signaled, linuxns::Run(Shell("kill -KILL $$")));
  EXPECT_EQ(signaled.exit_status, ExitStatus::Signaled(SIGKILL));
  ASSERT_OK_AND_ASSIGN(RunResult ok, linuxns::Run(Shell("true"), Capture(true, true)));
  EXPECT_TRUE(ok.exit_status.success());
}

TEST_F(RunTest, CapturesStdoutAndStderrSeparately) {
  ASSERT_OK_AND_ASSIGN(
      RunResult r,
      linuxns::Run(Shell("echo out; echo err >&2; printf 'out2'; exit 5"), Capture(true, true)));
  EXPECT_EQ(r.exit_status, ExitStatus::Exited(5));
  EXPECT_EQ(r.stdout_text, "out\nout2");
  EXPECT_EQ(r.stderr_text, "err\n");
  EXPECT_FALSE(r.stdout_truncated);
  EXPECT_FALSE(r.stderr_truncated);
}

TEST_F(RunTest, CapturesOnlyTheStreamAskedFor) {
  SpawnOptions options = Shell("echo out; echo err >&2");
  options.stderr_mode = Stdio::kNull;
  ASSERT_OK_AND_ASSIGN(RunResult r, linuxns::Run(options, Capture(true, false)));
  EXPECT_EQ(r.stdout_text, "out\n");
  EXPECT_EQ(r.stderr_text, "");
  options = Shell("echo out >/dev/null; echo err >&2");
  ASSERT_OK_AND_ASSIGN(RunResult e, linuxns::Run(options, Capture(false, true)));
  EXPECT_EQ(e.stdout_text, "");
  EXPECT_EQ(e.stderr_text, "err\n");
}

TEST_F(RunTest, OneMebibyteInterleavedOnBothStreamsDoesNotDeadlock) {
  // 16 rounds of 64 KiB (a whole pipe buffer) to each stream in turn: a
  // reader that waited on one stream only would leave the child blocked on
  // the other's full pipe.
  const std::string script =
      "i=0; while [ $i -lt 16 ]; do"
      " head -c 65536 /dev/zero | tr '\\0' o;"
      " head -c 65536 /dev/zero | tr '\\0' e >&2;"
      " i=$((i+1)); done";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(RunResult r, linuxns::Run(Shell(script), Capture(true, true)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_TRUE(r.exit_status.success()) << r.exit_status;
  EXPECT_EQ(r.stdout_text, std::string(1 << 20, 'o'));
  EXPECT_EQ(r.stderr_text, std::string(1 << 20, 'e'));
  EXPECT_FALSE(r.stdout_truncated);
  EXPECT_FALSE(r.stderr_truncated);
}

TEST_F(RunTest, BeyondTheLimitOutputIsDrainedAndDropped) {
  RunOptions run = Capture(true, true);
  run.capture_limit = 10;
  // 200000 bytes to stdout: more than a pipe holds, so the child ends only
  // if Run() keeps reading past the limit.
  ASSERT_OK_AND_ASSIGN(
      RunResult r,
      linuxns::Run(Shell("head -c 200000 /dev/zero | tr '\\0' x; printf 0123456789 >&2; exit 7"),
                   run));
  EXPECT_EQ(r.exit_status, ExitStatus::Exited(7));
  EXPECT_EQ(r.stdout_text, "xxxxxxxxxx");
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_EQ(r.stderr_text, "0123456789");  // exactly the limit: nothing dropped
  EXPECT_FALSE(r.stderr_truncated);
  run.capture_limit = 0;
  ASSERT_OK_AND_ASSIGN(RunResult none, linuxns::Run(Shell("echo a; echo b >&2"), run));
  EXPECT_EQ(none.stdout_text, "");
  EXPECT_TRUE(none.stdout_truncated);
  EXPECT_TRUE(none.stderr_truncated);
}

TEST_F(RunTest, TimeoutKillsAndReapsTheChild) {
  // Without a captured stream (Run waits on the pidfd) and with one (Run
  // polls the pipe), and with a child that closed its output but runs on.
  struct Case {
    const char* script;
    bool capture;
  };
  for (const Case& c : {Case{"exec sleep 30", false}, Case{"exec sleep 30", true},
                        Case{"exec >&-; exec sleep 30", true}}) {
    RunOptions run = Capture(c.capture, false);
    run.timeout = absl::Milliseconds(100);
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<RunResult> r = linuxns::Run(Shell(c.script), run);
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kDeadlineExceeded,
                            "Run: /bin/sh did not end within 100ms; sent SIGKILL: killed by "
                            "signal 9 (Killed)"))
        << c.script << " capture " << c.capture;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  }
  // The fixture checks that no child, zombie or descriptor is left.
}

TEST_F(RunTest, TimeoutWithOutputHeldByALeftoverProcessSaysSo) {
  const std::string pid_file = scratch() + "/sleeper";
  RunOptions run = Capture(true, false);
  run.timeout = absl::Milliseconds(200);
  absl::StatusOr<RunResult> r =
      linuxns::Run(Shell(absl::StrCat("sleep 30 & echo $! > ", pid_file, "; exit 0")), run);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kDeadlineExceeded,
                          "Run: /bin/sh exited with code 0, but its output was still open after "
                          "200ms (a process it left holds it)"));
  std::ifstream in(pid_file);
  pid_t sleeper = 0;
  ASSERT_TRUE(in >> sleeper);
  EXPECT_EQ(::kill(sleeper, SIGKILL), 0);
}

TEST_F(RunTest, MissingCommandIsASpawnFailureWithItsStep) {
  SpawnOptions options;
  options.argv = {"/nonexistent/linuxns-run-test"};
  absl::StatusOr<RunResult> r = linuxns::Run(options, Capture(true, true));
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/linuxns-run-test")));
  EXPECT_THAT(r, ErrnoIs(ENOENT));
  std::optional<SpawnFailure> failure = SpawnFailureOf(r.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kExec);
}

TEST_F(RunTest, CaptureOfAStreamNotInheritedOrPipedIsInvalidArgument) {
  SpawnOptions options = Shell("true");
  options.stdout_mode = Stdio::kNull;
  EXPECT_THAT(linuxns::Run(options, Capture(true, false)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Run: RunOptions::capture_stdout needs SpawnOptions::stdout_mode "
                       "Stdio::kInherit or Stdio::kPipe, not Stdio::kNull"));
  options = Shell("true");
  options.stderr_mode = Stdio::kPipe;
  EXPECT_THAT(linuxns::Run(options, Capture(true, false)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Run: SpawnOptions::stderr_mode is Stdio::kPipe but "
                       "RunOptions::capture_stderr is false: nothing would read the pipe (set "
                       "capture_stderr)"));
  options = Shell("true");
  options.fds = {FdMapping{0, 1}};
  EXPECT_THAT(linuxns::Run(options, Capture(true, false)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "Run: RunOptions::capture_stdout with a SpawnOptions::fds entry onto 1 "
                       "(stdout)"));
  RunOptions negative;
  negative.timeout = absl::Seconds(-1);
  EXPECT_THAT(linuxns::Run(Shell("true"), negative),
              StatusIs(absl::StatusCode::kInvalidArgument, "Run: negative timeout -1s"));
}

TEST_F(RunTest, PipedStdinReadsEndOfFile) {
  SpawnOptions options = Shell("cat; echo eof");
  options.stdin_mode = Stdio::kPipe;
  ASSERT_OK_AND_ASSIGN(RunResult r, linuxns::Run(options, Capture(true, false)));
  EXPECT_EQ(r.stdout_text, "eof\n");
}

TEST_F(RunTest, WaitsForTheChildAfterItClosesItsOutput) {
  ASSERT_OK_AND_ASSIGN(RunResult r, linuxns::Run(Shell("echo early; exec >&-; sleep 0.2; exit 4"),
                                                 Capture(true, false)));
  EXPECT_EQ(r.exit_status, ExitStatus::Exited(4));
  EXPECT_EQ(r.stdout_text, "early\n");
}

TEST_F(RunTest, RunsTheCommandInNewNamespaces) {
  LINUXNS_SKIP_UNLESS_ROOT();
  SpawnOptions options;
  options.argv = {"hostname"};
  options.new_namespaces = {NsType::kUts};
  options.hostname = "run-box";
  ASSERT_OK_AND_ASSIGN(RunResult r, linuxns::Run(options, Capture(true, true)));
  EXPECT_TRUE(r.exit_status.success()) << r.exit_status << ": " << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "run-box\n");
  char host[65] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  EXPECT_NE(std::string(host), "run-box");
}

TEST_F(RunTest, LeavesNoDescriptorOnAnyPath) {
  const int before = CountOpenFds();
  ASSERT_GT(before, 0);
  EXPECT_OK(linuxns::Run(Shell("echo out; echo err >&2"), Capture(true, true)));
  RunOptions quick = Capture(true, true);
  quick.timeout = absl::Milliseconds(50);
  EXPECT_THAT(linuxns::Run(Shell("exec sleep 30"), quick),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  SpawnOptions missing;
  missing.argv = {"/nonexistent/linuxns-run-test"};
  EXPECT_THAT(linuxns::Run(missing, Capture(true, true)), StatusIs(absl::StatusCode::kNotFound));
  SpawnOptions null_out = Shell("true");
  null_out.stdout_mode = Stdio::kNull;
  EXPECT_THAT(linuxns::Run(null_out, Capture(true, false)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(CountOpenFds(), before);
}

}  // namespace
}  // namespace linuxns

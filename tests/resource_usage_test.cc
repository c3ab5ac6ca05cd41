// Tests for the resource usage of a reaped child (ExitStatus::usage() in
// linuxns/exit_status.h), as ChildProcess::Wait(), WaitFor() and Run() fill
// it: checked against what the child measured of itself with getrusage(2).
//
// The children are this test binary run again with LINUXNS_RESOURCE_USAGE_CHILD
// set to a role: a constructor runs the role before main() and exits, so the
// work measured is exactly the role's (no shell, no loop of unknown cost).
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/exit_status.h"
#include "linuxns/run.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace {

using ::linuxns::ChildProcess;
using ::linuxns::ExitStatus;
using ::linuxns::ResourceUsage;
using ::linuxns::SpawnOptions;
using ::linuxns::Stdio;
using ::linuxns::testing::IsOk;

constexpr char kRoleVariable[] = "LINUXNS_RESOURCE_USAGE_CHILD";
constexpr absl::Duration kBurn = absl::Milliseconds(200);
constexpr std::uint64_t kTouchBytes = std::uint64_t{64} << 20;

// --- The child's side (before main) ---

// getrusage(who) as "user_us system_us maxrss_kib".
struct Measured {
  std::int64_t user_us = 0;
  std::int64_t system_us = 0;
  std::int64_t max_rss_kib = 0;

  absl::Duration cpu() const { return absl::Microseconds(user_us + system_us); }
};

Measured Measure(int who) {
  rusage ru{};
  ::getrusage(who, &ru);
  return {ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
          ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss};
}

// Spins until this process has used `cpu` of CPU time in all.
void BurnCpu(absl::Duration cpu) {
  volatile std::uint64_t sink = 0;
  while (Measure(RUSAGE_SELF).cpu() < cpu) {
    for (int i = 0; i < 100000; ++i) sink = sink + static_cast<std::uint64_t>(i);
  }
}

// One line on stdout, written at once (stdio's buffer would be lost by _exit).
void Say(const Measured& m, std::int64_t extra = 0) {
  char line[128];
  const int n = ::snprintf(line, sizeof line, "%lld %lld %lld %lld\n",
                           static_cast<long long>(m.user_us), static_cast<long long>(m.system_us),
                           static_cast<long long>(m.max_rss_kib), static_cast<long long>(extra));
  if (::write(STDOUT_FILENO, line, static_cast<std::size_t>(n)) != n) ::_exit(3);
}

[[noreturn]] void PlayRole(const std::string& role) {
  if (role == "burn") {
    BurnCpu(kBurn);
    Say(Measure(RUSAGE_SELF));
  } else if (role == "touch") {
    const std::int64_t baseline_kib = Measure(RUSAGE_SELF).max_rss_kib;
    void* p =
        ::mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) ::_exit(4);
    auto* bytes = static_cast<volatile unsigned char*>(p);
    for (std::uint64_t i = 0; i < kTouchBytes; i += 4096) bytes[i] = 1;
    Say(Measure(RUSAGE_SELF), baseline_kib);
  } else if (role == "burn-and-wait") {
    BurnCpu(absl::Milliseconds(50));
    Say(Measure(RUSAGE_SELF));
    for (;;) ::pause();  // until SIGKILL
  } else if (role == "fork-burn") {
    const pid_t pid = ::fork();
    if (pid < 0) ::_exit(5);
    if (pid == 0) {
      BurnCpu(kBurn);
      ::_exit(0);
    }
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    Say(Measure(RUSAGE_SELF), Measure(RUSAGE_CHILDREN).cpu() / absl::Microseconds(1));
  } else {
    ::_exit(6);
  }
  ::_exit(0);
}

__attribute__((constructor)) void ActAsChildWhenAsked() {
  if (const char* role = ::getenv(kRoleVariable); role != nullptr) PlayRole(role);
}

// --- The parent's side ---

SpawnOptions ChildPlaying(const std::string& role) {
  SpawnOptions options;
  options.argv = {std::filesystem::read_symlink("/proc/self/exe").string()};
  options.env = std::vector<std::string>{absl::StrCat(kRoleVariable, "=", role)};
  options.stdout_mode = Stdio::kPipe;
  return options;
}

linuxns::RunOptions CaptureStdout() {
  linuxns::RunOptions run;
  run.capture_stdout = true;
  return run;
}

// The child's report line: its measurement and the role's extra number.
struct Report {
  Measured measured;
  std::int64_t extra = 0;
};

std::optional<Report> ParseReport(const std::string& line) {
  Report r;
  long long u, s, m, e;
  if (::sscanf(line.c_str(), "%lld %lld %lld %lld", &u, &s, &m, &e) != 4) return std::nullopt;
  r.measured = {u, s, m};
  r.extra = e;
  return r;
}

// Reads the first line of `fd` (the child's stdout), blocking.
std::string ReadLine(const linuxns::UniqueFd& fd) {
  std::string text;
  char c;
  ssize_t n;
  while ((n = ::read(fd.get(), &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
    if (n == 1) {
      text.push_back(c);
      if (c == '\n') break;
    }
  }
  return text;
}

// `actual` lies within `percent` % of `expected`.
::testing::AssertionResult Within(absl::Duration actual, absl::Duration expected, int percent) {
  const absl::Duration slack = expected * percent / 100;
  if (actual >= expected - slack && actual <= expected + slack) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << absl::FormatDuration(actual) << " is not within "
                                       << percent << "% of " << absl::FormatDuration(expected);
}

class ResourceUsageTest : public linuxns::testing::LeakCheckedTest {};

TEST_F(ResourceUsageTest, WaitReportsTheCpuTimeTheChildMeasured) {
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(ChildPlaying("burn"));
  ASSERT_THAT(child.status(), IsOk());
  const linuxns::UniqueFd out = child->TakeStdout();
  const std::optional<Report> report = ParseReport(ReadLine(out));
  absl::StatusOr<ExitStatus> status = child->Wait();
  ASSERT_THAT(status.status(), IsOk());
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(status->success()) << *status;
  ASSERT_TRUE(status->usage().has_value());
  EXPECT_GE(report->measured.cpu(), kBurn);
  EXPECT_TRUE(Within(status->usage()->cpu(), report->measured.cpu(), 10));
  // The busy loop runs in user mode.
  EXPECT_GE(status->usage()->user_cpu, absl::Microseconds(report->measured.user_us));
  // A second Wait() returns the same, usage included.
  absl::StatusOr<ExitStatus> again = child->Wait();
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->usage(), status->usage());
}

TEST_F(ResourceUsageTest, WaitForReportsTheUsageToo) {
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(ChildPlaying("burn"));
  ASSERT_THAT(child.status(), IsOk());
  const linuxns::UniqueFd out = child->TakeStdout();
  const std::optional<Report> report = ParseReport(ReadLine(out));
  ASSERT_TRUE(report.has_value());
  std::optional<ExitStatus> status;
  // The child exits right after its report: a few rounds at most, however
  // busy the machine.
  for (int round = 0; round < 600 && !status.has_value(); ++round) {
    absl::StatusOr<std::optional<ExitStatus>> waited = child->WaitFor(absl::Milliseconds(100));
    ASSERT_THAT(waited.status(), IsOk());
    status = *waited;
  }
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(status->usage().has_value());
  EXPECT_TRUE(Within(status->usage()->cpu(), report->measured.cpu(), 10));
}

TEST_F(ResourceUsageTest, RunCarriesTheUsage) {
  absl::StatusOr<linuxns::RunResult> result = linuxns::Run(ChildPlaying("burn"), CaptureStdout());
  ASSERT_THAT(result.status(), IsOk());
  const std::optional<Report> report = ParseReport(result->stdout_text);
  ASSERT_TRUE(report.has_value()) << result->stdout_text;
  ASSERT_TRUE(result->exit_status.usage().has_value());
  EXPECT_TRUE(Within(result->exit_status.usage()->cpu(), report->measured.cpu(), 10));
}

TEST_F(ResourceUsageTest, PeakRssCoversTheTouchedMemory) {
  absl::StatusOr<linuxns::RunResult> result = linuxns::Run(ChildPlaying("touch"), CaptureStdout());
  ASSERT_THAT(result.status(), IsOk());
  const std::optional<Report> report = ParseReport(result->stdout_text);
  ASSERT_TRUE(report.has_value()) << result->stdout_text;
  ASSERT_TRUE(result->exit_status.usage().has_value());
  const std::uint64_t peak = result->exit_status.usage()->max_rss_bytes;
  // The baseline: the child's peak before it touched anything (the program,
  // and the image before its exec: see exit_status.h).
  const std::uint64_t baseline = static_cast<std::uint64_t>(report->extra) * 1024;
  EXPECT_GE(peak, kTouchBytes);
  EXPECT_LE(peak, baseline + kTouchBytes * 110 / 100)
      << "baseline " << baseline / 1024 << " KiB, peak " << peak / 1024 << " KiB";
  // What the child saw of itself at the end, give or take its exit.
  EXPECT_GE(peak, static_cast<std::uint64_t>(report->measured.max_rss_kib) * 1024);
  EXPECT_LE(peak, static_cast<std::uint64_t>(report->measured.max_rss_kib) * 1024 * 110 / 100);
}

TEST_F(ResourceUsageTest, ChildKilledBySignalStillHasUsage) {
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(ChildPlaying("burn-and-wait"));
  ASSERT_THAT(child.status(), IsOk());
  const linuxns::UniqueFd out = child->TakeStdout();
  const std::optional<Report> report = ParseReport(ReadLine(out));
  ASSERT_TRUE(report.has_value());
  ASSERT_THAT(child->Signal(SIGKILL), IsOk());
  absl::StatusOr<ExitStatus> status = child->Wait();
  ASSERT_THAT(status.status(), IsOk());
  EXPECT_EQ(*status, ExitStatus::Signaled(SIGKILL));
  ASSERT_TRUE(status->usage().has_value());
  // It burnt 50 ms, then slept in pause() until the kill.
  EXPECT_TRUE(Within(status->usage()->cpu(), report->measured.cpu(), 10));
  EXPECT_GT(status->usage()->max_rss_bytes, 0u);
}

TEST_F(ResourceUsageTest, UsageIncludesTheDescendantsTheChildWaitedFor) {
  absl::StatusOr<linuxns::RunResult> result =
      linuxns::Run(ChildPlaying("fork-burn"), CaptureStdout());
  ASSERT_THAT(result.status(), IsOk());
  const std::optional<Report> report = ParseReport(result->stdout_text);
  ASSERT_TRUE(report.has_value()) << result->stdout_text;
  ASSERT_TRUE(result->exit_status.usage().has_value());
  const absl::Duration grandchild = absl::Microseconds(report->extra);
  EXPECT_GE(grandchild, kBurn);
  // The child itself only forked and waited: nearly all of it is the
  // grandchild's.
  EXPECT_TRUE(Within(result->exit_status.usage()->cpu(), report->measured.cpu() + grandchild, 10));
  EXPECT_GE(result->exit_status.usage()->cpu(), grandchild);
}

TEST_F(ResourceUsageTest, PeakRssCoversTheSpawnersImageBeforeTheExec) {
  // exec_mmap records the old image's peak in the process; a CLONE_VM child's
  // old image is the spawner's. In a fork, whose peak this test may raise.
  const int code = linuxns::testing::RunInForkedChild([] {
    void* p =
        ::mmap(nullptr, kTouchBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 1;
    ::memset(p, 1, kTouchBytes);
    SpawnOptions options;
    options.argv = {"/bin/true"};
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
    if (!child.ok()) return 2;
    absl::StatusOr<ExitStatus> status = child->Wait();
    if (!status.ok() || !status->usage().has_value()) return 3;
    return status->usage()->max_rss_bytes >= kTouchBytes ? 0 : 4;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(ResourceUsageTest, NoUsageWhenAnotherReaperTookTheChild) {
  // In a fork: SIGCHLD ignored makes the kernel reap the exec'd child itself,
  // and Wait() reads the status from the pidfd (Linux 6.15), without usage.
  constexpr int kNoPidfdStatus = 77;
  const int code = linuxns::testing::RunInForkedChild([] {
    ::signal(SIGCHLD, SIG_IGN);
    SpawnOptions options;
    options.argv = {"/bin/true"};
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
    if (!child.ok()) return 1;
    // Until the kernel has reaped it: the pidfd turns readable at exit.
    if (absl::StatusOr<bool> exited = child->pidfd().WaitForExit(absl::Seconds(60));
        !exited.ok() || !*exited) {
      return 2;
    }
    absl::StatusOr<ExitStatus> status = child->Wait();
    if (!status.ok()) return absl::IsFailedPrecondition(status.status()) ? kNoPidfdStatus : 3;
    if (!status->success()) return 4;
    return status->usage().has_value() ? 5 : 0;
  });
  if (code == kNoPidfdStatus) GTEST_SKIP() << "this kernel keeps no exit status for pidfds";
  EXPECT_EQ(code, 0);
}

}  // namespace

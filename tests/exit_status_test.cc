// Tests for linuxns/exit_status.h: the two kinds of ending, the shell's view
// of them, their text, and that all of it works at compile time.
#include "linuxns/exit_status.h"

#include <signal.h>

#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "support/test_util.h"

namespace {

using ::linuxns::ExitStatus;
using ::linuxns::ResourceUsage;

// Everything but ToString() is constexpr.
static_assert(ExitStatus::Exited(3).exited());
static_assert(!ExitStatus::Exited(3).signaled());
static_assert(ExitStatus::Exited(3).code() == 3);
static_assert(ExitStatus::Exited(3).signal() == 0);
static_assert(ExitStatus::Exited(0).success());
static_assert(!ExitStatus::Exited(1).success());
static_assert(ExitStatus::Exited(42).ShellCode() == 42);
static_assert(ExitStatus::Signaled(SIGKILL).signaled());
static_assert(!ExitStatus::Signaled(SIGKILL).exited());
static_assert(ExitStatus::Signaled(SIGKILL).signal() == SIGKILL);
static_assert(ExitStatus::Signaled(SIGKILL).code() == 0);
static_assert(!ExitStatus::Signaled(SIGKILL).core_dumped());
static_assert(ExitStatus::Signaled(SIGSEGV, true).core_dumped());
static_assert(!ExitStatus::Signaled(SIGKILL).success());
static_assert(ExitStatus::Signaled(SIGKILL).ShellCode() == 137);
static_assert(ExitStatus::Exited(3) == ExitStatus::Exited(3));
static_assert(ExitStatus::Exited(3) != ExitStatus::Exited(4));
static_assert(ExitStatus::Signaled(SIGSEGV) != ExitStatus::Signaled(SIGSEGV, true));

// A constexpr value can be a constant.
constexpr ExitStatus kKilled = ExitStatus::Signaled(SIGKILL);
static_assert(kKilled.ShellCode() == 128 + SIGKILL);

class ExitStatusTest : public linuxns::testing::LeakCheckedTest {};

// --- Exited ---

TEST_F(ExitStatusTest, ExitedKeepsCodeAndHasNoSignal) {
  const ExitStatus st = ExitStatus::Exited(3);
  EXPECT_TRUE(st.exited());
  EXPECT_FALSE(st.signaled());
  EXPECT_EQ(st.code(), 3);
  EXPECT_EQ(st.signal(), 0);
  EXPECT_FALSE(st.core_dumped());
}

TEST_F(ExitStatusTest, OnlyExitCodeZeroIsSuccess) {
  EXPECT_TRUE(ExitStatus::Exited(0).success());
  EXPECT_FALSE(ExitStatus::Exited(1).success());
  EXPECT_FALSE(ExitStatus::Exited(255).success());
}

TEST_F(ExitStatusTest, ExitedShellCodeIsTheCode) {
  EXPECT_EQ(ExitStatus::Exited(0).ShellCode(), 0);
  EXPECT_EQ(ExitStatus::Exited(3).ShellCode(), 3);
  EXPECT_EQ(ExitStatus::Exited(126).ShellCode(), 126);
  EXPECT_EQ(ExitStatus::Exited(127).ShellCode(), 127);
  EXPECT_EQ(ExitStatus::Exited(255).ShellCode(), 255);
}

// --- Signaled ---

TEST_F(ExitStatusTest, SignaledKeepsSignalAndHasCodeZero) {
  const ExitStatus st = ExitStatus::Signaled(SIGTERM);
  EXPECT_TRUE(st.signaled());
  EXPECT_FALSE(st.exited());
  EXPECT_EQ(st.signal(), SIGTERM);
  EXPECT_EQ(st.code(), 0);
  EXPECT_FALSE(st.core_dumped());
}

TEST_F(ExitStatusTest, SignaledKeepsCoreDumpFlag) {
  const ExitStatus st = ExitStatus::Signaled(SIGSEGV, true);
  EXPECT_TRUE(st.signaled());
  EXPECT_EQ(st.signal(), SIGSEGV);
  EXPECT_TRUE(st.core_dumped());
}

TEST_F(ExitStatusTest, SignalDeathIsNeverSuccess) {
  EXPECT_FALSE(ExitStatus::Signaled(SIGKILL).success());
  EXPECT_FALSE(ExitStatus::Signaled(SIGTERM).success());
  EXPECT_FALSE(ExitStatus::Signaled(SIGABRT, true).success());
}

TEST_F(ExitStatusTest, SignaledShellCodeIs128PlusSignal) {
  EXPECT_EQ(ExitStatus::Signaled(SIGHUP).ShellCode(), 129);
  EXPECT_EQ(ExitStatus::Signaled(SIGKILL).ShellCode(), 137);
  EXPECT_EQ(ExitStatus::Signaled(SIGSEGV, true).ShellCode(), 139);
  EXPECT_EQ(ExitStatus::Signaled(SIGTERM).ShellCode(), 143);
  EXPECT_EQ(ExitStatus::Signaled(SIGRTMIN).ShellCode(), 128 + SIGRTMIN);
}

// --- ToString and operator<< ---

TEST_F(ExitStatusTest, ToStringOfExit) {
  EXPECT_EQ(ExitStatus::Exited(3).ToString(), "exited with code 3");
  EXPECT_EQ(ExitStatus::Exited(0).ToString(), "exited with code 0");
  EXPECT_EQ(ExitStatus::Exited(255).ToString(), "exited with code 255");
}

TEST_F(ExitStatusTest, ToStringOfSignalNamesTheSignal) {
  EXPECT_EQ(ExitStatus::Signaled(SIGKILL).ToString(), "killed by signal 9 (Killed)");
  EXPECT_EQ(ExitStatus::Signaled(SIGTERM).ToString(), "killed by signal 15 (Terminated)");
}

TEST_F(ExitStatusTest, ToStringOfSignalWithCoreDump) {
  EXPECT_EQ(ExitStatus::Signaled(SIGSEGV, true).ToString(),
            "killed by signal 11 (Segmentation fault) (core dumped)");
  EXPECT_EQ(ExitStatus::Signaled(SIGKILL, true).ToString(),
            "killed by signal 9 (Killed) (core dumped)");
}

TEST_F(ExitStatusTest, ToStringOfSignalWithoutDescription) {
  EXPECT_EQ(ExitStatus::Signaled(200).ToString(), "killed by signal 200 (unknown)");
}

TEST_F(ExitStatusTest, StreamWritesToString) {
  for (const ExitStatus& st : {ExitStatus::Exited(3), ExitStatus::Signaled(SIGKILL),
                               ExitStatus::Signaled(SIGSEGV, true)}) {
    std::ostringstream os;
    os << st;
    EXPECT_EQ(os.str(), st.ToString());
  }
  std::ostringstream os;
  os << "child " << ExitStatus::Exited(3) << ".";
  EXPECT_EQ(os.str(), "child exited with code 3.");
}

TEST_F(ExitStatusTest, GoogleTestPrintsTheText) {
  EXPECT_EQ(::testing::PrintToString(ExitStatus::Signaled(SIGKILL)), "killed by signal 9 (Killed)");
}

// --- Equality ---

TEST_F(ExitStatusTest, EqualWhenEveryFieldMatches) {
  EXPECT_EQ(ExitStatus::Exited(3), ExitStatus::Exited(3));
  EXPECT_EQ(ExitStatus::Signaled(SIGKILL), ExitStatus::Signaled(SIGKILL, false));
  EXPECT_EQ(ExitStatus::Signaled(SIGSEGV, true), ExitStatus::Signaled(SIGSEGV, true));
}

TEST_F(ExitStatusTest, DifferentCodeSignalOrCoreFlagIsNotEqual) {
  EXPECT_NE(ExitStatus::Exited(3), ExitStatus::Exited(4));
  EXPECT_NE(ExitStatus::Signaled(SIGKILL), ExitStatus::Signaled(SIGTERM));
  EXPECT_NE(ExitStatus::Signaled(SIGSEGV), ExitStatus::Signaled(SIGSEGV, true));
  // Same shell code, different ending.
  EXPECT_NE(ExitStatus::Exited(137), ExitStatus::Signaled(SIGKILL));
  EXPECT_EQ(ExitStatus::Exited(137).ShellCode(), ExitStatus::Signaled(SIGKILL).ShellCode());
}

// --- Resource usage ---

const ResourceUsage kUsage{.user_cpu = absl::Milliseconds(200),
                           .system_cpu = absl::Microseconds(10999),
                           .max_rss_bytes = 64 << 20};

TEST_F(ExitStatusTest, MadeStatusesHaveNoUsage) {
  EXPECT_FALSE(ExitStatus::Exited(0).usage().has_value());
  EXPECT_FALSE(ExitStatus::Signaled(SIGKILL).usage().has_value());
}

TEST_F(ExitStatusTest, WithUsageAttachesItAndKeepsTheEnding) {
  const ExitStatus plain = ExitStatus::Signaled(SIGSEGV, true);
  const ExitStatus st = plain.WithUsage(kUsage);
  ASSERT_TRUE(st.usage().has_value());
  EXPECT_EQ(*st.usage(), kUsage);
  EXPECT_EQ(st.signal(), SIGSEGV);
  EXPECT_TRUE(st.core_dumped());
  EXPECT_FALSE(plain.usage().has_value());
}

TEST_F(ExitStatusTest, EqualityAndTextIgnoreTheUsage) {
  EXPECT_EQ(ExitStatus::Exited(3).WithUsage(kUsage), ExitStatus::Exited(3));
  EXPECT_NE(ExitStatus::Exited(3).WithUsage(kUsage), ExitStatus::Exited(4).WithUsage(kUsage));
  EXPECT_EQ(ExitStatus::Exited(3).WithUsage(kUsage).ToString(), "exited with code 3");
}

TEST_F(ExitStatusTest, UsageCpuIsUserPlusSystem) {
  EXPECT_EQ(kUsage.cpu(), absl::Microseconds(210999));
}

TEST_F(ExitStatusTest, UsageTextHasMillisecondsRoundedDownAndKiB) {
  EXPECT_EQ(kUsage.ToString(), "user 0.200s system 0.010s maxrss 65536 KiB");
  EXPECT_EQ(ResourceUsage{}.ToString(), "user 0.000s system 0.000s maxrss 0 KiB");
  EXPECT_EQ(ResourceUsage({.user_cpu = absl::Seconds(75) + absl::Milliseconds(5),
                           .system_cpu = absl::Milliseconds(1999),
                           .max_rss_bytes = 1023})
                .ToString(),
            "user 75.005s system 1.999s maxrss 0 KiB");
}

}  // namespace

#include "linuxns/spawn_failure.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/status.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using testing::StatusIs;

std::optional<SpawnFailure> FailureOf(const SpawnOptions& o) {
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_FALSE(child.ok());
  return SpawnFailureOf(child.status());
}

TEST(SpawnFailureTest, ACommandNotFoundInPathHereIsAnExecFailure) {
  SpawnOptions o;
  o.argv = {"linuxns-no-such-command"};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  ASSERT_FALSE(child.ok());
  std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kExec);
  EXPECT_EQ(failure->index, -2) << "found missing by the parent's PATH search";
  EXPECT_EQ(ErrnoOf(child.status()), ENOENT);
}

TEST(SpawnFailureTest, TheChildsExecFailureNamesTheCandidate) {
  SpawnOptions o;
  o.argv = {"/proc/self/status"};  // found, not executable
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  ASSERT_FALSE(child.ok());
  std::optional<SpawnFailure> failure = SpawnFailureOf(child.status());
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kExec);
  EXPECT_EQ(failure->index, 0);
  EXPECT_EQ(ErrnoOf(child.status()), EACCES);
}

TEST(SpawnFailureTest, ASetupStepCarriesItsIndex) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  // A hard limit on descriptors above fs.nr_open is EPERM, even with
  // CAP_SYS_RESOURCE.
  std::ifstream nr_open_file("/proc/sys/fs/nr_open");
  rlim_t nr_open = 0;
  ASSERT_TRUE(nr_open_file >> nr_open);
  o.rlimits = {Rlimit{RLIMIT_NOFILE, 16, 16}, Rlimit{RLIMIT_NOFILE, 16, nr_open + 1}};
  std::optional<SpawnFailure> failure = FailureOf(o);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kRlimit);
  EXPECT_EQ(failure->index, 1);
  EXPECT_STREQ(SpawnStepName(failure->step), "setrlimit");
}

TEST(SpawnFailureTest, InPlaceFailuresCarryTheStepToo) {
  const int code = testing::RunInForkedChild([] {
    SpawnOptions o;
    o.argv = {"/bin/true"};
    o.cwd = "/linuxns-no-such-directory";
    absl::Status failed = ExecInPlace(o);
    std::optional<SpawnFailure> failure = SpawnFailureOf(failed);
    if (!failure.has_value()) return 2;
    return failure->step == SpawnStep::kChdir && ErrnoOf(failed) == ENOENT ? 0 : 3;
  });
  EXPECT_EQ(code, 0);
}

TEST(SpawnFailureTest, BadOptionsAndSuccessCarryNone) {
  SpawnOptions o;  // no argv
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  EXPECT_THAT(child, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(SpawnFailureOf(child.status()).has_value());
  EXPECT_FALSE(SpawnFailureOf(absl::OkStatus()).has_value());
  EXPECT_FALSE(SpawnFailureOf(ErrnoError(ENOENT, "execve x")).has_value())
      << "the message is not searched";
}

TEST(SpawnFailureTest, ContextAddedLaterKeepsThePayload) {
  SpawnOptions o;
  o.argv = {"linuxns-no-such-command"};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  ASSERT_FALSE(child.ok());
  absl::Status wrapped = WithContext(child.status(), "tool");
  std::optional<SpawnFailure> failure = SpawnFailureOf(wrapped);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->step, SpawnStep::kExec);
}

}  // namespace
}  // namespace linuxns

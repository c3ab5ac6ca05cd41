#include "linuxns/exec_in_place.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pin.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class ExecInPlaceTest : public testing::LeakCheckedTest {};

struct Result {
  pid_t pid = 0;
  int code = -1;
  std::string out;
};

// Forks a single-threaded child that calls ExecInPlace() with the options
// make() returns there, its stdout on a pipe; collects what it printed and how
// it ended. A failed ExecInPlace prints its status and exits 99.
Result RunInPlace(absl::FunctionRef<SpawnOptions()> make) {
  Result result;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return result;
  std::fflush(nullptr);
  result.pid = ::fork();
  if (result.pid == 0) {
    SpawnOptions options = make();
    options.fds.push_back({p[1], 1});
    absl::Status status = ExecInPlace(options);
    // Descriptors may have been moved already: the pipe is 1 or still p[1].
    std::string text = status.ToString() + "\n";
    if (::write(1, text.data(), text.size()) < 0) (void)!::write(p[1], text.data(), text.size());
    ::_exit(99);
  }
  ::close(p[1]);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0)
    result.out.append(buf, static_cast<std::size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(result.pid, &status, 0);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

TEST_F(ExecInPlaceTest, KeepsThePidAndChangesTheNamespaces) {
  LINUXNS_SKIP_UNLESS_ROOT();
  Result r = RunInPlace([] {
    SpawnOptions o;
    o.argv = {"/bin/sh", "-c", "echo $$; hostname; readlink /proc/self/ns/uts"};
    o.new_namespaces = {NsType::kUts};
    o.hostname = "in-place";
    return o;
  });
  EXPECT_EQ(r.code, 0) << r.out;
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_THAT(r.out, ::testing::StartsWith(absl::StrCat(r.pid, "\nin-place\nuts:[")));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr(uts.id().ToString())));
}

void CountSignal(int) {}

// The signal mask of `out` for field ("SigIgn:" ...) of /proc/self/status.
unsigned long long SignalField(const std::string& out, std::string_view field) {
  const std::size_t at = out.find(field);
  if (at == std::string::npos) return ~0ULL;
  unsigned long long mask = 0;
  if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(absl::string_view(out).substr(
                               at + field.size(), out.find('\n', at) - at - field.size())),
                           &mask)) {
    return ~0ULL;
  }
  return mask;
}

// Ignores SIGINT, catches SIGUSR1, blocks SIGUSR2; options that print the
// command's signal masks.
SpawnOptions IgnoreCatchAndBlockThenPrintMasks() {
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGUSR1, CountSignal);
  sigset_t blocked;
  ::sigemptyset(&blocked);
  ::sigaddset(&blocked, SIGUSR2);
  ::sigprocmask(SIG_BLOCK, &blocked, nullptr);
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "grep -E '^Sig(Ign|Cgt|Blk)' /proc/self/status"};
  return o;
}

// As across execve(2) and in util-linux's unshare: an ignored signal stays
// ignored, a caught one gets its default action, and the mask is emptied.
TEST_F(ExecInPlaceTest, TheCommandKeepsIgnoredSignalsButNoCaughtOrBlockedOne) {
  Result r = RunInPlace([] { return IgnoreCatchAndBlockThenPrintMasks(); });
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ((SignalField(r.out, "SigIgn:") >> (SIGINT - 1)) & 1, 1u) << r.out;
  for (const std::string_view field : {"SigBlk:", "SigCgt:"}) {
    for (int sig : {SIGUSR1, SIGUSR2}) {
      EXPECT_EQ((SignalField(r.out, field) >> (sig - 1)) & 1, 0u)
          << field << " has signal " << sig << ": " << r.out;
    }
  }
}

// reset_ignored_signals: none of ours is left.
TEST_F(ExecInPlaceTest, ResetIgnoredSignalsLeavesNoIgnoredCaughtOrBlockedSignal) {
  Result r = RunInPlace([] {
    SpawnOptions o = IgnoreCatchAndBlockThenPrintMasks();
    o.reset_ignored_signals = true;
    return o;
  });
  EXPECT_EQ(r.code, 0) << r.out;
  // sh itself catches or ignores a few; none of ours is left.
  for (const std::string_view field : {"SigBlk:", "SigIgn:", "SigCgt:"}) {
    for (int sig : {SIGINT, SIGUSR1, SIGUSR2}) {
      EXPECT_EQ((SignalField(r.out, field) >> (sig - 1)) & 1, 0u)
          << field << " has signal " << sig << ": " << r.out;
    }
  }
}

TEST_F(ExecInPlaceTest, UnprivilegedOwnIdMap) {
  Result r = RunInPlace([] {
    if (!testing::DropToNobody()) ::_exit(98);
    SpawnOptions o;
    o.argv = {"/bin/sh", "-c", "id -u"};
    o.MapCurrentUserToRoot();  // now the map of uid 65534
    return o;
  });
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out, "0\n");
}

TEST_F(ExecInPlaceTest, WiderMapsAreWrittenByAHelperInTheParentNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  Result r = RunInPlace([] {
    SpawnOptions o;
    o.argv = {"/bin/cat", "/proc/self/uid_map"};
    o.new_namespaces = {NsType::kUser};
    o.uid_map = *IdMap::Parse("0 100000 1000");
    return o;
  });
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::MatchesRegex(" *0 +100000 +1000\n"));
}

TEST_F(ExecInPlaceTest, ExecFailureIsReturned) {
  Result r = RunInPlace([] {
    SpawnOptions o;
    o.argv = {"/nonexistent/command"};
    return o;
  });
  EXPECT_EQ(r.code, 99);
  EXPECT_THAT(r.out, HasSubstr("execve /nonexistent/command: No such file or directory"));
}

TEST_F(ExecInPlaceTest, MultiThreadedProcessIsRefusedBeforeAnyChange) {
  testing::ExtraThread extra;
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.new_namespaces = {NsType::kUser};
  EXPECT_THAT(ExecInPlace(o), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("single-threaded process")));
}

TEST_F(ExecInPlaceTest, InitIsRefusedWithTheReason) {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.new_namespaces = {NsType::kPid, NsType::kMnt};
  o.init = true;
  EXPECT_THAT(ExecInPlace(o),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("init cannot run in place")));
}

}  // namespace
}  // namespace linuxns

namespace linuxns {
namespace {

// A host that ignores SIGCHLD has its children reaped by the kernel, so the
// helper's exit status cannot be waited for: its failure must still be seen
// (here a pin into a directory that does not exist), not taken for success.
TEST_F(ExecInPlaceTest, HelperFailureIsReportedWhenTheHostIgnoresSigchld) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string pin = scratch() + "/no-such-dir/uts";
  Result r = RunInPlace([&] {
    ::signal(SIGCHLD, SIG_IGN);
    SpawnOptions o;
    o.argv = {"/bin/true"};
    o.new_namespaces = {NsType::kUts};
    o.pins = {{NsType::kUts, pin}};
    return o;
  });
  // 99: ExecInPlace() returned (its status goes to the test's stdout, as
  // the descriptors were not moved yet); 0 was /bin/true run without the pin.
  EXPECT_EQ(r.code, 99) << r.out;
}

TEST_F(ExecInPlaceTest, PinsAreMadeInTheOriginalMountNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string net = scratch() + "/net";
  const std::string mnt = scratch() + "/mnt";
  Result r = RunInPlace([&] {
    SpawnOptions o;
    o.argv = {"/bin/true"};
    o.new_namespaces = {NsType::kNet, NsType::kMnt};
    o.pins = {{NsType::kNet, net}, {NsType::kMnt, mnt}};
    return o;
  });
  EXPECT_EQ(r.code, 0) << r.out;
  ASSERT_OK_AND_ASSIGN(NsFd pinned, NsFd::OpenPath(net, NsType::kNet));
  ASSERT_OK_AND_ASSIGN(NsFd ours, NsFd::OpenCurrent(NsType::kNet));
  EXPECT_NE(pinned.id(), ours.id());
  EXPECT_OK(NsFd::OpenPath(mnt, NsType::kMnt));
  EXPECT_OK(UnpinNamespace(net, true));
  EXPECT_OK(UnpinNamespace(mnt, true));
}

}  // namespace
}  // namespace linuxns

// The public headers' contracts, held against a hostile or careless host:
// descriptors of the wrong kind, closed or reused behind a handle's back,
// moved-from objects, repeated and concurrent calls, paths with a NUL byte,
// closed standard streams, every signal blocked. Each test asserts the exact
// status (code, errno, message) and, through LeakCheckedTest, that no
// descriptor, child or mount is left behind.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "internal/kernel.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pid_fd.h"
#include "linuxns/pin.h"
#include "linuxns/run.h"
#include "linuxns/status.h"
#include "reliability/reliability_util.h"
#include "support/spawn_util.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using testing::Describe;
using testing::Outcome;
using testing::RunForkedAndReport;

class ContractTest : public testing::LeakCheckedTest {};

// A handle whose number the host closed and reused: `stale` was a duplicate
// of `wanted`'s uts namespace, and its number now holds `other`'s. Needs
// root (two uts namespaces of our own).
struct StaleUtsHandle {
  absl::StatusOr<Namespace> wanted = Namespace::Create({NsType::kUts});
  absl::StatusOr<Namespace> other = Namespace::Create({NsType::kUts});
  absl::StatusOr<NsFd> stale = absl::UnknownError("not made");

  // Makes `stale`; a failed step is a failed assertion of the caller's test.
  void Make() {
    ASSERT_TRUE(wanted.ok() && other.ok());
    stale = wanted->Find(NsType::kUts)->Dup();
    ASSERT_TRUE(stale.ok()) << stale.status();
    ASSERT_EQ(::dup2(other->Find(NsType::kUts)->get(), stale->get()), stale->get());
  }
};

// A PidFd::Adopt() of a descriptor that is no pidfd is the caller's mistake,
// but the ENOTTY it earns from the PIDFD_GET_*_NAMESPACE ioctl used to be
// taken for "this kernel has no such ioctls": every later FromPidFd() of the
// whole process went through /proc, and the socket itself passed for a
// process that had exited. (Forked: the switch is process-wide.)
TEST_F(ContractTest, FromPidFdOfADescriptorThatIsNotAPidfdIsRefusedAndChangesNothingLater) {
  const testing::ForkedReport report = RunForkedAndReport([] {
    absl::StatusOr<PidFd> self = PidFd::Self();
    if (!self.ok()) return Describe(self);
    absl::StatusOr<NsFd> real = NsFd::FromPidFd(*self, NsType::kNet);
    if (!real.ok()) return Describe(real);
    if (internal::pidfs_ns_ioctls_missing.load()) return std::string("no pidfs ioctls here");
    int s[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) != 0) return std::string("pair");
    ::close(s[1]);
    const PidFd fake = PidFd::Adopt(UniqueFd(s[0]), ::getpid());
    const std::string got = Describe(NsFd::FromPidFd(fake, NsType::kNet));
    return absl::StrCat(
        absl::StrReplaceAll(got, {{absl::StrCat(::getpid()), "PID"}, {absl::StrCat(s[0]), "N"}}),
        "\nlater calls through /proc: ", internal::pidfs_ns_ioctls_missing.load());
  });
  ASSERT_EQ(report.code, 0) << report.text;
  if (report.text == "no pidfs ioctls here") GTEST_SKIP() << "kernel before Linux 6.11";
  EXPECT_EQ(report.text,
            "INVALID_ARGUMENT errno=25: open /proc/PID/ns/net: descriptor N of the PidFd is not "
            "a pidfd (PidFd::Adopt() was given another kind of file): Inappropriate ioctl for "
            "device\nlater calls through /proc: 0");
}

// "later calls return the same status", "usage ... is std::nullopt only when
// a reaper elsewhere in the host took the child": two Wait()s on two threads
// used to race, the loser's waitid(2) finding the child reaped (ECHILD) and
// storing the usage-less status read from the pidfd (or an error, on a
// kernel that keeps none). Not a timing assertion: every round must hold.
TEST_F(ContractTest, ConcurrentWaitsBothGetTheStatusWithItsUsage) {
  SpawnOptions options;
  options.argv = {"/bin/true"};
  int bad = 0;
  std::string first_bad;
  for (int round = 0; round < 1000; ++round) {
    absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
    ASSERT_TRUE(child.ok()) << child.status();
    absl::StatusOr<ExitStatus> other;
    std::thread thread([&] { other = child->Wait(); });
    absl::StatusOr<ExitStatus> mine = child->Wait();
    thread.join();
    const bool fine = mine.ok() && other.ok() && mine->success() && other->success() &&
                      mine->usage().has_value() && other->usage().has_value();
    if (!fine && bad++ == 0) {
      first_bad = absl::StrCat("round ", round, ": ", Describe(mine), " usage ",
                               mine.ok() && mine->usage().has_value(), " / ", Describe(other),
                               " usage ", other.ok() && other->usage().has_value());
    }
  }
  EXPECT_EQ(bad, 0) << first_bad;
}

// open(2) and mount(2) stop at a NUL byte: "/dir/a\0b" used to pin (and
// unpin) "/dir/a", and OpenPath() to open it, a file the caller never named.
TEST_F(ContractTest, PathsWithANulByteAreRefusedNotTruncated) {
  absl::StatusOr<NsFd> uts = NsFd::OpenCurrent(NsType::kUts);
  ASSERT_TRUE(uts.ok()) << uts.status();
  const std::string cut = absl::StrCat(scratch(), "/a");
  const std::string path = cut + std::string("\0b", 2);
  EXPECT_EQ(absl::StrReplaceAll(Describe(PinNamespace(*uts, path)), {{scratch(), "S"}}),
            "INVALID_ARGUMENT errno=none: pin uts namespace at S/a\\000b: the path contains a "
            "NUL byte");
  EXPECT_NE(::access(cut.c_str(), F_OK), 0) << "created " << cut;
  EXPECT_EQ(absl::StrReplaceAll(Describe(UnpinNamespace(path, true)), {{scratch(), "S"}}),
            "INVALID_ARGUMENT errno=none: unpin S/a\\000b: the path contains a NUL byte");

  const std::string ns_path = std::string("/proc/self/ns/net\0/x", 20);
  EXPECT_EQ(Describe(NsFd::OpenPath(ns_path)),
            "INVALID_ARGUMENT errno=none: open /proc/self/ns/net\\000/x: the path contains a "
            "NUL byte");

  if (!testing::IsRoot()) return;  // Namespace::Create() of uts needs root.
  absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kUts});
  ASSERT_TRUE(ns.ok()) << ns.status();
  EXPECT_EQ(ns->Pin(NsType::kUts, path).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(::access(cut.c_str(), F_OK), 0) << "created " << cut;
  EXPECT_TRUE(ns->pinned_paths().empty());
}

// SpawnOptions::join borrows NsFd handles. An empty (moved-from) one used to
// be skipped when its stale id matched the caller's namespace and to fail in
// the child (EBADF, after the clone) otherwise; one whose descriptor the host
// closed and whose number now holds another namespace was joined in its
// place. Both are InvalidArgument before any process exists.
TEST_F(ContractTest, JoinOfAnEmptyOrStaleNsFdIsInvalidBeforeTheClone) {
  absl::StatusOr<NsFd> net = NsFd::OpenCurrent(NsType::kNet);
  ASSERT_TRUE(net.ok()) << net.status();
  const std::string id = net->id().ToString();
  NsFd taker = std::move(*net);
  SpawnOptions options;
  options.argv = {"/bin/true"};
  options.join = {&*net};
  EXPECT_EQ(Outcome(options), absl::StrCat("spawn: INVALID_ARGUMENT errno=none: spawn: join into ",
                                           id, ": the NsFd is empty (moved from)"));

  if (!testing::IsRoot()) return;  // two uts namespaces of our own need root
  // The host closes the number and another namespace lands on it.
  StaleUtsHandle handle;
  ASSERT_NO_FATAL_FAILURE(handle.Make());
  absl::StatusOr<NsFd>& stale = handle.stale;
  options = testing::Shell("readlink /proc/self/ns/uts");
  options.join = {&*stale};
  EXPECT_EQ(Outcome(options),
            absl::StrCat("spawn: INVALID_ARGUMENT errno=9: spawn: join into ",
                         stale->id().ToString(), ": descriptor ", stale->get(),
                         " no longer refers to that namespace (it was closed behind the NsFd's "
                         "back): Bad file descriptor"));
}

// RunInNamespacesHere and RunInNamespacesOnThread duplicate their targets:
// a stale handle was duplicated as it stood, and the callback ran in the
// namespace that had taken its number. Refused as Enter() refuses it, and
// the callback never runs.
TEST_F(ContractTest, RunInNamespacesOfAStaleNsFdIsRefusedAndRunsNothing) {
  LINUXNS_SKIP_UNLESS_ROOT();  // two uts namespaces of our own
  StaleUtsHandle handle;
  ASSERT_NO_FATAL_FAILURE(handle.Make());
  absl::StatusOr<NsFd>& stale = handle.stale;
  const std::string want = absl::StrCat(
      "FAILED_PRECONDITION errno=9: %s into ", stale->id().ToString(), ": descriptor ",
      stale->get(),
      " no longer refers to that namespace (it was closed behind the NsFd's back): Bad file "
      "descriptor");
  bool ran = false;
  EXPECT_EQ(Describe(RunInNamespacesHere({&*stale}, [&] { ran = true; })),
            absl::StrReplaceAll(want, {{"%s", "ThreadNsEntry"}}));
  EXPECT_EQ(Describe(RunInNamespacesOnThread({&*stale}, [&] { ran = true; })),
            absl::StrReplaceAll(want, {{"%s", "RunInNamespacesOnThread"}}));
  EXPECT_FALSE(ran);
}

// Enter() of an empty handle, or of one whose descriptor now holds another
// file, names that instead of passing the kernel's EBADF or EINVAL on as if
// the namespace itself were at fault (and never enters another namespace).
TEST_F(ContractTest, EnterOfAnEmptyOrStaleNsFdIsRefused) {
  std::string empty, stale;
  std::string id;
  int number = -1;
  // On a thread of its own: nothing must move it, but if it did, the test
  // process stays home.
  std::thread([&] {
    absl::StatusOr<NsFd> net = NsFd::OpenCurrent(NsType::kNet);
    if (!net.ok()) return;
    id = net->id().ToString();
    number = net->get();
    NsFd taker = std::move(*net);
    empty = Describe(net->Enter());
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup3(null, taker.get(), O_CLOEXEC);
    ::close(null);
    stale = Describe(taker.Enter());
  }).join();
  EXPECT_EQ(empty, absl::StrCat("FAILED_PRECONDITION errno=none: setns into ", id,
                                ": the NsFd is empty (moved from)"));
  EXPECT_EQ(stale,
            absl::StrCat("FAILED_PRECONDITION errno=9: setns into ", id, ": descriptor ", number,
                         " no longer refers to that namespace (it was closed behind the "
                         "NsFd's back): Bad file descriptor"));
}

// "a file that is not a namespace is InvalidArgument saying what it is": a
// namespace file opened O_PATH used to be FailedPrecondition, "ioctl
// NS_GET_NSTYPE on fd N: Bad file descriptor", naming nothing the caller did.
TEST_F(ContractTest, AdoptOfAnOPathNamespaceDescriptorSaysSo) {
  const int fd = ::open("/proc/self/ns/net", O_PATH | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Describe(NsFd::Adopt(UniqueFd(fd))),
            absl::StrCat("INVALID_ARGUMENT errno=9: fd ", fd,
                         " is opened with O_PATH, which can be neither checked nor entered; open "
                         "the namespace file with O_RDONLY: Bad file descriptor"));
}

// Held: descriptors of the wrong kind, closed, or -1 given to Adopt().
TEST_F(ContractTest, AdoptOfAClosedOrForeignDescriptorNamesIt) {
  EXPECT_EQ(Describe(NsFd::Adopt(UniqueFd(-1))),
            "FAILED_PRECONDITION errno=9: fstat fd -1: Bad file descriptor");
  absl::StatusOr<PidFd> self = PidFd::Self();
  ASSERT_TRUE(self.ok()) << self.status();
  const int pidfd = ::fcntl(self->get(), F_DUPFD_CLOEXEC, 0);
  EXPECT_EQ(Describe(NsFd::Adopt(UniqueFd(pidfd))).rfind("INVALID_ARGUMENT errno=none: fd ", 0),
            0u);
  const int sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_EQ(Describe(NsFd::Adopt(UniqueFd(sock))),
            absl::StrCat("INVALID_ARGUMENT errno=none: fd ", sock,
                         " is not a namespace file (it is a socket)"));
}

// Held: Wait() twice, Signal() and WaitFor() after it, and every call on a
// moved-from ChildProcess, as child_process.h words them.
TEST_F(ContractTest, RepeatedAndMovedFromChildProcessCallsAreDefined) {
  SpawnOptions options;
  options.argv = {"/bin/sh", "-c", "exit 3"};
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(options);
  ASSERT_TRUE(child.ok()) << child.status();
  const pid_t pid = child->pid();
  EXPECT_EQ(Describe(child->Wait()), "OK");
  EXPECT_EQ(child->Wait()->code(), 3);
  EXPECT_EQ(
      Describe(child->Signal(SIGTERM)),
      absl::StrCat("NOT_FOUND errno=3: pidfd_send_signal 15 to pid ", pid, ": No such process"));
  absl::StatusOr<std::optional<ExitStatus>> later = child->WaitFor(-absl::Seconds(1));
  ASSERT_TRUE(later.ok() && later->has_value());
  EXPECT_EQ((*later)->code(), 3);
  ChildProcess taker = std::move(*child);
  EXPECT_EQ(Describe(child->Wait()), "FAILED_PRECONDITION errno=none: ChildProcess is empty");
  EXPECT_EQ(Describe(child->WaitFor(absl::ZeroDuration())),
            "FAILED_PRECONDITION errno=none: ChildProcess is empty");
  EXPECT_EQ(Describe(child->Signal(0)), "FAILED_PRECONDITION errno=none: PidFd is empty");
}

// Held: a ChildProcess and a Namespace with a pid namespace destroyed on
// another thread than the one that made them: killed and reaped all the same.
TEST_F(ContractTest, ObjectsDestroyedOnAnotherThreadLeaveNothing) {
  std::optional<ChildProcess> child;
  std::optional<Namespace> ns;
  std::thread([&] {
    absl::StatusOr<ChildProcess> c = ChildProcess::Spawn(testing::Sleeper());
    if (c.ok()) child.emplace(std::move(*c));
    absl::StatusOr<Namespace> n = Namespace::Create(
        testing::IsRoot() ? NsTypeSet{NsType::kPid} : NsTypeSet{NsType::kUser, NsType::kPid});
    if (n.ok()) ns.emplace(std::move(*n));
  }).join();
  ASSERT_TRUE(child.has_value());
  ASSERT_TRUE(ns.has_value());
  std::thread([&] {
    child.reset();
    ns.reset();
  }).join();
}

// Held: a host with 0, 1 and 2 closed; the pipes then land on those numbers
// and must still reach the child's stdout (and not its stdin) after the exec.
TEST_F(ContractTest, HostWithItsStandardStreamsClosedStillCaptures) {
  const testing::ForkedReport report = RunForkedAndReport([] {
    for (int fd = 0; fd < 3; ++fd) ::close(fd);
    SpawnOptions options = testing::Shell("echo out; echo err >&2; cat || echo no-stdin");
    options.stdin_mode = Stdio::kNull;
    RunOptions run;
    run.capture_stdout = run.capture_stderr = true;
    absl::StatusOr<RunResult> r = linuxns::Run(options, run);
    if (!r.ok()) return Describe(r);
    return absl::StrCat(r->stdout_text, "|", r->stderr_text, "|", r->exit_status.ToString());
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(report.text, "out\n|err\n|exited with code 0");
}

// Held: a host that blocks every signal (the library needs none: it polls
// pidfds) still gets a Run() timeout and an unblocked child.
TEST_F(ContractTest, HostWithEverySignalBlockedStillTimesOutAndKills) {
  const testing::ForkedReport report = RunForkedAndReport([] {
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, nullptr);
    absl::StatusOr<RunResult> r = linuxns::Run(testing::Shell("exec sleep 1000"),
                                               RunOptions{.timeout = absl::Milliseconds(200)});
    RunOptions capture;
    capture.capture_stdout = true;
    absl::StatusOr<RunResult> mask =
        linuxns::Run(testing::Shell("grep SigBlk /proc/self/status"), capture);
    return absl::StrCat(absl::StatusCodeToString(r.status().code()), "|",
                        mask.ok() ? mask->stdout_text : Describe(mask));
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(report.text, "DEADLINE_EXCEEDED|SigBlk:\t0000000000000000\n");
}

}  // namespace
}  // namespace linuxns

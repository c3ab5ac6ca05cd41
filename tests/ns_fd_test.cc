#include "linuxns/ns_fd.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::ForkedReport;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::RunForkedAndReport;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class NsFdTest : public testing::LeakCheckedTest {};

std::string ReadLink(const std::string& path) {
  char buf[256];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

// Forks a child that waits until killed; the caller reaps it.
pid_t ForkSleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

void KillAndWait(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST_F(NsFdTest, OpenCurrentIdentifiesEveryTypeLikeReadlink) {
  for (NsType type : kAllNsTypes) {
    ASSERT_OK_AND_ASSIGN(NsFd ns, NsFd::OpenCurrent(type));
    EXPECT_EQ(ns.type(), type);
    const std::string link = ReadLink(absl::StrCat("/proc/thread-self/ns/", NsTypeName(type)));
    EXPECT_EQ(ns.id().ToString(), link);
    struct stat st;
    ASSERT_EQ(::fstat(ns.get(), &st), 0);
    EXPECT_EQ(ns.id().inode, st.st_ino);
    EXPECT_EQ(ns.id().dev, st.st_dev);
    EXPECT_NE(::fcntl(ns.get(), F_GETFD) & FD_CLOEXEC, 0) << "not close-on-exec";
  }
}

TEST_F(NsFdTest, IdsCompareAndHashByNamespace) {
  ASSERT_OK_AND_ASSIGN(NsFd a, NsFd::OpenCurrent(NsType::kNet));
  ASSERT_OK_AND_ASSIGN(NsFd b, NsFd::OpenPath("/proc/self/ns/net"));
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_EQ(a.id(), b.id());
  EXPECT_NE(a.id(), uts.id());
  absl::flat_hash_set<NsId> set = {a.id(), b.id(), uts.id()};
  EXPECT_EQ(set.size(), 2u);
  std::ostringstream os;
  os << a.id();
  EXPECT_EQ(os.str(), ReadLink("/proc/self/ns/net"));
}

TEST_F(NsFdTest, OpenForChildrenOnlyForPidAndTime) {
  ASSERT_OK_AND_ASSIGN(NsFd pid, NsFd::OpenForChildren(NsType::kPid));
  EXPECT_EQ(pid.id().ToString(), ReadLink("/proc/thread-self/ns/pid_for_children"));
  ASSERT_OK_AND_ASSIGN(NsFd time, NsFd::OpenForChildren(NsType::kTime));
  EXPECT_EQ(time.id().ToString(), ReadLink("/proc/thread-self/ns/time_for_children"));
  EXPECT_THAT(NsFd::OpenForChildren(NsType::kNet),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not net")));
}

TEST_F(NsFdTest, FromPidSeesAChildsNewNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::unshare(CLONE_NEWUTS) != 0) ::_exit(1);
    char c = 'x';
    (void)!::write(pipe_fds[1], &c, 1);
    for (;;) ::pause();
  }
  ::close(pipe_fds[1]);
  char c;
  ASSERT_EQ(::read(pipe_fds[0], &c, 1), 1);
  ::close(pipe_fds[0]);
  absl::StatusOr<NsFd> theirs = NsFd::FromPid(pid, NsType::kUts);
  const std::string link = ReadLink(absl::StrCat("/proc/", pid, "/ns/uts"));
  KillAndWait(pid);
  ASSERT_OK(theirs);
  ASSERT_OK_AND_ASSIGN(NsFd mine, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_NE(theirs->id(), mine.id());
  EXPECT_EQ(theirs->id().ToString(), link);
}

TEST_F(NsFdTest, FromPidOfMissingProcessIsNotFoundWithEsrch) {
  // A pid above pid_max never exists.
  EXPECT_THAT(NsFd::FromPid(INT_MAX - 1, NsType::kNet),
              StatusIs(absl::StatusCode::kNotFound,
                       absl::StrCat("pidfd_open ", INT_MAX - 1, ": No such process")));
  EXPECT_THAT(NsFd::FromPid(INT_MAX - 1, NsType::kNet), ErrnoIs(ESRCH));
}

TEST_F(NsFdTest, FromPidFdOfExitedProcessIsNotFound) {
  pid_t pid = ForkSleeper();
  ASSERT_OK_AND_ASSIGN(PidFd proc, PidFd::Open(pid));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_OK_AND_ASSIGN(bool exited, proc.WaitForExit(absl::InfiniteDuration()));
  ASSERT_TRUE(exited);
  // A zombie now: its namespaces are gone although the pid is still taken.
  EXPECT_THAT(NsFd::FromPidFd(proc, NsType::kNet),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("has exited")));
  ::waitpid(pid, nullptr, 0);
  // Reaped: the pid may be reused, the pidfd still speaks of the dead one.
  EXPECT_THAT(NsFd::FromPidFd(proc, NsType::kNet), ErrnoIs(ESRCH));
}

TEST_F(NsFdTest, FromPidFdOfEmptyHandleIsFailedPrecondition) {
  EXPECT_THAT(NsFd::FromPidFd(PidFd(), NsType::kNet),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(NsFdTest, NonDumpableProcessIsPermissionDeniedWithHint) {
  // As an unprivileged user, the namespaces of a non-dumpable process of the
  // same user cannot be opened (ptrace read access is refused).
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    int ready[2];
    if (::pipe(ready) != 0) return 3;
    pid_t target = ::fork();
    if (target == 0) {
      ::prctl(PR_SET_DUMPABLE, 0);
      (void)!::write(ready[1], "x", 1);
      for (;;) ::pause();
    }
    char c;
    if (::read(ready[0], &c, 1) != 1) return 4;
    absl::StatusOr<NsFd> ns = NsFd::FromPid(target, NsType::kNet);
    ::kill(target, SIGKILL);
    ::waitpid(target, nullptr, 0);
    if (ns.ok()) return 5;
    if (ns.status().code() != absl::StatusCode::kPermissionDenied) {
      std::fprintf(stderr, "%s\n", ns.status().ToString().c_str());
      return 6;
    }
    if (ns.status().message().find("not dumpable") == absl::string_view::npos) return 7;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NsFdTest, OpenPathOfWrongTypeNamesBothTypes) {
  EXPECT_THAT(NsFd::OpenPath("/proc/self/ns/uts", NsType::kNet),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "/proc/self/ns/uts is a uts namespace, not a net namespace"));
}

TEST_F(NsFdTest, OpenPathOfRegularFileSaysWhatItIs) {
  const std::string file = scratch() + "/plain";
  std::ofstream(file) << "x";
  EXPECT_THAT(NsFd::OpenPath(file),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       file + " is not a namespace file (it is a regular file)"));
  EXPECT_THAT(NsFd::OpenPath(scratch()),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       scratch() + " is not a namespace file (it is a directory)"));
  EXPECT_THAT(NsFd::OpenPath("/dev/null"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    HasSubstr("(it is a character device)")));
}

TEST_F(NsFdTest, OpenPathOfFifoDoesNotBlock) {
  const std::string fifo = scratch() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_THAT(NsFd::OpenPath(fifo),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("(it is a FIFO)")));
}

// A check by path followed by an open by path would open whatever was swapped
// in between. Here the path flips between a namespace file and a FIFO whose
// writer waits in open(2): any open of the FIFO, even a non-blocking one,
// lets that writer go. OpenPath() looks at what it opened without opening it
// (O_PATH), so the writer must still be waiting after thousands of flips.
TEST_F(NsFdTest, OpenPathNeverOpensWhatWasSwappedInAfterItsCheck) {
  const std::string fifo = scratch() + "/fifo";
  const std::string path = scratch() + "/flipping";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ASSERT_EQ(::symlink(fifo.c_str(), path.c_str()), 0);
  std::atomic<bool> writer_let_go{false};
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // waits for a reader
    writer_let_go = true;
    if (fd >= 0) ::close(fd);
  });
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    const std::string next = scratch() + "/next";
    for (int i = 0; !stop; ++i) {
      const char* target = (i % 2 == 0) ? "/proc/self/ns/uts" : fifo.c_str();
      if (::symlink(target, next.c_str()) != 0 || ::rename(next.c_str(), path.c_str()) != 0) return;
    }
  });
  int namespaces = 0;
  int fifos = 0;
  for (int i = 0; i < 20000 && !writer_let_go; ++i) {
    absl::StatusOr<NsFd> ns = NsFd::OpenPath(path);
    if (ns.ok()) {
      ++namespaces;
      EXPECT_EQ(ns->type(), NsType::kUts);
    } else {
      ++fifos;
      EXPECT_THAT(ns.status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("FIFO")));
    }
  }
  stop = true;
  flipper.join();
  const bool let_go = writer_let_go;
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // frees the writer
  writer.join();
  if (reader >= 0) ::close(reader);
  EXPECT_FALSE(let_go) << "OpenPath() opened the FIFO after " << namespaces << " namespaces and "
                       << fifos << " FIFOs";
  EXPECT_GT(namespaces, 0);
  EXPECT_GT(fifos, 0);
}

// Without a /proc to reopen through, OpenPath() falls back to opening by path
// and keeps the result only when it is the file it looked at: a pinned
// namespace still opens, and a FIFO is still named without being opened.
TEST_F(NsFdTest, OpenPathWithoutProcStillOpensPinnedNamespacesAndRefusesTheRest) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string pinned = scratch() + "/uts";
  const std::string fifo = scratch() + "/fifo";
  std::ofstream(pinned).put('\n');
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const ForkedReport report = RunForkedAndReport([&]() -> std::string {
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("/proc/self/ns/uts", pinned.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        ::mount("none", "/proc", "tmpfs", 0, nullptr) != 0) {
      return absl::StrCat("setup: ", std::strerror(errno));
    }
    std::string out;
    absl::StatusOr<NsFd> ns = NsFd::OpenPath(pinned, NsType::kUts);
    absl::StrAppend(&out, ns.ok() ? NsTypeName(ns->type()) : ns.status().ToString(), "\n");
    absl::StatusOr<NsFd> not_ns = NsFd::OpenPath(fifo);
    absl::StrAppend(&out, not_ns.status().ToString(), "\n");
    return out;
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(report.text, absl::StrCat("uts\nINVALID_ARGUMENT: ", fifo,
                                      " is not a namespace file (it is a FIFO)\n"));
}

TEST_F(NsFdTest, OpenPathOfMissingFileIsNotFoundWithEnoent) {
  const std::string missing = scratch() + "/missing";
  EXPECT_THAT(NsFd::OpenPath(missing), StatusIs(absl::StatusCode::kNotFound, HasSubstr(missing)));
  EXPECT_THAT(NsFd::OpenPath(missing), ErrnoIs(ENOENT));
}

TEST_F(NsFdTest, AdoptChecksTypeAndClosesOnError) {
  int raw = ::open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  EXPECT_THAT(NsFd::Adopt(UniqueFd(raw), NsType::kPid),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("is a ipc namespace, not a pid namespace")));
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1) << "Adopt() must close the fd on error";
  ASSERT_OK_AND_ASSIGN(NsFd ipc,
                       NsFd::Adopt(UniqueFd(::open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC))));
  EXPECT_EQ(ipc.type(), NsType::kIpc);
}

TEST_F(NsFdTest, DupRefersToTheSameNamespace) {
  ASSERT_OK_AND_ASSIGN(NsFd a, NsFd::OpenCurrent(NsType::kCgroup));
  ASSERT_OK_AND_ASSIGN(NsFd b, a.Dup());
  EXPECT_NE(a.get(), b.get());
  EXPECT_EQ(a.id(), b.id());
}

TEST_F(NsFdTest, ParentOfNewPidNamespaceIsOurs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kPid}));
  ASSERT_OK_AND_ASSIGN(NsFd parent, ns.Find(NsType::kPid)->Parent());
  ASSERT_OK_AND_ASSIGN(NsFd mine, NsFd::OpenCurrent(NsType::kPid));
  EXPECT_EQ(parent.id(), mine.id());
  EXPECT_EQ(parent.type(), NsType::kPid);
}

TEST_F(NsFdTest, ParentOfNonHierarchicalTypeIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(NsFd net, NsFd::OpenCurrent(NsType::kNet));
  EXPECT_THAT(net.Parent(), StatusIs(absl::StatusCode::kInvalidArgument,
                                     HasSubstr("only pid and user namespaces")));
  EXPECT_THAT(net.Parent(), ErrnoIs(EINVAL));
}

TEST_F(NsFdTest, ParentOfInitialUserNamespaceIsOutOfReach) {
  ASSERT_OK_AND_ASSIGN(NsFd user, NsFd::OpenCurrent(NsType::kUser));
  ASSERT_OK_AND_ASSIGN(NsFd initial, NsFd::OpenPath("/proc/self/ns/user"));
  EXPECT_EQ(user.id(), initial.id());
  // Whether we are in the initial user namespace or not, walking up ends with
  // EPERM at the edge of what the caller may see.
  absl::StatusOr<NsFd> up = user.Parent();
  for (int i = 0; i < 40 && up.ok(); ++i) up = up->Parent();
  EXPECT_THAT(up, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("outside")));
  EXPECT_THAT(up, ErrnoIs(EPERM));
}

TEST_F(NsFdTest, OwnerOfNewUserNamespaceIsTheCreator) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser, NsType::kUts}));
  const NsFd& user = *ns.Find(NsType::kUser);
  ASSERT_OK_AND_ASSIGN(uid_t owner, user.OwnerUid());
  EXPECT_EQ(owner, ::geteuid());
  ASSERT_OK_AND_ASSIGN(NsFd uts_owner, ns.Find(NsType::kUts)->OwningUserNs());
  EXPECT_EQ(uts_owner.id(), user.id());
  ASSERT_OK_AND_ASSIGN(NsFd user_parent, user.Parent());
  ASSERT_OK_AND_ASSIGN(NsFd mine, NsFd::OpenCurrent(NsType::kUser));
  EXPECT_EQ(user_parent.id(), mine.id());
  EXPECT_THAT(ns.Find(NsType::kUts)->OwnerUid(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("only user namespaces have an owner uid")));
}

TEST_F(NsFdTest, EnterOwnMountNamespaceKeepsWorkingDirectory) {
  std::string cwd_after;
  absl::Status entered;
  std::thread([&] {
    ASSERT_EQ(::unshare(CLONE_FS), 0);
    ASSERT_EQ(::chdir(scratch().c_str()), 0);
    absl::StatusOr<NsFd> mnt = NsFd::OpenCurrent(NsType::kMnt);
    ASSERT_OK(mnt);
    entered = mnt->Enter();
    cwd_after = std::filesystem::current_path().string();
  }).join();
  EXPECT_OK(entered);
  EXPECT_EQ(cwd_after, scratch()) << "setns into our own mount namespace reset cwd";
}

TEST_F(NsFdTest, EnterOwnUserNamespaceIsNoOp) {
  ASSERT_OK_AND_ASSIGN(NsFd user, NsFd::OpenCurrent(NsType::kUser));
  testing::ExtraThread extra;  // even multi-threaded: nothing to do
  EXPECT_OK(user.Enter());
}

TEST_F(NsFdTest, EnterUserNamespaceWhenMultiThreadedIsFailedPrecondition) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}));
  testing::ExtraThread extra;
  absl::Status status = ns.Find(NsType::kUser)->Enter();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("only a single-threaded process can enter a "
                                         "user namespace")));
  EXPECT_THAT(status, ErrnoIs(EINVAL));
}

TEST_F(NsFdTest, EnterTimeNamespaceWhenMultiThreadedIsEusers) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kTime}));
  testing::ExtraThread extra;
  absl::Status status = ns.Find(NsType::kTime)->Enter();
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("time namespace")));
  EXPECT_THAT(status, ErrnoIs(EUSERS));
}

TEST_F(NsFdTest, EnterMountNamespaceWithoutOwnFsContextIsExplained) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kMnt}));
  absl::Status status;
  // A new thread shares the process's fs context: the kernel says EINVAL.
  std::thread([&] { status = ns.Find(NsType::kMnt)->Enter(); }).join();
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("unshare(CLONE_FS)")));
  EXPECT_THAT(status, ErrnoIs(EINVAL));
}

TEST_F(NsFdTest, EnterUserNamespaceSingleThreadedWorks) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}));
  const NsId want = ns.Find(NsType::kUser)->id();
  int code = testing::RunInForkedChild([&] {
    // The forked child has one thread.
    absl::StatusOr<NsFd> user = NsFd::FromPid(::getpid(), NsType::kUser);
    if (!user.ok()) return 2;
    absl::StatusOr<NsFd> target = ns.Find(NsType::kUser)->Dup();
    if (!target.ok() || !target->Enter().ok()) return 3;
    absl::StatusOr<NsFd> now = NsFd::OpenCurrent(NsType::kUser);
    if (!now.ok() || now->id() != want) return 4;
    if (::getuid() != 0) return 5;        // mapped to root by default
    return target->Enter().ok() ? 0 : 6;  // again: a no-op
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NsFdTest, EnterWithoutPrivilegeIsPermissionDenied) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
  int code = testing::RunInForkedChild([&] {
    if (!testing::DropToNobody()) return 2;
    absl::Status status = ns.Find(NsType::kUts)->Enter();
    if (status.code() != absl::StatusCode::kPermissionDenied) return 3;
    if (ErrnoOf(status) != EPERM) return 4;
    return status.message().find("CAP_SYS_ADMIN") != absl::string_view::npos ? 0 : 5;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace linuxns

#include "linuxns/ns_entry.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif

// Fault injection for allocation failures: while the flag is set, operator new
// throws std::bad_alloc on every thread but the one whose id it holds (or on
// every thread, for -1).
namespace {
std::atomic<pid_t> only_thread_that_may_allocate{0};
}  // namespace

// GCC 12 at -O3 inlines these into their callers and then takes the free()
// of a pointer from this operator new for a mismatch: both ends are malloc's.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  const pid_t only = only_thread_that_may_allocate.load(std::memory_order_relaxed);
  if (only != 0 && ::gettid() != only) throw std::bad_alloc();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*size*/) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class NsEntryTest : public testing::LeakCheckedTest {
 protected:
  void SetUp() override {
    testing::LeakCheckedTest::SetUp();
    if (!testing::IsRoot()) GTEST_SKIP() << "needs root to create and enter namespaces";
    absl::StatusOr<Namespace> ns =
        Namespace::Create({NsType::kNet, NsType::kUts, NsType::kIpc, NsType::kCgroup, NsType::kMnt,
                           NsType::kPid, NsType::kUser, NsType::kTime});
    ASSERT_OK(ns);
    ns_.emplace(std::move(*ns));
  }
  void TearDown() override {
    ns_.reset();
    testing::LeakCheckedTest::TearDown();
  }
  const NsFd* Get(NsType type) const { return ns_->Find(type); }
  static NsId Current(NsType type) { return NsFd::OpenCurrent(type)->id(); }

  std::optional<Namespace> ns_;
};

std::string Hostname() {
  char name[65] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

TEST_F(NsEntryTest, SocketOpenedInsideBelongsToTheOtherNetworkNamespace) {
  const NsId home = Current(NsType::kNet);
  absl::StatusOr<int> sock = RunInNamespacesHere(
      {Get(NsType::kNet)}, [] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
  ASSERT_OK(sock);
  ASSERT_GE(*sock, 0);
  UniqueFd owned(*sock);
  EXPECT_EQ(Current(NsType::kNet), home) << "the calling thread was not restored";
  ASSERT_OK_AND_ASSIGN(NsFd sock_ns, NsFd::Adopt(UniqueFd(::ioctl(owned.get(), SIOCGSKNS))));
  EXPECT_EQ(sock_ns.id(), Get(NsType::kNet)->id());
  // The socket works from the main thread: bind it to the other namespace's
  // loopback address (its lo is down, so only the bind is checked).
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  EXPECT_EQ(::bind(owned.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
}

TEST_F(NsEntryTest, HereEntersSeveralTypesAndRestoresAll) {
  const NsTypeSet types = {NsType::kNet, NsType::kUts, NsType::kIpc, NsType::kCgroup};
  std::vector<NsId> before;
  for (NsType t : types) before.push_back(Current(t));
  ASSERT_OK_AND_ASSIGN(
      std::vector<NsId> inside,
      RunInNamespacesHere(
          {Get(NsType::kNet), Get(NsType::kUts), Get(NsType::kIpc), Get(NsType::kCgroup)}, [&] {
            std::vector<NsId> ids;
            for (NsType t : types) ids.push_back(Current(t));
            return ids;
          }));
  std::size_t i = 0;
  for (NsType t : types) {
    EXPECT_EQ(inside[i], Get(t)->id()) << t;
    EXPECT_EQ(Current(t), before[i]) << t << " not restored";
    ++i;
  }
}

TEST_F(NsEntryTest, HostnameChangeStaysInside) {
  const std::string host = Hostname();
  ASSERT_OK(
      RunInNamespacesHere({Get(NsType::kUts)}, [] { ASSERT_EQ(::sethostname("inside", 6), 0); }));
  EXPECT_EQ(Hostname(), host);
  ASSERT_OK_AND_ASSIGN(std::string inside,
                       RunInNamespacesHere({Get(NsType::kUts)}, [] { return Hostname(); }));
  EXPECT_EQ(inside, "inside");
}

TEST_F(NsEntryTest, ResultTypesFollowTheFunction) {
  absl::Status from_void = RunInNamespacesHere({Get(NsType::kUts)}, [] {});
  EXPECT_OK(from_void);
  absl::Status from_status =
      RunInNamespacesHere({Get(NsType::kUts)}, [] { return absl::NotFoundError("inner"); });
  EXPECT_THAT(from_status, StatusIs(absl::StatusCode::kNotFound, "inner"));
  absl::StatusOr<int> from_statusor =
      RunInNamespacesHere({Get(NsType::kUts)}, []() -> absl::StatusOr<int> { return 7; });
  EXPECT_EQ(*from_statusor, 7);
  absl::StatusOr<int> on_thread = RunInNamespacesOnThread({Get(NsType::kUts)}, [] { return 8; });
  EXPECT_EQ(*on_thread, 8);
  absl::Status on_thread_void = RunInNamespacesOnThread({Get(NsType::kUts)}, [] {});
  EXPECT_OK(on_thread_void);
}

TEST_F(NsEntryTest, HereRejectsTypesAThreadCannotLeave) {
  for (NsType type : {NsType::kMnt, NsType::kPid, NsType::kUser, NsType::kTime}) {
    bool ran = false;
    absl::Status status = RunInNamespacesHere({Get(type)}, [&] { ran = true; });
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr("supports only uts,ipc,net,cgroup")))
        << type;
    EXPECT_FALSE(ran);
  }
}

TEST_F(NsEntryTest, DuplicateOrNullTargetsAreInvalidArgument) {
  NsFd other_net = *NsFd::OpenCurrent(NsType::kNet);
  EXPECT_THAT(RunInNamespacesHere({Get(NsType::kNet), &other_net}, [] {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("two net namespaces")));
  EXPECT_THAT(RunInNamespacesHere({nullptr}, [] {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("null target")));
  EXPECT_THAT(RunInNamespacesOnThread({Get(NsType::kPid), Get(NsType::kPid)}, [] {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("two pid namespaces")));
}

TEST_F(NsEntryTest, PreparedEntryIsReusableOnItsThreadOnly) {
  ASSERT_OK_AND_ASSIGN(ThreadNsEntry entry, ThreadNsEntry::Prepare({Get(NsType::kNet)}));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(NsId inside, entry.Run([] { return Current(NsType::kNet); }));
    EXPECT_EQ(inside, Get(NsType::kNet)->id());
  }
  absl::Status elsewhere;
  std::thread([&] { elsewhere = entry.Run([] {}); }).join();
  EXPECT_THAT(elsewhere,
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("used on thread")));
}

TEST_F(NsEntryTest, ExceptionInsideStillRestoresTheThread) {
  const NsId home = Current(NsType::kNet);
  EXPECT_THROW(
      {
        (void)RunInNamespacesHere({Get(NsType::kNet)},
                                  []() -> int { throw std::runtime_error("boom"); });
      },
      std::runtime_error);
  EXPECT_EQ(Current(NsType::kNet), home);
}

TEST_F(NsEntryTest, FailedEntryRunsNothingAndRestores) {
  const NsId home = Current(NsType::kNet);
  // Without privilege every setns is refused: the first target fails, the
  // function does not run and the thread stays (or is put back) home.
  int code = testing::RunInForkedChild([&] {
    if (!testing::DropToNobody()) return 2;
    bool ran = false;
    absl::Status status =
        RunInNamespacesHere({Get(NsType::kUts), Get(NsType::kNet)}, [&] { ran = true; });
    if (ran) return 3;
    if (status.code() != absl::StatusCode::kPermissionDenied) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      return 4;
    }
    return Current(NsType::kNet) == home ? 0 : 5;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NsEntryTest, OnThreadEntersMountAndPidWithoutTouchingTheCaller) {
  std::vector<NsId> before = {Current(NsType::kMnt), NsFd::OpenForChildren(NsType::kPid)->id(),
                              Current(NsType::kNet)};
  ASSERT_OK_AND_ASSIGN(
      std::vector<NsId> inside,
      RunInNamespacesOnThread({Get(NsType::kMnt), Get(NsType::kPid), Get(NsType::kNet)}, [] {
        return std::vector<NsId>{Current(NsType::kMnt), NsFd::OpenForChildren(NsType::kPid)->id(),
                                 Current(NsType::kNet)};
      }));
  EXPECT_EQ(inside[0], Get(NsType::kMnt)->id());
  EXPECT_EQ(inside[1], Get(NsType::kPid)->id());
  EXPECT_EQ(inside[2], Get(NsType::kNet)->id());
  EXPECT_EQ(Current(NsType::kMnt), before[0]);
  EXPECT_EQ(NsFd::OpenForChildren(NsType::kPid)->id(), before[1]);
  EXPECT_EQ(Current(NsType::kNet), before[2]);
}

// A caller's own exception type, to check that the very object comes back.
struct CallbackError : std::runtime_error {
  CallbackError(const char* what, int error_code) : std::runtime_error(what), code(error_code) {}
  int code;
};

// The threads of this process that are in namespace `id` (of a per-thread
// type), and how many threads it has in all.
struct Tasks {
  int total = 0;
  int inside = 0;
};
Tasks CountTasks(const NsId& id) {
  Tasks tasks;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return tasks;
  while (struct dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    ++tasks.total;
    const std::string path =
        std::string("/proc/self/task/") + e->d_name + "/ns/" + std::string(NsTypeName(id.type));
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && st.st_dev == id.dev && st.st_ino == id.inode) {
      ++tasks.inside;
    }
  }
  ::closedir(dir);
  return tasks;
}

// CountTasks(), once the count is back to `total` threads and none inside, or
// after a second: a joined thread may linger in /proc/self/task for a moment
// (the kernel wakes the joiner before it releases the task).
Tasks CountTasksSettled(const NsId& id, int total) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  Tasks tasks = CountTasks(id);
  while ((tasks.total != total || tasks.inside != 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    tasks = CountTasks(id);
  }
  return tasks;
}

TEST_F(NsEntryTest, OnThreadRethrowsTheFunctionsExceptionOnTheCaller) {
  const NsId mnt = Get(NsType::kMnt)->id();
  const NsId home = Current(NsType::kMnt);
  // A thread made and joined first, so that a runtime's own lasting thread
  // (ThreadSanitizer starts one with the first thread) is in both counts.
  const int alone = CountTasks(mnt).total;
  std::thread([] {}).join();
  const Tasks before = CountTasksSettled(mnt, alone);
  ASSERT_EQ(before.inside, 0);
  bool caught = false;
  try {
    (void)RunInNamespacesOnThread({Get(NsType::kMnt), Get(NsType::kNet)},
                                  []() -> int { throw CallbackError("no route to the moon", 42); });
  } catch (const CallbackError& e) {
    caught = true;
    EXPECT_STREQ(e.what(), "no route to the moon");
    EXPECT_EQ(e.code, 42);
  }
  EXPECT_TRUE(caught) << "no CallbackError reached the caller";
  // The thread ended, and with it its place in the namespaces.
  const Tasks after = CountTasksSettled(mnt, before.total);
  EXPECT_EQ(after.total, before.total);
  EXPECT_EQ(after.inside, 0);
  EXPECT_EQ(Current(NsType::kMnt), home);
  // The process goes on, and so does the form.
  ASSERT_OK_AND_ASSIGN(NsId inside, RunInNamespacesOnThread({Get(NsType::kMnt)},
                                                            [] { return Current(NsType::kMnt); }));
  EXPECT_EQ(inside, mnt);
  EXPECT_EQ(CountTasksSettled(mnt, before.total).inside, 0);
}

TEST_F(NsEntryTest, OnThreadRethrowsAVoidFunctionsException) {
  EXPECT_THROW(RunInNamespacesOnThread({Get(NsType::kUts)}, [] { throw std::logic_error("void"); })
                   .IgnoreError(),
               std::logic_error);
  absl::Status ok = RunInNamespacesOnThread({Get(NsType::kUts)}, [] {});
  EXPECT_OK(ok);
}

TEST_F(NsEntryTest, OnThreadRethrowsTheFunctionsOwnBadAlloc) {
  // Thrown by the function, it is the caller's exception, not linuxns' status.
  EXPECT_THROW(
      (void)RunInNamespacesOnThread({Get(NsType::kNet)}, []() -> int { throw std::bad_alloc(); }),
      std::bad_alloc);
}

TEST_F(NsEntryTest, OnThreadFunctionThatEndsItsThreadIsInternal) {
  absl::StatusOr<int> result =
      RunInNamespacesOnThread({Get(NsType::kUts)}, []() -> int { ::pthread_exit(nullptr); });
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInternal,
                               "RunInNamespacesOnThread: the function ended its thread without "
                               "returning"));
}

// In a forked child, so that a std::terminate (the behaviour before) fails
// the test rather than ending the test binary.
TEST_F(NsEntryTest, OnThreadOutOfMemoryInTheLibraryIsResourceExhausted) {
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    // Without privilege, entering fails, and making that error allocates on
    // the new thread.
    if (!testing::DropToNobody()) return std::string("drop failed");
    bool ran = false;
    only_thread_that_may_allocate = ::gettid();
    absl::Status on_thread = RunInNamespacesOnThread({Get(NsType::kNet)}, [&] { ran = true; });
    // No thread at all may allocate: starting the thread fails on the caller.
    only_thread_that_may_allocate = -1;
    absl::Status on_caller = RunInNamespacesOnThread({Get(NsType::kNet)}, [&] { ran = true; });
    only_thread_that_may_allocate = 0;
    std::string out;
    for (const absl::Status& status : {on_thread, on_caller}) {
      absl::StrAppend(&out, absl::StatusCodeToString(status.code()), ": ", status.message(),
                      " (errno ", ErrnoOf(status).value_or(0), ")\n");
    }
    return out + (ran ? "ran" : "did not run");
  });
  EXPECT_EQ(r.code, 0);
  const std::string line = absl::StrCat(
      "RESOURCE_EXHAUSTED: RunInNamespacesOnThread: out of memory (std::bad_alloc): Cannot "
      "allocate memory (errno ",
      ENOMEM, ")\n");
  EXPECT_EQ(r.text, line + line + "did not run");
}

TEST_F(NsEntryTest, OnThreadRefusesUserAndTime) {
  for (NsType type : {NsType::kUser, NsType::kTime}) {
    bool ran = false;
    absl::Status status = RunInNamespacesOnThread({Get(type)}, [&] { ran = true; });
    EXPECT_THAT(status,
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("single-threaded process")))
        << type;
    EXPECT_FALSE(ran);
  }
}

// The ids of the calling thread's namespaces of every type (pid and time: the
// ones its children get, which is what entering them changes).
std::vector<NsId> ThreadIds() {
  std::vector<NsId> ids;
  for (NsType type : NsTypeSet::All()) {
    ids.push_back(type == NsType::kPid || type == NsType::kTime ? NsFd::OpenForChildren(type)->id()
                                                                : NsFd::OpenCurrent(type)->id());
  }
  return ids;
}

TEST_F(NsEntryTest, HereWithANamespaceEntersItsTypesAndLeavesUserOut) {
  ASSERT_OK_AND_ASSIGN(Namespace ns,
                       Namespace::Create({NsType::kUser, NsType::kNet, NsType::kUts}));
  const std::vector<NsId> home = ThreadIds();
  ASSERT_OK_AND_ASSIGN(std::vector<NsId> inside,
                       RunInNamespacesHere(ns, [] { return ThreadIds(); }));
  std::size_t i = 0;
  for (NsType type : NsTypeSet::All()) {
    if (type == NsType::kNet || type == NsType::kUts) {
      EXPECT_EQ(inside[i], ns.Find(type)->id()) << type;
    } else {
      EXPECT_EQ(inside[i], home[i]) << type << " should have been left alone";
    }
    ++i;
  }
  EXPECT_EQ(ThreadIds(), home) << "the calling thread was not restored";
}

TEST_F(NsEntryTest, HereWithANamespaceHoldingMntOrPidIsInvalidArgument) {
  for (NsType type : {NsType::kMnt, NsType::kPid}) {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet, type}));
    bool ran = false;
    absl::Status status = RunInNamespacesHere(ns, [&] { ran = true; });
    EXPECT_THAT(
        status,
        StatusIs(absl::StatusCode::kInvalidArgument,
                 absl::StrCat("ThreadNsEntry cannot enter the ", ns.Find(type)->id().ToString(),
                              " the Namespace holds: it supports only uts,ipc,net,cgroup "
                              "namespaces; use RunInNamespacesOnThread for mnt and pid, "
                              "or name the types to enter: "
                              "RunInNamespacesHere({ns.Find(NsType::kNet)}, fn)")))
        << type;
    EXPECT_FALSE(ran);
    // Naming the type the function needs works.
    ASSERT_OK_AND_ASSIGN(NsId net, RunInNamespacesHere({ns.Find(NsType::kNet)},
                                                       [] { return Current(NsType::kNet); }));
    EXPECT_EQ(net, ns.Find(NsType::kNet)->id());
  }
}

TEST_F(NsEntryTest, OnThreadWithANamespaceEntersAllButUserAndTime) {
  const std::vector<NsId> home = ThreadIds();
  ASSERT_OK_AND_ASSIGN(std::vector<NsId> inside,
                       RunInNamespacesOnThread(*ns_, [] { return ThreadIds(); }));
  std::size_t i = 0;
  for (NsType type : NsTypeSet::All()) {
    if (type == NsType::kUser || type == NsType::kTime) {
      EXPECT_EQ(inside[i], home[i]) << type << " should have been left alone";
    } else {
      EXPECT_EQ(inside[i], Get(type)->id()) << type;
    }
    ++i;
  }
  EXPECT_EQ(ThreadIds(), home);
}

TEST_F(NsEntryTest, NamespaceOfOnlyUserAndTimeIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser, NsType::kTime}));
  bool ran = false;
  EXPECT_THAT(RunInNamespacesHere(ns, [&] { ran = true; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ThreadNsEntry: the Namespace holds only user,time namespaces, which no "
                       "thread of a multi-threaded process can enter: use a ChildProcess "
                       "(SpawnOptions::join)"));
  EXPECT_THAT(RunInNamespacesOnThread(ns, [&] { ran = true; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("RunInNamespacesOnThread: the Namespace holds only user,time")));
  EXPECT_FALSE(ran);
}

TEST_F(NsEntryTest, EmptyNamespaceIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
  Namespace taken = std::move(ns);
  bool ran = false;
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from Namespace is empty, as documented.
  EXPECT_THAT(RunInNamespacesHere(ns, [&] { ran = true; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "ThreadNsEntry: the Namespace holds no namespace (moved from or released)"));
  EXPECT_THAT(RunInNamespacesOnThread(ns, [&] { ran = true; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "RunInNamespacesOnThread: the Namespace holds no namespace (moved from or "
                       "released)"));
  EXPECT_FALSE(ran);
}

TEST_F(NsEntryTest, EntryPreparedFromANamespaceOutlivesIt) {
  std::optional<Namespace> ns;
  ASSERT_OK_AND_ASSIGN(Namespace created, Namespace::Create({NsType::kUts}));
  ns.emplace(std::move(created));
  const NsId uts = ns->Find(NsType::kUts)->id();
  ASSERT_OK_AND_ASSIGN(ThreadNsEntry entry, ThreadNsEntry::Prepare(*ns));
  ns.reset();
  ASSERT_OK_AND_ASSIGN(NsId inside, entry.Run([] { return Current(NsType::kUts); }));
  EXPECT_EQ(inside, uts);
}

NsId SocketNamespace(const UniqueFd& sock) {
  absl::StatusOr<NsFd> ns = NsFd::Adopt(UniqueFd(::ioctl(sock.get(), SIOCGSKNS)), NsType::kNet);
  return ns.ok() ? ns->id() : NsId{};
}

TEST_F(NsEntryTest, SocketInLivesInTheOtherNetworkNamespaceAndIsCloseOnExec) {
  const NsId home = Current(NsType::kNet);
  ASSERT_OK_AND_ASSIGN(UniqueFd sock, SocketIn(*Get(NsType::kNet), AF_INET, SOCK_DGRAM));
  EXPECT_EQ(Current(NsType::kNet), home) << "the calling thread was not restored";
  EXPECT_EQ(SocketNamespace(sock), Get(NsType::kNet)->id());
  EXPECT_EQ(::fcntl(sock.get(), F_GETFD), FD_CLOEXEC);
  // The Namespace overload, with a type and a flag of its own.
  ASSERT_OK_AND_ASSIGN(UniqueFd stream, SocketIn(*ns_, AF_INET6, SOCK_STREAM | SOCK_NONBLOCK));
  EXPECT_EQ(SocketNamespace(stream), Get(NsType::kNet)->id());
  EXPECT_EQ(::fcntl(stream.get(), F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(::fcntl(stream.get(), F_GETFL) & O_NONBLOCK, O_NONBLOCK);
  EXPECT_EQ(Current(NsType::kNet), home);
}

TEST_F(NsEntryTest, SocketInKeepsTheErrnoAndRestoresTheThread) {
  const NsId home = Current(NsType::kNet);
  const NsFd& net = *Get(NsType::kNet);
  EXPECT_THAT(
      SocketIn(net, 9999, SOCK_DGRAM),
      StatusIs(absl::StatusCode::kUnimplemented,
               absl::StrCat("socket(9999, SOCK_DGRAM|SOCK_CLOEXEC, 0) in ", net.id().ToString(),
                            ": Address family not supported by protocol")));
  EXPECT_THAT(SocketIn(net, 9999, SOCK_DGRAM), ErrnoIs(EAFNOSUPPORT));
  EXPECT_THAT(SocketIn(net, AF_INET, SOCK_STREAM, IPPROTO_UDP), ErrnoIs(EPROTONOSUPPORT));
  EXPECT_EQ(Current(NsType::kNet), home);
}

TEST_F(NsEntryTest, SocketInRefusesWhatIsNotANetworkNamespace) {
  EXPECT_THAT(SocketIn(*Get(NsType::kUts), AF_INET, SOCK_DGRAM),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("SocketIn: ", Get(NsType::kUts)->id().ToString(),
                                    " is not a network namespace")));
  ASSERT_OK_AND_ASSIGN(Namespace uts, Namespace::Create({NsType::kUts}));
  EXPECT_THAT(SocketIn(uts, AF_INET, SOCK_DGRAM),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "SocketIn: the Namespace holds no network namespace (it holds uts)"));
}

TEST_F(NsEntryTest, SocketInOwnNamespaceNeedsNoPrivilegeAndAnotherOneDoes) {
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    if (!testing::DropToNobody()) return std::string("drop failed");
    absl::StatusOr<NsFd> own = NsFd::OpenCurrent(NsType::kNet);
    if (!own.ok()) return own.status().ToString();
    absl::StatusOr<UniqueFd> here = SocketIn(*own, AF_UNIX, SOCK_STREAM);
    absl::StatusOr<UniqueFd> there = SocketIn(*Get(NsType::kNet), AF_UNIX, SOCK_STREAM);
    return absl::StrCat(here.ok() ? "own: ok" : here.status().ToString(), "\n",
                        absl::StatusCodeToString(there.status().code()), ": ",
                        there.status().message(), " (errno ", ErrnoOf(there.status()).value_or(0),
                        ")\n", Current(NsType::kNet) == own->id() ? "home" : "moved");
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text, absl::StrCat("own: ok\nPERMISSION_DENIED: SocketIn: setns into ",
                                 Get(NsType::kNet)->id().ToString(),
                                 ": Operation not permitted (errno ", EPERM, ")\nhome"));
}

TEST_F(NsEntryTest, FdOrErrnoMakesMinusOneAnError) {
  // The trap it closes: a callback returning socket()'s -1 is an OK value.
  absl::StatusOr<int> raw =
      RunInNamespacesHere({Get(NsType::kNet)}, [] { return ::socket(9999, SOCK_DGRAM, 0); });
  ASSERT_OK(raw);
  EXPECT_EQ(*raw, -1);
  absl::StatusOr<UniqueFd> wrapped = RunInNamespacesHere({Get(NsType::kNet)}, [] {
    return FdOrErrno(::socket(9999, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket");
  });
  EXPECT_THAT(wrapped, StatusIs(absl::StatusCode::kUnimplemented,
                                "socket: Address family not supported by protocol"));
  EXPECT_THAT(wrapped, ErrnoIs(EAFNOSUPPORT));
  EXPECT_THAT(FdOrErrno(::dup(-1), "dup"), ErrnoIs(EBADF));
  ASSERT_OK_AND_ASSIGN(UniqueFd null, FdOrErrno(::open("/dev/null", O_RDONLY | O_CLOEXEC), "open"));
  EXPECT_TRUE(null.valid());
  errno = 0;
  EXPECT_THAT(FdOrErrno(-1, "made up"),
              StatusIs(absl::StatusCode::kInternal, "made up returned -1 without an errno"));
}

// A target the thread is in already is skipped: no setns, so an ordinary
// user (no CAP_SYS_ADMIN, which setns wants even to stay) can "enter" its own
// network namespace; another one is still EPERM.
TEST(ThreadNsEntryOwnNamespaceTest, ItsOwnNamespaceNeedsNoPrivilege) {
  testing::ForkedReport r = testing::RunForkedAndReport([]() -> std::string {
    if (::geteuid() == 0 && !testing::DropToNobody()) return "cannot drop privileges";
    absl::StatusOr<NsFd> own = NsFd::OpenCurrent(NsType::kNet);
    if (!own.ok()) return own.status().ToString();
    absl::StatusOr<int> in_own = RunInNamespacesHere({&*own}, [] { return 7; });
    if (!in_own.ok()) return "own: " + in_own.status().ToString();
    return absl::StrCat("own: ", *in_own);
  });
  EXPECT_EQ(r.text, "own: 7");
}

}  // namespace
}  // namespace linuxns

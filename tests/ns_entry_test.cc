#include "linuxns/ns_entry.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/namespace.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif

namespace linuxns {
namespace {

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

}  // namespace
}  // namespace linuxns

#include "linuxns/namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/ns_entry.h"
#include "linuxns/probe.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::HasSubstr;

class NamespaceTest : public testing::LeakCheckedTest {};

// The id of the namespace of `type` that the calling thread is in (for pid,
// the one its children go to).
NsId CurrentId(NsType type) {
  absl::StatusOr<NsFd> fd =
      type == NsType::kPid ? NsFd::OpenForChildren(type) : NsFd::OpenCurrent(type);
  return fd.ok() ? fd->id() : NsId{};
}

bool IsMountPoint(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    if (mount_point == path) return true;
  }
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Root is needed for every type but user on its own.
NsTypeSet Creatable(NsType type) {
  return testing::IsRoot() ? NsTypeSet{type} : NsTypeSet{type, NsType::kUser};
}

class PerTypeTest : public NamespaceTest, public ::testing::WithParamInterface<NsType> {};

TEST_P(PerTypeTest, CreatesANewNamespaceOfTheType) {
  const NsType type = GetParam();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create(Creatable(type)));
  ASSERT_NE(ns.Find(type), nullptr);
  EXPECT_EQ(ns.Find(type)->type(), type);
  EXPECT_NE(ns.Find(type)->id(), CurrentId(type));
  EXPECT_TRUE(ns.types().Contains(type));
  for (NsType other : NsTypeSet::All() - ns.types()) {
    EXPECT_EQ(ns.Find(other), nullptr) << other;
  }
  EXPECT_EQ(ns.init() != nullptr, type == NsType::kPid);
}

TEST_P(PerTypeTest, PinsAndUnpins) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const NsType type = GetParam();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({type}));
  const std::string pin = scratch() + "/pin";
  ASSERT_OK(ns.Pin(type, pin));
  EXPECT_TRUE(IsMountPoint(pin));
  EXPECT_THAT(ns.pinned_paths(), ::testing::ElementsAre(pin));
  ASSERT_OK_AND_ASSIGN(NsFd reopened, NsFd::OpenPath(pin, type));
  EXPECT_EQ(reopened.id(), ns.Find(type)->id());
  ASSERT_OK(ns.Unpin(pin));
  EXPECT_FALSE(IsMountPoint(pin));
  EXPECT_FALSE(std::filesystem::exists(pin)) << "the file Pin() created stays";
  EXPECT_TRUE(ns.pinned_paths().empty());
  // The handle we reopened still keeps the namespace alive.
  EXPECT_EQ(reopened.id(), ns.Find(type)->id());
}

TEST_P(PerTypeTest, CanBeEntered) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const NsType type = GetParam();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({type}));
  const NsFd& target = *ns.Find(type);
  if (type == NsType::kUser || type == NsType::kTime) {
    // Only a single-threaded process can enter these.
    int code = testing::RunInForkedChild([&] {
      if (!target.Enter().ok()) return 2;
      absl::StatusOr<NsFd> now = NsFd::OpenCurrent(type);
      return now.ok() && now->id() == target.id() ? 0 : 3;
    });
    EXPECT_EQ(code, 0);
    return;
  }
  ASSERT_OK_AND_ASSIGN(NsId inside,
                       RunInNamespacesOnThread({&target}, [type] { return CurrentId(type); }));
  EXPECT_EQ(inside, target.id());
  EXPECT_NE(CurrentId(type), target.id()) << "the calling thread moved";
}

INSTANTIATE_TEST_SUITE_P(AllTypes, PerTypeTest, ::testing::ValuesIn(kAllNsTypes),
                         [](const auto& param_info) {
                           return std::string(NsTypeName(param_info.param));
                         });

TEST_F(NamespaceTest, AllTypesAtOnceAreOwnedByTheNewUserNamespace) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create(NsTypeSet::All()));
  const NsId user = ns.Find(NsType::kUser)->id();
  for (NsType type : NsTypeSet::All() - NsTypeSet{NsType::kUser}) {
    ASSERT_OK_AND_ASSIGN(NsFd owner, ns.Find(type)->OwningUserNs());
    EXPECT_EQ(owner.id(), user) << type;
  }
}

TEST_F(NamespaceTest, EmptySetIsInvalidArgument) {
  EXPECT_THAT(Namespace::Create(NsTypeSet()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no namespace type")));
}

// Options imply the namespace they need (the rule SpawnOptions has too).
TEST_F(NamespaceTest, TimeOffsetsImplyATimeNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  NamespaceOptions options;
  options.time_offsets = TimeOffsets{absl::Seconds(5), absl::ZeroDuration()};
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}, options));
  EXPECT_EQ(ns.types(), (NsTypeSet{NsType::kUts, NsType::kTime}));
  ASSERT_OK_AND_ASSIGN(NsFd own, NsFd::OpenCurrent(NsType::kTime));
  ASSERT_NE(ns.Find(NsType::kTime), nullptr);
  EXPECT_NE(ns.Find(NsType::kTime)->id(), own.id());
}

TEST_F(NamespaceTest, UserMappingCurrentUserToRootIsTheDefault) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}));
  const uid_t euid = ::geteuid();
  int code = testing::RunInForkedChild([&] {
    if (!ns.Find(NsType::kUser)->Enter().ok()) return 2;
    if (::getuid() != 0 || ::getgid() != 0) return 3;
    std::string map = ReadFile("/proc/self/uid_map");
    std::istringstream in(map);
    uid_t inner, outer, count;
    in >> inner >> outer >> count;
    if (inner != 0 || outer != euid || count != 1) return 4;
    return ReadFile("/proc/self/setgroups") == "deny\n" ? 0 : 5;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NamespaceTest, UserMappingCurrentUserAndNone) {
  NamespaceOptions same;
  same.user_mapping = UserNsMapping::kCurrentUser;
  ASSERT_OK_AND_ASSIGN(Namespace mapped, Namespace::Create({NsType::kUser}, same));
  NamespaceOptions none;
  none.user_mapping = UserNsMapping::kNone;
  ASSERT_OK_AND_ASSIGN(Namespace unmapped, Namespace::Create({NsType::kUser}, none));
  const uid_t euid = ::geteuid();
  EXPECT_EQ(testing::RunInForkedChild([&] {
              if (!mapped.Find(NsType::kUser)->Enter().ok()) return 2;
              return ::getuid() == euid ? 0 : 3;
            }),
            0);
  EXPECT_EQ(testing::RunInForkedChild([&] {
              if (!unmapped.Find(NsType::kUser)->Enter().ok()) return 2;
              return ::getuid() == 65534 && ReadFile("/proc/self/uid_map").empty() ? 0 : 3;
            }),
            0);
}

TEST_F(NamespaceTest, UnprivilegedUserGetsEveryTypeWithAUserNamespace) {
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    absl::StatusOr<Namespace> ns = Namespace::Create(NsTypeSet::All());
    if (!ns.ok()) {
      std::fprintf(stderr, "%s\n", ns.status().ToString().c_str());
      return 3;
    }
    return ns->types() == NsTypeSet::All() ? 0 : 4;
  });
  EXPECT_EQ(code, 0);
}

// The uid_map of user namespace `user`, read by a child that joins it.
std::string UidMapOf(const NsFd& user) {
  SpawnOptions o;
  o.argv = {"/bin/cat", "/proc/self/uid_map"};
  o.join = {&user};
  o.stdout_mode = Stdio::kPipe;
  absl::StatusOr<ChildProcess> child = ChildProcess::Spawn(o);
  if (!child.ok()) return child.status().ToString();
  UniqueFd out = child->TakeStdout();
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = ::read(out.get(), buf, sizeof buf)) > 0)
    text.append(buf, static_cast<std::size_t>(n));
  static_cast<void>(child->Wait());
  // "         0     100000       1000" -> "0 100000 1000"
  std::istringstream fields(text);
  std::string word, joined;
  while (fields >> word) absl::StrAppend(&joined, joined.empty() ? "" : " ", word);
  return joined;
}

TEST_F(NamespaceTest, ExplicitMapsAreWrittenAsGiven) {
  LINUXNS_SKIP_UNLESS_ROOT();
  NamespaceOptions options;
  ASSERT_OK_AND_ASSIGN(options.uid_map, IdMap::Parse("0 100000 1000"));
  ASSERT_OK_AND_ASSIGN(options.gid_map, IdMap::Parse("0 100000 1000"));
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}, options));
  EXPECT_EQ(UidMapOf(*ns.Find(NsType::kUser)), "0 100000 1000");
}

// An ordinary user's subordinate ids go through newuidmap/newgidmap, as a
// spawned child's do (CI gives nobody 100000:65536 in /etc/subuid and
// /etc/subgid).
TEST_F(NamespaceTest, AnOrdinaryUsersSubordinateRangesGoThroughNewuidmap) {
  LINUXNS_SKIP_UNLESS_ROOT();
  if (!FindHelper("newuidmap") || !FindHelper("newgidmap")) GTEST_SKIP() << "no newuidmap";
  if (ReadFile("/etc/subuid").find("nobody:100000:65536") == std::string::npos ||
      ReadFile("/etc/subgid").find("nobody:100000:65536") == std::string::npos) {
    GTEST_SKIP() << "no nobody:100000:65536 in /etc/subuid and /etc/subgid (.ci/run adds it)";
  }
  testing::ForkedReport r = testing::RunForkedAndReport([] {
    if (!testing::DropToNobody()) return std::string("drop failed");
    NamespaceOptions options;
    options.uid_map = IdMap::Parse("0 65534 1\n1 100000 1000").value();
    options.gid_map = IdMap::Parse("0 65534 1\n1 100000 1000").value();
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kUser}, options);
    if (!ns.ok()) return ns.status().ToString();
    return UidMapOf(*ns->Find(NsType::kUser));
  });
  ASSERT_EQ(r.code, 0) << r.text;
  EXPECT_EQ(r.text, "0 65534 1 1 100000 1000");
}

TEST_F(NamespaceTest, MapsImplyAUserNamespace) {
  NamespaceOptions options;
  options.uid_map = IdMap::Single(0, ::geteuid());
  options.gid_map = IdMap::Single(0, ::getegid());
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}, options));
  EXPECT_EQ(ns.types(), (NsTypeSet{NsType::kUts, NsType::kUser}));
  ASSERT_NE(ns.Find(NsType::kUser), nullptr);
  ASSERT_OK_AND_ASSIGN(NsFd own, NsFd::OpenCurrent(NsType::kUser));
  EXPECT_NE(ns.Find(NsType::kUser)->id(), own.id());
}

TEST_F(NamespaceTest, UnprivilegedWithoutUserNamespaceIsPermissionDeniedWithHint) {
  int code = testing::RunInForkedChild([] {
    if (!testing::DropToNobody()) return 2;
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kNet});
    if (ns.ok()) return 3;
    if (ns.status().code() != absl::StatusCode::kPermissionDenied) return 4;
    if (ErrnoOf(ns.status()) != EPERM) return 5;
    if (ns.status().message() !=
        absl::StrCat("clone with new net namespaces: Operation not permitted (creating a net "
                     "namespace needs CAP_SYS_ADMIN in this process's user namespace, which this "
                     "process (euid ",
                     ::geteuid(),
                     ") does not have: run it as root, or create a user namespace along with it "
                     "(add NsType::kUser, as `unshare --user --map-root-user` does))")) {
      std::fprintf(stderr, "%s\n", std::string(ns.status().message()).c_str());
      return 6;
    }
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NamespaceTest, PidNamespaceInitLivesUntilDestroyed) {
  LINUXNS_SKIP_UNLESS_ROOT();
  std::optional<Namespace> ns;
  {
    ASSERT_OK_AND_ASSIGN(Namespace created, Namespace::Create({NsType::kPid}));
    ns.emplace(std::move(created));
  }
  ASSERT_NE(ns->init(), nullptr);
  const pid_t init_pid = ns->init()->pid();
  ASSERT_OK_AND_ASSIGN(PidFd watcher, PidFd::Open(init_pid));
  ASSERT_OK_AND_ASSIGN(bool exited, watcher.HasExited());
  EXPECT_FALSE(exited);
  // A process created in the namespace is its pid 2.
  int code = testing::RunInForkedChild([&] {
    if (!ns->Find(NsType::kPid)->Enter().ok()) return 2;
    pid_t child = ::fork();
    if (child == 0) ::_exit(::getpid() == 2 ? 0 : 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 3;
  });
  EXPECT_EQ(code, 0);
  ns.reset();
  ASSERT_OK_AND_ASSIGN(exited, watcher.HasExited());
  EXPECT_TRUE(exited);
  EXPECT_FALSE(std::filesystem::exists(absl::StrCat("/proc/", init_pid))) << "init not reaped";
}

TEST_F(NamespaceTest, PidNamespaceInitReapsOrphans) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kPid}));
  const pid_t init = ns.init()->pid();
  const std::string children = absl::StrCat("/proc/", init, "/task/", init, "/children");
  if (!std::filesystem::exists(children)) GTEST_SKIP() << "no " << children;
  // Inside the namespace, pid 2 makes pid 3 and exits: pid 3 is orphaned and
  // goes to the namespace's init. (An orphan whose parent lives outside the
  // namespace, such as pid 2 here, goes to that parent's reaper instead.)
  int code = testing::RunInForkedChild([&] {
    if (!ns.Find(NsType::kPid)->Enter().ok()) return 2;
    pid_t two = ::fork();
    if (two == 0) {
      if (::fork() == 0) {
        ::usleep(200000);
        ::_exit(0);
      }
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(two, &status, 0);
    return 0;
  });
  ASSERT_EQ(code, 0);
  pid_t orphan = 0;
  for (int i = 0; i < 100 && orphan == 0; ++i) {
    std::istringstream(ReadFile(children)) >> orphan;
    if (orphan == 0) ::usleep(1000);
  }
  ASSERT_NE(orphan, 0) << "the orphan was not reparented to the namespace's init";
  const std::string proc = absl::StrCat("/proc/", orphan);
  for (int i = 0; i < 300 && std::filesystem::exists(proc); ++i) ::usleep(10000);
  EXPECT_FALSE(std::filesystem::exists(proc)) << "orphan left as a zombie";
}

TEST_F(NamespaceTest, TimeOffsetsMoveTheClocksInside) {
  LINUXNS_SKIP_UNLESS_ROOT();
  NamespaceOptions options;
  options.time_offsets = TimeOffsets{absl::Seconds(1000), absl::Milliseconds(-500)};
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kTime}, options));
  timespec host{};
  ::clock_gettime(CLOCK_MONOTONIC, &host);
  int code = testing::RunInForkedChild([&] {
    if (!ns.Find(NsType::kTime)->Enter().ok()) return 2;
    timespec inside{};
    ::clock_gettime(CLOCK_MONOTONIC, &inside);
    if (inside.tv_sec < host.tv_sec + 1000) return 3;
    std::istringstream in(ReadFile("/proc/self/timens_offsets"));
    std::string clock1, clock2;
    long long s1, ns1, s2, ns2;
    in >> clock1 >> s1 >> ns1 >> clock2 >> s2 >> ns2;
    if (clock1 != "monotonic" || s1 != 1000 || ns1 != 0) return 4;
    if (clock2 != "boottime" || s2 != -1 || ns2 != 500000000) return 5;
    return 0;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NamespaceTest, ImpossibleTimeOffsetFailsNamingTheStep) {
  LINUXNS_SKIP_UNLESS_ROOT();
  NamespaceOptions options;
  // The kernel refuses offsets that would make a clock negative.
  options.time_offsets = TimeOffsets{absl::Hours(-24 * 365 * 100), absl::ZeroDuration()};
  absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kTime}, options);
  EXPECT_THAT(ns, StatusIs(absl::StatusCode::kOutOfRange,
                           HasSubstr("namespace holder: write /proc/self/timens_offsets")));
  EXPECT_THAT(ns, ErrnoIs(ERANGE));
}

TEST_F(NamespaceTest, PinOnMissingDirectoryIsNotFound) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}));
  const std::string pin = scratch() + "/no/such/dir/pin";
  absl::Status status = ns.Pin(NsType::kUser, pin);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("its directory does not exist")));
  EXPECT_THAT(status, ErrnoIs(ENOENT));
}

TEST_F(NamespaceTest, PinOnDirectoryOrUnheldTypeIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser}));
  EXPECT_THAT(ns.Pin(NsType::kUser, scratch()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a regular file")));
  EXPECT_THAT(ns.Pin(NsType::kNet, scratch() + "/pin"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds no net namespace")));
  EXPECT_FALSE(std::filesystem::exists(scratch() + "/pin"));
  EXPECT_THAT(ns.Unpin(scratch() + "/pin"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(NamespaceTest, PinOntoExistingFileKeepsTheFile) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  const std::string pin = scratch() + "/existing";
  std::ofstream(pin).close();
  ASSERT_OK(ns.Pin(NsType::kNet, pin));
  ASSERT_OK(ns.Unpin(pin));
  EXPECT_TRUE(std::filesystem::exists(pin)) << "Unpin removed a file it did not create";
}

TEST_F(NamespaceTest, MountNamespaceOnSharedMountIsRefusedWithReason) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string dir = scratch() + "/shared";
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  int code = testing::RunInForkedChild([&] {
    // Our own mount namespace, so the shared mount dies with this child.
    if (::unshare(CLONE_NEWNS) != 0) return 2;
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 3;
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, nullptr) != 0) return 4;
    if (::mount(nullptr, dir.c_str(), nullptr, MS_SHARED, nullptr) != 0) return 5;
    absl::StatusOr<Namespace> ns = Namespace::Create({NsType::kMnt, NsType::kUts});
    if (!ns.ok()) return 6;
    const std::string pin = dir + "/pin";
    absl::Status status = ns->Pin(NsType::kMnt, pin);
    if (status.code() != absl::StatusCode::kFailedPrecondition ||
        status.message().find("is a shared mount") == absl::string_view::npos) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      return 7;
    }
    if (std::filesystem::exists(pin)) return 8;  // created, then removed
    // The kernel itself would have said only EINVAL.
    std::ofstream(pin).close();
    const std::string source = absl::StrCat("/proc/self/fd/", ns->Find(NsType::kMnt)->get());
    if (::mount(source.c_str(), pin.c_str(), nullptr, MS_BIND, nullptr) == 0 || errno != EINVAL) {
      return 9;
    }
    // Other types pin fine on a shared mount.
    if (!ns->Pin(NsType::kUts, dir + "/uts").ok()) return 10;
    return ns->Unpin(dir + "/uts").ok() ? 0 : 11;
  });
  EXPECT_EQ(code, 0);
}

TEST_F(NamespaceTest, DestructorUnpins) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string pin = scratch() + "/pin";
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kIpc}));
    ASSERT_OK(ns.Pin(NsType::kIpc, pin));
  }
  EXPECT_FALSE(IsMountPoint(pin));
  EXPECT_FALSE(std::filesystem::exists(pin));
}

TEST_F(NamespaceTest, ReleaseKeepsPinsBeyondTheObject) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string pin = scratch() + "/pin";
  NsId id;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
    id = ns.Find(NsType::kUts)->id();
    ASSERT_OK(ns.Pin(NsType::kUts, pin));
    ns.Release();
    EXPECT_TRUE(ns.types().empty());
    EXPECT_EQ(ns.Find(NsType::kUts), nullptr);
  }
  ASSERT_TRUE(IsMountPoint(pin));
  ASSERT_OK_AND_ASSIGN(NsFd kept, NsFd::OpenPath(pin, NsType::kUts));
  EXPECT_EQ(kept.id(), id);
  ASSERT_EQ(::umount2(pin.c_str(), MNT_DETACH), 0);
}

TEST_F(NamespaceTest, MoveTransfersEverything) {
  ASSERT_OK_AND_ASSIGN(Namespace a, Namespace::Create({NsType::kUser}));
  const NsId id = a.Find(NsType::kUser)->id();
  Namespace b = std::move(a);
  EXPECT_TRUE(a.types().empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(a.Find(NsType::kUser), nullptr);
  ASSERT_NE(b.Find(NsType::kUser), nullptr);
  EXPECT_EQ(b.Find(NsType::kUser)->id(), id);
  ASSERT_OK_AND_ASSIGN(Namespace c, Namespace::Create({NsType::kUser}));
  c = std::move(b);
  EXPECT_EQ(c.Find(NsType::kUser)->id(), id);
}

TEST_F(NamespaceTest, HolderKeepsNoDescriptorOfTheHost) {
  LINUXNS_SKIP_UNLESS_ROOT();
  // A pipe whose write end only we hold: the holder must not keep a copy, or
  // the reader would never see end-of-file.
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);  // deliberately not O_CLOEXEC
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kPid}));
  const std::string fd_dir = absl::StrCat("/proc/", ns.init()->pid(), "/fd");
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fd_dir)) {
    (void)entry;
    ++count;
  }
  EXPECT_EQ(count, 1) << "the holder keeps only its parent's pidfd";
  ::close(pipe_fds[1]);
  char c;
  EXPECT_EQ(::read(pipe_fds[0], &c, 1), 0);
  ::close(pipe_fds[0]);
}

}  // namespace
}  // namespace linuxns

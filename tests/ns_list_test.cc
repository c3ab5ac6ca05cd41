#include "linuxns/ns_list.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/ns_fd.h"
#include "linuxns/pin.h"
#include "linuxns/spawn_options.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Holders are checked with Contains(): a scan running at the same time in
// another process (a parallel test, an lsns) briefly holds a descriptor of
// every namespace it reads through /proc/PID/fd.
class NsListTest : public LeakCheckedTest {};

// The id of /proc/self/ns/<type> (the process's, not this thread's).
NsId SelfNs(NsType type) {
  absl::StatusOr<NsFd> ns = NsFd::OpenPath(absl::StrCat("/proc/self/ns/", NsTypeName(type)), type);
  EXPECT_OK(ns);
  return ns.ok() ? ns->id() : NsId{};
}

const NsInfo* FindOrFail(const NsListing& listing, const NsId& id) {
  const NsInfo* info = listing.Find(id);
  EXPECT_NE(info, nullptr) << id << " is not listed";
  return info;
}

absl::StatusOr<ChildProcess> SpawnSleeper(NsTypeSet types) {
  SpawnOptions options;
  options.argv = {"sleep", "60"};
  options.new_namespaces = types;
  return ChildProcess::Spawn(options);
}

TEST_F(NsListTest, ListsTheNamespacesOfThisProcessWithItsPid) {
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  for (NsType type : kAllNsTypes) {
    const NsInfo* info = FindOrFail(listing, SelfNs(type));
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->id.type, type);
    EXPECT_THAT(info->pids, Contains(::getpid()));
  }
}

TEST_F(NsListTest, RecordsThisProcessCommandParentAndUid) {
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  const NsProcessInfo* me = listing.FindProcess(::getpid());
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(me->pid, ::getpid());
  EXPECT_EQ(me->ppid, ::getppid());
  EXPECT_EQ(me->uid, ::getuid());
  EXPECT_THAT(me->command, HasSubstr("ns_list_test"));
}

TEST_F(NsListTest, PidFilterKeepsExactlyTheProcessNamespaces) {
  NsListOptions options;
  options.pid = ::getpid();
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces(options));
  std::vector<NsId> ids;
  for (const NsInfo& info : listing.namespaces) ids.push_back(info.id);
  ASSERT_EQ(ids.size(), static_cast<size_t>(kNsTypeCount));
  for (NsType type : kAllNsTypes) EXPECT_THAT(ids, Contains(SelfNs(type)));
}

TEST_F(NsListTest, TypeFilterKeepsOnlyThatType) {
  NsListOptions options;
  options.types = {NsType::kUts};
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces(options));
  ASSERT_THAT(listing.namespaces, Not(IsEmpty()));
  for (const NsInfo& info : listing.namespaces) EXPECT_EQ(info.id.type, NsType::kUts);
  EXPECT_NE(listing.Find(SelfNs(NsType::kUts)), nullptr);
}

TEST_F(NsListTest, SortedByInode) {
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  for (size_t i = 1; i < listing.namespaces.size(); ++i) {
    EXPECT_LE(listing.namespaces[i - 1].id.inode, listing.namespaces[i].id.inode);
  }
}

TEST_F(NsListTest, InvalidPidIsInvalidArgument) {
  NsListOptions options;
  options.pid = 0;
  EXPECT_THAT(ListNamespaces(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(NsListTest, UnknownPidGivesAnEmptyList) {
  NsListOptions options;
  options.pid = 0x3ffffff;  // above any pid_max
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces(options));
  EXPECT_THAT(listing.namespaces, IsEmpty());
}

TEST_F(NsListTest, ChildInNewNamespacesIsTheirOnlyProcess) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const NsTypeSet types = {NsType::kUts, NsType::kIpc, NsType::kNet, NsType::kCgroup};
  ASSERT_OK_AND_ASSIGN(ChildProcess child, SpawnSleeper(types));
  AwaitNewImage(child.pid());  // its command line is checked below
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  const NsId user = SelfNs(NsType::kUser);
  for (NsType type : types) {
    ASSERT_OK_AND_ASSIGN(NsFd ns, child.OpenNamespace(type));
    const NsInfo* info = FindOrFail(listing, ns.id());
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->id.type, type);
    EXPECT_THAT(info->pids, ElementsAre(child.pid()));
    EXPECT_EQ(info->lowest_pid(), child.pid());
    EXPECT_EQ(info->owner, user) << type;
    EXPECT_EQ(info->parent, std::nullopt) << type;
  }
  // Its other namespaces are ours, shared with this process.
  ASSERT_OK_AND_ASSIGN(NsFd mnt, child.OpenNamespace(NsType::kMnt));
  const NsInfo* shared = FindOrFail(listing, mnt.id());
  ASSERT_NE(shared, nullptr);
  EXPECT_THAT(shared->pids, Contains(child.pid()));
  EXPECT_THAT(shared->pids, Contains(::getpid()));
  const NsProcessInfo* proc = listing.FindProcess(child.pid());
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->command, "sleep 60");
}

TEST_F(NsListTest, PidNamespaceHasOurPidNamespaceAsParent) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kPid}));
  ASSERT_NE(ns.init(), nullptr);
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  const NsInfo* info = FindOrFail(listing, ns.Find(NsType::kPid)->id());
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->parent, SelfNs(NsType::kPid));
  EXPECT_EQ(info->owner, SelfNs(NsType::kUser));
  EXPECT_THAT(info->pids, Contains(ns.init()->pid()));
  EXPECT_THAT(info->fd_holders, Contains(::getpid()));
}

TEST_F(NsListTest, UserNamespaceHeldByAnFdHasParentOwnerAndCreatorUid) {
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUser, NsType::kUts}));
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  const NsId user = ns.Find(NsType::kUser)->id();
  const NsInfo* info = FindOrFail(listing, user);
  ASSERT_NE(info, nullptr);
  EXPECT_THAT(info->pids, IsEmpty());
  EXPECT_THAT(info->fd_holders, Contains(::getpid()));
  EXPECT_EQ(info->parent, SelfNs(NsType::kUser));
  EXPECT_EQ(info->owner, SelfNs(NsType::kUser));
  EXPECT_EQ(info->owner_uid, ::geteuid());
  // The uts namespace made inside it is owned by it.
  const NsInfo* uts = FindOrFail(listing, ns.Find(NsType::kUts)->id());
  ASSERT_NE(uts, nullptr);
  EXPECT_EQ(uts->owner, user);
  EXPECT_THAT(uts->fd_holders, Contains(::getpid()));
}

// A descriptor that is a namespace when the scan looks at it and a socket
// when it opens it (ENXIO from /proc/PID/fd/N), or a socket and then a
// namespace, is gone, not a failure. The namespace is held by nothing else,
// so that the scan opens the descriptor to learn about it.
TEST_F(NsListTest, ADescriptorThatTurnsIntoASocketMidScanIsSkipped) {
  ASSERT_OK_AND_ASSIGN(Namespace held, Namespace::Create({NsType::kUser, NsType::kNet}));
  const NsFd& net = *held.Find(NsType::kNet);
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(sock.valid());
  const int slot = ::fcntl(net.get(), F_DUPFD_CLOEXEC, 500);
  ASSERT_GE(slot, 500);
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    while (!stop.load()) {
      ::dup3(sock.get(), slot, O_CLOEXEC);
      ::dup3(net.get(), slot, O_CLOEXEC);
    }
  });
  int failures = 0;
  std::string first;
  for (int i = 0; i < 200; ++i) {
    absl::StatusOr<NsListing> listing = ListNamespaces();
    if (!listing.ok() && failures++ == 0) first = listing.status().ToString();
  }
  stop = true;
  swapper.join();
  ::close(slot);
  EXPECT_EQ(failures, 0) << first;
}

TEST_F(NsListTest, NamespaceHeldOnlyByAnFdOfThisProcessIsListed) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  const NsId id = ns.Find(NsType::kNet)->id();
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  const NsInfo* info = FindOrFail(listing, id);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->id.type, NsType::kNet);
  EXPECT_THAT(info->pids, IsEmpty());
  EXPECT_EQ(info->lowest_pid(), std::nullopt);
  EXPECT_THAT(info->fd_holders, Contains(::getpid()));

  // Without the descriptor scan it is not seen.
  NsListOptions no_fds;
  no_fds.scan_fds = false;
  ASSERT_OK_AND_ASSIGN(NsListing without, ListNamespaces(no_fds));
  EXPECT_EQ(without.Find(id), nullptr);
}

TEST_F(NsListTest, NetworkNamespaceHeldOnlyByASocketIsListed) {
  LINUXNS_SKIP_UNLESS_ROOT();
  NsId id;
  UniqueFd sock;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
    id = ns.Find(NsType::kNet)->id();
    ASSERT_OK_AND_ASSIGN(int fd, RunInNamespacesHere({ns.Find(NsType::kNet)}, [] {
                           return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                         }));
    ASSERT_GE(fd, 0);
    sock = UniqueFd(fd);
  }
  ASSERT_OK_AND_ASSIGN(NsListing listing, ListNamespaces());
  const NsInfo* info = FindOrFail(listing, id);
  ASSERT_NE(info, nullptr);
  EXPECT_THAT(info->pids, IsEmpty());
  EXPECT_THAT(info->fd_holders, IsEmpty());
  EXPECT_THAT(info->socket_holders, Contains(::getpid()));
}

TEST_F(NsListTest, PinnedNamespaceListsItsPath) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string path = scratch() + "/uts";
  NsId id;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
    id = ns.Find(NsType::kUts)->id();
    ASSERT_OK(PinNamespace(*ns.Find(NsType::kUts), path));
  }
  absl::StatusOr<NsListing> listing = ListNamespaces();
  absl::Status unpinned = UnpinNamespace(path, /*remove_file=*/true);
  ASSERT_OK(listing);
  ASSERT_OK(unpinned);
  const NsInfo* info = FindOrFail(*listing, id);
  ASSERT_NE(info, nullptr);
  EXPECT_THAT(info->paths, ElementsAre(path));
  EXPECT_THAT(info->pids, IsEmpty());
  EXPECT_THAT(info->fd_holders, IsEmpty());
  EXPECT_EQ(info->owner, SelfNs(NsType::kUser));

  // Once unpinned, it is gone.
  ASSERT_OK_AND_ASSIGN(NsListing after, ListNamespaces());
  EXPECT_EQ(after.Find(id), nullptr);
}

TEST_F(NsListTest, NamespaceWithTwoPinsListsBoth) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string a = scratch() + "/a";
  const std::string b = scratch() + "/b";
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kIpc}));
  ASSERT_OK(PinNamespace(*ns.Find(NsType::kIpc), a));
  ASSERT_OK(PinNamespace(*ns.Find(NsType::kIpc), b));
  absl::StatusOr<NsListing> listing = ListNamespaces();
  EXPECT_OK(UnpinNamespace(a, true));
  EXPECT_OK(UnpinNamespace(b, true));
  ASSERT_OK(listing);
  const NsInfo* info = FindOrFail(*listing, ns.Find(NsType::kIpc)->id());
  ASSERT_NE(info, nullptr);
  EXPECT_THAT(info->paths, ElementsAre(a, b));
}

// mountinfo writes a space as \040, a tab as \011 and a backslash as \134.
TEST_F(NsListTest, PinPathWithBlanksAndBackslashIsListedAsItIs) {
  LINUXNS_SKIP_UNLESS_ROOT();
  const std::string path = scratch() + "/a pin\twith \\134 in it";
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
  ASSERT_OK(PinNamespace(*ns.Find(NsType::kUts), path));
  absl::StatusOr<NsListing> listing = ListNamespaces();
  EXPECT_OK(UnpinNamespace(path, true));
  ASSERT_OK(listing);
  const NsInfo* info = FindOrFail(*listing, ns.Find(NsType::kUts)->id());
  ASSERT_NE(info, nullptr);
  EXPECT_THAT(info->paths, ElementsAre(path));
}

#if defined(__x86_64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
constexpr std::uint32_t kAuditArch = 0;
#endif

// Makes every openat, newfstatat and statx of the calling thread (and of no
// other) wait for the supervisor listening on the returned descriptor.
absl::StatusOr<UniqueFd> TrapPathCallsOfThisThread() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_newfstatat, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_statx, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  // Without TSYNC the filter is this thread's only.
  return FdOrErrno(static_cast<int>(::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                              SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog)),
                   "seccomp");
}

// A process that exits between two reads of its /proc files, its pid taken
// at once by a new process in another uts namespace (clone3 with set_tid),
// must not show up with the namespaces of the new one. The scan is made to
// wait (seccomp user notification) at the first path call after the one
// naming /proc/PID, while the swap is made; then it goes on.
TEST_F(NsListTest, PidReusedMidScanDoesNotMixTwoProcesses) {
  LINUXNS_SKIP_UNLESS_ROOT();
  if (kAuditArch == 0) GTEST_SKIP() << "no seccomp architecture known for this build";
  const pid_t victim = ::fork();
  ASSERT_GE(victim, 0);
  if (victim == 0) {
    for (;;) ::pause();
  }
  const std::string victim_dir = absl::StrCat("/proc/", victim);
  std::promise<int> listener_promise;
  std::future<int> listener_future = listener_promise.get_future();
  UniqueFd done(::eventfd(0, EFD_CLOEXEC));
  ASSERT_TRUE(done.valid());
  absl::StatusOr<NsListing> listing = absl::UnknownError("not run");
  std::thread scanner([&] {
    absl::StatusOr<UniqueFd> listener = TrapPathCallsOfThisThread();
    listener_promise.set_value(listener.ok() ? listener->release() : -1);
    if (listener.ok()) listing = ListNamespaces();
    const std::uint64_t one = 1;
    (void)!::write(done.get(), &one, sizeof one);
  });
  UniqueFd listener(listener_future.get());
  pid_t reused = -1;
  std::string failure;
  bool swapped = false, saw_victim = false;
  while (listener.valid()) {
    pollfd pfds[2] = {{listener.get(), POLLIN, 0}, {done.get(), POLLIN, 0}};
    if (::poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      failure = "poll failed";
      break;
    }
    if (pfds[1].revents != 0) break;
    if ((pfds[0].revents & POLLIN) == 0) continue;
    seccomp_notif req{};
    if (::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) continue;
    // The scanner waits in the call: its path is copied out as a supervisor
    // copies a target's memory (process_vm_readv), not read in place, which
    // ThreadSanitizer would take for a race with the thread that wrote it.
    char path_buf[256] = {};
    iovec local{path_buf, sizeof path_buf - 1};
    iovec remote{reinterpret_cast<void*>(req.data.args[1]), sizeof path_buf - 1};
    const bool has_path =
        req.data.args[1] != 0 && ::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0) > 0;
    const char* path = has_path ? path_buf : nullptr;
    if (!swapped && saw_victim) {
      swapped = true;
      ::kill(victim, SIGKILL);
      ::waitpid(victim, nullptr, 0);
      pid_t tid = victim;
      clone_args args{};
      args.flags = CLONE_NEWUTS;
      args.exit_signal = SIGCHLD;
      args.set_tid = reinterpret_cast<std::uintptr_t>(&tid);
      args.set_tid_size = 1;
      reused = static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
      if (reused == 0) {
        for (;;) ::pause();
      }
      if (reused != victim) failure = absl::StrCat("clone3 with set_tid ", victim, " failed");
    } else if (!saw_victim && path != nullptr && victim_dir == path) {
      saw_victim = true;
    }
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ::ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
  listener.reset();  // a call still waiting fails: the scanner cannot hang
  scanner.join();
  absl::StatusOr<NsFd> reused_uts =
      reused > 0 ? NsFd::FromPid(reused, NsType::kUts) : absl::UnknownError("no process");
  if (reused > 0) {
    ::kill(reused, SIGKILL);
    ::waitpid(reused, nullptr, 0);
  } else {
    ::kill(victim, SIGKILL);
    ::waitpid(victim, nullptr, 0);
  }
  ASSERT_EQ(failure, "");
  ASSERT_TRUE(swapped) << "the scan never read " << victim_dir;
  ASSERT_OK(listing);
  ASSERT_OK(reused_uts);
  const NsInfo* reused_info = listing->Find(reused_uts->id());
  if (reused_info != nullptr) {
    EXPECT_THAT(reused_info->pids, Not(Contains(victim)))
        << "pid " << victim << " is listed in the uts namespace of the process that took its pid";
  }
  // Listed or not, the pid is never in two namespaces of one type.
  int uts_with_victim = 0;
  for (const NsInfo& info : listing->namespaces) {
    if (info.id.type == NsType::kUts && absl::c_linear_search(info.pids, victim)) {
      ++uts_with_victim;
      EXPECT_EQ(info.id, SelfNs(NsType::kUts));
    }
  }
  EXPECT_LE(uts_with_victim, 1);
}

// A process without a command line (a zombie) is named by its comm, of which
// only the final newline is dropped.
TEST_F(NsListTest, ZombieIsNamedByItsWholeComm) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::prctl(PR_SET_NAME, "two\nlines", 0, 0, 0);
    ::_exit(0);
  }
  siginfo_t info{};
  // Wait until it is a zombie, without reaping it.
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
  absl::StatusOr<NsListing> listing = ListNamespaces();
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ASSERT_OK(listing);
  const NsProcessInfo* proc = listing->FindProcess(child);
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->command, "two\nlines");
}

// Whether `a` and `b` list the same namespace the same way; the differences
// in words otherwise.
std::string Differences(const NsInfo& a, const NsInfo& b) {
  std::string out;
  auto id = [](const std::optional<NsId>& ns) { return ns ? ns->ToString() : "none"; };
  if (a.parent != b.parent) absl::StrAppend(&out, " parent ", id(a.parent), " vs ", id(b.parent));
  if (a.owner != b.owner) absl::StrAppend(&out, " owner ", id(a.owner), " vs ", id(b.owner));
  if (a.owner_uid != b.owner_uid) absl::StrAppend(&out, " owner uid differs");
  if (a.pids != b.pids) absl::StrAppend(&out, " pids differ");
  if (a.paths != b.paths) absl::StrAppend(&out, " paths differ");
  return out;
}

// At every descriptor limit, from none left to enough, a scan either fails
// with EMFILE or lists the namespaces of a child exactly as an unlimited scan
// does: a parent, owner or creator uid it could not read is never a missing
// one (which lsns printed as PNS/ONS 0).
TEST_F(NsListTest, DescriptorLimitGivesEmfileOrTheSameListing) {
  ASSERT_OK_AND_ASSIGN(ChildProcess child, SpawnSleeper(NsTypeSet::All()));
  NsListOptions options;
  options.pid = child.pid();
  ASSERT_OK_AND_ASSIGN(NsListing expected, ListNamespaces(options));
  ASSERT_EQ(expected.namespaces.size(), static_cast<size_t>(kNsTypeCount));
  ForkedReport report = RunForkedAndReport([&]() -> std::string {
    // The limit counts descriptor numbers: start at the lowest free one.
    const int lowest = ::dup(0);
    if (lowest < 0) return "dup failed";
    ::close(lowest);
    std::string out;
    bool failed = false, listed = false;
    for (int spare = 0; spare <= 24; ++spare) {
      rlimit rl;
      if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return "getrlimit failed";
      rl.rlim_cur = static_cast<rlim_t>(lowest + spare);  // the soft limit only: it goes up again
      if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) return "setrlimit failed";
      absl::StatusOr<NsListing> listing = ListNamespaces(options);
      if (!listing.ok()) {
        failed = true;
        if (ErrnoOf(listing.status()) != EMFILE) {
          absl::StrAppend(&out, spare, " spare: ", listing.status().ToString(), "\n");
        }
        continue;
      }
      listed = true;
      for (const NsInfo& want : expected.namespaces) {
        const NsInfo* got = listing->Find(want.id);
        if (got == nullptr) {
          absl::StrAppend(&out, spare, " spare: ", want.id.ToString(), " missing\n");
        } else if (std::string diff = Differences(*got, want); !diff.empty()) {
          absl::StrAppend(&out, spare, " spare: ", want.id.ToString(), diff, "\n");
        }
      }
    }
    if (!failed) absl::StrAppend(&out, "no limit made the scan fail\n");
    if (!listed) absl::StrAppend(&out, "no limit let the scan finish\n");
    return out;
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(report.text, "");
}

}  // namespace
}  // namespace linuxns::testing

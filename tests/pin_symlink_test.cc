// Pins never follow a symbolic link, on any component of their path
// (RELIABILITY rule 11; linuxns issue 13). The attacker is uid 65534 owning
// a directory on the path of a pin that root makes: neither a symlinked
// directory nor a last component swapped for a symlink between check and
// mount (renameat2 RENAME_EXCHANGE) may put the mount, or a created file,
// anywhere else. Every target here is a root-owned file of the scratch
// directory, so a mount that goes astray stays under it, where the fixture
// finds and removes it.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/pin.h"
#include "linuxns/status.h"
#include "support/seccomp.h"
#include "support/spawn_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::StatusIs;
using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr uid_t kNobody = 65534;

// The error of a pin (or unpin) at `path` refused for a symbolic link on it.
auto RefusedForASymlink(const std::string& path) {
  return AllOf(StatusIs(absl::StatusCode::kInvalidArgument,
                        AllOf(HasSubstr(path), HasSubstr("must not contain a symbolic link"))),
               ErrnoIs(ELOOP));
}

struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId&) const = default;
};

// What `path` names, without following a last symlink; {0, 0} when nothing.
FileId IdOf(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino};
}

// The calls a pin makes on paths and descriptors (glibc's stat family is
// newfstatat or statx).
const std::vector<long>& PathSyscalls() {
  static const std::vector<long> calls = {
      SYS_openat, SYS_openat2, SYS_newfstatat, SYS_statx, SYS_mount, SYS_umount2, SYS_unlinkat,
#ifdef SYS_open
      SYS_open,   SYS_stat,    SYS_lstat,      SYS_fstat,
#endif
  };
  return calls;
}

// Lets every notified system call go on, and has the swapper exchange the
// two names first at the `swap_at`-th one (counted in `seen`) while armed.
struct Interleaver {
  int listener = -1;
  int commands = -1;  // to the swapper
  int done = -1;      // from the swapper
  std::atomic<int> swap_at{-1};
  std::atomic<int> seen{0};

  bool SwapNow() const {
    char c = 's';
    return ::write(commands, &c, 1) == 1 && ::read(done, &c, 1) == 1;
  }

  void Supervise() {
    for (;;) {
      seccomp_notif req{};
      if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
        if (errno == EINTR || errno == ENOENT) continue;
        return;
      }
      const int at = swap_at.load();
      if (at >= 0 && seen.fetch_add(1) == at) SwapNow();
      seccomp_notif_resp resp{};
      resp.id = req.id;
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      ::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
  }
};

// As root, in a scratch directory that everyone may traverse: user_, a
// directory of uid 65534, and secret_, root's, with the file target_ in it.
class PinSymlinkTest : public testing::LeakCheckedTest {
 protected:
  void SetUp() override {
    testing::LeakCheckedTest::SetUp();
    LINUXNS_SKIP_UNLESS_ROOT();
    ASSERT_EQ(::chmod(scratch().c_str(), 0755), 0);
    user_ = scratch() + "/user";
    secret_ = scratch() + "/secret";
    target_ = secret_ + "/target";
    ASSERT_EQ(::mkdir(user_.c_str(), 0755), 0);
    ASSERT_EQ(::chown(user_.c_str(), kNobody, kNobody), 0);
    ASSERT_EQ(::mkdir(secret_.c_str(), 0755), 0);
    std::ofstream(target_) << "root's own file\n";
    target_id_ = IdOf(target_);
    ASSERT_NE(target_id_, FileId{});
  }

  // A symlink at `link` to `to`, owned by uid 65534 as if that user made it.
  static void UserSymlink(const std::string& to, const std::string& link) {
    ASSERT_EQ(::symlink(to.c_str(), link.c_str()), 0) << link;
    ASSERT_EQ(::lchown(link.c_str(), kNobody, kNobody), 0) << link;
  }

  // The user's regular file `a` and its symlink `b` -> target_.
  void MakeFileAndLink(const std::string& a, const std::string& b) {
    std::ofstream(a).close();
    ASSERT_EQ(::chown(a.c_str(), kNobody, kNobody), 0);
    UserSymlink(target_, b);
  }

  // Forks a process of uid 65534 that exchanges `a` and `b` (renameat2
  // RENAME_EXCHANGE): in a tight loop, or, when `commands` >= 0, once per byte
  // read from it, answering each with a byte on `done`; it ends at EOF.
  static pid_t ForkSwapper(const std::string& a, const std::string& b, int commands = -1,
                           int done = -1) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    const pid_t parent = ::getppid();
    // On a busy machine the swapper must run while root pins, not between.
    ::setpriority(PRIO_PROCESS, 0, -20);
    if (!testing::DropToNobody()) ::_exit(1);
    // After the change of uid, which clears it; it also ends a swapper that
    // holds the write end of a report pipe of its parent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    char c = 0;
    while (commands < 0 || ::read(commands, &c, 1) == 1) {
      // EBUSY while the file is a mount point; keep trying.
      ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
      if (done >= 0 && ::write(done, &c, 1) != 1) break;
    }
    ::_exit(0);
  }

  // Mount points under the scratch directory (none is expected outside it).
  std::string Mounts() const {
    return absl::StrJoin(testing::TakeSnapshot(scratch()).mounts, ", ");
  }

  // The root-owned side is as SetUp() made it: target_ the same file, not a
  // mount point, and nothing else in secret_.
  void ExpectSecretUntouched() const {
    EXPECT_EQ(IdOf(target_), target_id_) << "a mount or another file at " << target_;
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(secret_)) {
      names.push_back(e.path().filename().string());
    }
    EXPECT_EQ(absl::StrJoin(names, " "), "target") << "a file was created in " << secret_;
  }

  // Each of `paths` is refused for a symlink, and nothing was mounted or
  // created anywhere.
  void ExpectPinsRefused(const std::vector<std::string>& paths) const {
    ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
    for (const std::string& path : paths) {
      EXPECT_THAT(PinNamespace(uts, path), RefusedForASymlink(path));
    }
    EXPECT_EQ(Mounts(), "");
    ExpectSecretUntouched();
  }

  std::string user_, secret_, target_;
  FileId target_id_;
};

TEST_F(PinSymlinkTest, DirectoryComponentThatIsASymlinkIsRefused) {
  UserSymlink(secret_, user_ + "/dir");
  // Onto root's existing file, and a new file in root's directory.
  ExpectPinsRefused({user_ + "/dir/target", user_ + "/dir/new"});
}

// Not only a user's link: /var/run -> /run is refused as well.
TEST_F(PinSymlinkTest, AnyDirectorySymlinkIsRefusedEvenRootsOwn) {
  ASSERT_EQ(::symlink("secret", (scratch() + "/alias").c_str()), 0);
  ExpectPinsRefused({scratch() + "/alias/pin"});
}

TEST_F(PinSymlinkTest, LastComponentThatIsASymlinkIsRefused) {
  UserSymlink(target_, user_ + "/link");
  UserSymlink(secret_ + "/new", user_ + "/dangling");
  ExpectPinsRefused({user_ + "/link", user_ + "/dangling"});
}

// Where openat2 is missing (Linux < 5.6) or refused by a seccomp policy, the
// path is walked one component at a time, with the same refusals.
TEST_F(PinSymlinkTest, WithoutOpenat2TheSameSymlinksAreRefused) {
  UserSymlink(secret_, user_ + "/dir");
  UserSymlink(target_, user_ + "/link");
  const std::string own = user_ + "/own";
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    if (!testing::FailSyscalls({SYS_openat2}, ENOSYS)) return std::string("no filter");
    absl::StatusOr<NsFd> uts = NsFd::OpenCurrent(NsType::kUts);
    if (!uts.ok()) return uts.status().ToString();
    std::string out;
    for (const std::string& path : {user_ + "/dir/target", user_ + "/link", own}) {
      absl::StatusOr<bool> pinned = PinNamespace(*uts, path);
      absl::StrAppend(&out, pinned.ok() ? "pinned" : pinned.status().message(), "\n");
    }
    absl::StrAppend(&out, UnpinNamespace(own, /*remove_file=*/true).ToString(), "\n");
    return out;
  });
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.text,
            absl::StrCat("pin uts namespace at ", user_,
                         "/dir/target: a pin path must not contain a symbolic link: Too many "
                         "levels of symbolic links\n",
                         "pin uts namespace at ", user_,
                         "/link: a pin path must not contain a symbolic link: Too many levels "
                         "of symbolic links\n",
                         "pinned\nOK\n"));
  EXPECT_FALSE(std::filesystem::exists(own));
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
}

// The race of the issue: uid 65534 swaps its regular file `a` with its
// symlink `b` -> root's file, as fast as it can, while root pins at `a`. The
// mount goes onto the user's file or nowhere; never onto root's. (The code
// before the fix lost this race about once in 100 to 1000 tries here.)
TEST_F(PinSymlinkTest, SwappingTheLastComponentNeverRedirectsTheMount) {
  constexpr int kTries = 2000;
  // A deep directory makes each path walk longer, and so the window between
  // a check by path and a mount by path wider, as an attacker would.
  std::string dir = user_;
  for (int depth = 0; depth < 64; ++depth) {
    dir += "/d";
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    ASSERT_EQ(::chown(dir.c_str(), kNobody, kNobody), 0);
  }
  const std::string a = dir + "/a";
  const std::string b = dir + "/b";
  MakeFileAndLink(a, b);
  const FileId users_file = IdOf(a);
  const FileId users_link = IdOf(b);
  const pid_t swapper = ForkSwapper(a, b);
  ASSERT_GE(swapper, 0);

  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  int pinned = 0, refused = 0;
  std::string unexpected;
  for (int i = 0; i < kTries && unexpected.empty(); ++i) {
    absl::StatusOr<bool> created = PinNamespace(uts, a);
    if (IdOf(target_) != target_id_) {
      unexpected = absl::StrCat("try ", i, ": root's file was mounted on: ", Mounts());
    } else if (created.ok()) {
      ++pinned;
      // The pin is on the user's file, under whichever name it has now (the
      // kernel refuses to rename a mount point, so that name stays): the one
      // that shows neither the file nor the link any more.
      const FileId at_a = IdOf(a), at_b = IdOf(b);
      const bool on_a = at_a != users_file && at_a != users_link;
      const bool on_b = at_b != users_file && at_b != users_link;
      if (*created || on_a == on_b) {
        unexpected = absl::StrCat("try ", i, ": created ", *created, ", mounts: ", Mounts());
      } else if (absl::Status s = UnpinNamespace(on_a ? a : b, false); !s.ok()) {
        unexpected = s.ToString();
      }
    } else if (created.status().code() == absl::StatusCode::kInvalidArgument) {
      ++refused;  // met the symlink (its exact error: LastComponentThatIsASymlinkIsRefused)
    } else {
      unexpected = absl::StrCat("try ", i, ": ", created.status().ToString());
    }
  }
  ::kill(swapper, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(swapper, &status, 0), swapper);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the swapper stopped early: " << status;

  EXPECT_EQ(unexpected, "");
  EXPECT_EQ(pinned + refused, kTries) << pinned << " pinned, " << refused << " refused";
  // Both sides of the race were seen (a swapper that never ran proves nothing).
  EXPECT_GT(pinned, 0);
  EXPECT_GT(refused, 0);
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
  std::vector<FileId> files = {IdOf(a), IdOf(b)};
  EXPECT_THAT(files, ::testing::Contains(users_file)) << "the user's file is gone";
  std::printf("%d pinned on the user's file, %d refused for a symlink\n", pinned, refused);
}

// The race above, made deterministic: the swap happens just before the k-th
// system call of the pin on a path or descriptor, for every k (seccomp user
// notification stops the pinning thread there). Whatever the interleaving,
// the pin is refused or lands on the user's file.
TEST_F(PinSymlinkTest, SwapBeforeAnySystemCallOfThePinNeverRedirectsIt) {
  const std::string a = user_ + "/a";
  const std::string b = user_ + "/b";
  MakeFileAndLink(a, b);
  const FileId users_file = IdOf(a);
  testing::ForkedReport r = testing::RunForkedAndReport([&] {
    int commands[2], done[2];
    if (::pipe2(commands, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0)
      return std::string("pipe");
    if (ForkSwapper(a, b, commands[0], done[1]) < 0) return std::string("fork");
    Interleaver in;
    in.commands = commands[1];
    in.done = done[0];
    absl::StatusOr<NsFd> uts = NsFd::OpenCurrent(NsType::kUts);
    if (!uts.ok()) return uts.status().ToString();
    // The supervisor exists before the filter, so only this thread stops.
    std::atomic<int> listener{-2};
    std::thread([&] {
      while (listener.load() == -2) std::this_thread::yield();
      in.listener = listener.load();
      if (in.listener >= 0) in.Supervise();
    }).detach();
    const int fd = testing::NotifyOnSyscalls(PathSyscalls());
    listener.store(fd);
    if (fd < 0) return absl::StrCat("no seccomp user notification: ", std::strerror(errno));
    std::string out;
    for (int k = 0; k < 100; ++k) {
      in.seen.store(0);
      in.swap_at.store(k);
      absl::StatusOr<bool> pinned = PinNamespace(*uts, a);
      in.swap_at.store(-1);
      const bool swapped = in.seen.load() > k;
      absl::StrAppend(&out, k, ": ");
      if (IdOf(target_) != target_id_) {
        absl::StrAppend(&out, "root's file was mounted on\n");
        ::umount2(target_.c_str(), MNT_DETACH);
      } else if (pinned.ok()) {
        // On the user's file, under the name it has now.
        const std::string at = IdOf(a) == users_file || std::filesystem::is_symlink(a) ? b : a;
        absl::StrAppend(&out, "pinned at ", at == a ? "a" : "b", " ",
                        UnpinNamespace(at, false).ToString(), "\n");
      } else {
        absl::StrAppend(&out, pinned.status().ToString(), "\n");
      }
      if (!swapped) break;
      if (IdOf(a) != users_file && !in.SwapNow()) return out + "swap back failed";
    }
    return out;
  });
  EXPECT_EQ(r.code, 0);
  if (absl::StartsWith(r.text, "no seccomp")) GTEST_SKIP() << r.text << " (Linux 5.5 is needed)";
  EXPECT_THAT(r.text, Not(HasSubstr("root's file")));
  // Each outcome: refused when the swap came before the file was opened,
  // pinned at the name the user's file has after the swap when it came later,
  // at "a" when it came after the mount.
  EXPECT_THAT(r.text, HasSubstr("a pin path must not contain a symbolic link"));
  EXPECT_THAT(r.text, HasSubstr("pinned at b OK"));
  EXPECT_THAT(r.text, HasSubstr("pinned at a OK"));
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
  std::printf("%s", r.text.c_str());
}

// Unpin resolves the same way: a user who turns a directory of root's pin
// path into a symlink cannot make root unmount or remove another file.
TEST_F(PinSymlinkTest, UnpinThroughASymlinkIsRefused) {
  const std::string root_pin = secret_ + "/pin";
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  ASSERT_OK(PinNamespace(uts, root_pin));
  UserSymlink(secret_, user_ + "/dir");
  UserSymlink(root_pin, user_ + "/link");

  EXPECT_THAT(UnpinNamespace(user_ + "/dir/pin", /*remove_file=*/true),
              RefusedForASymlink(user_ + "/dir/pin"));
  EXPECT_THAT(UnpinNamespace(user_ + "/link", /*remove_file=*/true),
              RefusedForASymlink(user_ + "/link"));
  EXPECT_EQ(Mounts(), root_pin) << "root's pin was unmounted through a symlink";
  EXPECT_TRUE(std::filesystem::is_symlink(user_ + "/link"));
  ASSERT_OK(UnpinNamespace(root_pin, /*remove_file=*/true));
  ExpectSecretUntouched();
}

// Namespace::Pin() and the pins of a spawn (what `unshare --uts=FILE` asks
// for) go through PinNamespace().
TEST_F(PinSymlinkTest, NamespaceAndSpawnPinsRefuseASymlinkedDirectory) {
  UserSymlink(secret_, user_ + "/dir");
  const std::string path = user_ + "/dir/pin";
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kUts}));
    EXPECT_THAT(ns.Pin(NsType::kUts, path), RefusedForASymlink(path));
  }
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.new_namespaces = {NsType::kUts};
  o.pins = {{NsType::kUts, path}};
  EXPECT_THAT(ChildProcess::Spawn(o), RefusedForASymlink(path));
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
}

// The unshare tool of this build, next to this test's directory; empty when
// it was not built.
std::string UnshareTool() {
  const std::filesystem::path tool =
      std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "examples" /
      "unshare";
  return std::filesystem::exists(tool) ? tool.string() : "";
}

TEST_F(PinSymlinkTest, UnshareToolRefusesASymlinkedDirectory) {
  const std::string tool = UnshareTool();
  if (tool.empty()) GTEST_SKIP() << "the unshare tool is not built (target unshare)";
  UserSymlink(secret_, user_ + "/dir");
  const std::string path = user_ + "/dir/pin";
  for (const char* fork : {"", " -f"}) {
    ASSERT_OK_AND_ASSIGN(testing::Output r,
                         testing::RunCapturingStdout(testing::Shell(
                             absl::StrCat("exec ", tool, fork, " --uts=", path, " true 2>&1"))));
    EXPECT_EQ(*r.status, ExitStatus::Exited(1)) << fork;
    // Without -f the tool execs in place: "unshare: exec in place: spawn: ...".
    EXPECT_THAT(r.out, AllOf(StartsWith("unshare: "),
                             EndsWith(absl::StrCat("spawn: pin uts namespace at ", path,
                                                   ": a pin path must not contain a symbolic "
                                                   "link: Too many levels of symbolic links\n"))))
        << fork;
  }
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
}

}  // namespace
}  // namespace linuxns

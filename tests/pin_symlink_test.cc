// Pins never follow a symbolic link, on any component of their path
// (RELIABILITY rule 11; linuxns issue 13). The attacker is uid 65534 owning
// a directory on the path of a pin that root makes: neither a symlinked
// directory nor a last component swapped for a symlink between check and
// mount (renameat2 RENAME_EXCHANGE) may put the mount, or a created file,
// anywhere else. Every target here is a root-owned file of the scratch
// directory, so a mount that goes astray stays under it, where the fixture
// finds and removes it.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

  std::string user_, secret_, target_;
  FileId target_id_;
};

TEST_F(PinSymlinkTest, DirectoryComponentThatIsASymlinkIsRefused) {
  UserSymlink(secret_, user_ + "/dir");
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  // Onto root's existing file, and a new file in root's directory.
  EXPECT_THAT(PinNamespace(uts, user_ + "/dir/target"), RefusedForASymlink(user_ + "/dir/target"));
  EXPECT_THAT(PinNamespace(uts, user_ + "/dir/new"), RefusedForASymlink(user_ + "/dir/new"));
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
}

// Not only a user's link: /var/run -> /run is refused as well.
TEST_F(PinSymlinkTest, AnyDirectorySymlinkIsRefusedEvenRootsOwn) {
  const std::string alias = scratch() + "/alias";
  ASSERT_EQ(::symlink("secret", alias.c_str()), 0);
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_THAT(PinNamespace(uts, alias + "/pin"), RefusedForASymlink(alias + "/pin"));
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
}

TEST_F(PinSymlinkTest, LastComponentThatIsASymlinkIsRefused) {
  UserSymlink(target_, user_ + "/link");
  UserSymlink(secret_ + "/new", user_ + "/dangling");
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_THAT(PinNamespace(uts, user_ + "/link"), RefusedForASymlink(user_ + "/link"));
  EXPECT_THAT(PinNamespace(uts, user_ + "/dangling"), RefusedForASymlink(user_ + "/dangling"));
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
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
// mount goes onto the user's file or nowhere; never onto root's.
TEST_F(PinSymlinkTest, SwappingTheLastComponentNeverRedirectsTheMount) {
  const std::string a = user_ + "/a";
  const std::string b = user_ + "/b";
  std::ofstream(a).close();
  ASSERT_EQ(::chown(a.c_str(), kNobody, kNobody), 0);
  UserSymlink(target_, b);
  const FileId users_file = IdOf(a);

  std::fflush(nullptr);
  const pid_t swapper = ::fork();
  ASSERT_GE(swapper, 0);
  if (swapper == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!testing::DropToNobody()) ::_exit(1);
    // EBUSY while the file is a mount point; keep trying.
    for (;;) ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
  }

  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  int pinned = 0, refused = 0;
  std::string unexpected;
  for (int i = 0; i < 300 && unexpected.empty(); ++i) {
    absl::StatusOr<bool> created = PinNamespace(uts, a);
    const std::string mounts = Mounts();
    if (IdOf(target_) != target_id_ || mounts.find(target_) != std::string::npos) {
      unexpected = absl::StrCat("try ", i, ": root's file was mounted on: ", mounts);
    } else if (created.ok()) {
      ++pinned;
      if (*created) unexpected = absl::StrCat("try ", i, ": a file was created");
      // The pin is on the user's file, under whichever name it has now (the
      // kernel refuses to rename a mount point, so that name stays).
      if (mounts != a && mounts != b) unexpected = absl::StrCat("try ", i, ": mounts: ", mounts);
      const std::string at = mounts == a ? a : b;
      if (absl::Status s = UnpinNamespace(at, false); !s.ok()) unexpected = s.ToString();
    } else if (ErrnoOf(created.status()) == ELOOP) {
      ++refused;
    } else {
      unexpected = absl::StrCat("try ", i, ": ", created.status().ToString());
    }
  }
  ::kill(swapper, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(swapper, &status, 0), swapper);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the swapper stopped early: " << status;

  EXPECT_EQ(unexpected, "");
  EXPECT_EQ(pinned + refused, 300) << pinned << " pinned, " << refused << " refused";
  // Both sides of the race were seen (a swapper that never ran proves nothing).
  EXPECT_GT(pinned, 0);
  EXPECT_GT(refused, 0);
  EXPECT_EQ(Mounts(), "");
  ExpectSecretUntouched();
  std::vector<FileId> files = {IdOf(a), IdOf(b)};
  EXPECT_THAT(files, ::testing::Contains(users_file)) << "the user's file is gone";
  std::printf("%d pinned on the user's file, %d refused for a symlink\n", pinned, refused);
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

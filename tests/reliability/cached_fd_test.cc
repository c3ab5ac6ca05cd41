// Cached descriptors (RELIABILITY.md rule 13): the library keeps the sealed
// memfd of linuxns-init open between init spawns, but a host may close
// descriptors it does not know (closefrom) and reuse their numbers. The
// library must notice, make the memfd again, and never execute or close the
// host's file that now has the old number.
//
// The spawn tests exercise the spawn path's use of the image: BuildSpawn()
// (lib/internal/spawn_plan.cc) takes its copy from InitImageCopy().
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/init_image.h"
#include "linuxns/child_process.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "reliability/reliability_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns {
namespace {

using testing::ErrnoIs;
using testing::Outcome;
using ::testing::SizeIs;
using testing::StatusIs;
using testing::WithNewNamespaces;

class CachedFdTest : public testing::LeakCheckedTest {};

// /bin/true behind linuxns-init, as PID 1 of a new pid namespace.
SpawnOptions InitTrue() {
  SpawnOptions o;
  o.argv = {"/bin/true"};
  o.init = true;
  return WithNewNamespaces(o, {NsType::kPid});
}

// The descriptors of this process that name a linuxns-init memfd.
std::vector<int> InitImageFds() {
  std::vector<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (dirent* e = ::readdir(dir)) {
    int fd = 0;
    if (!absl::SimpleAtoi(e->d_name, &fd) || fd == ::dirfd(dir)) continue;
    char target[256] = {};
    const std::string link = absl::StrCat("/proc/self/fd/", fd);
    if (::readlink(link.c_str(), target, sizeof target - 1) > 0 &&
        absl::StartsWith(target, "/memfd:linuxns-init")) {
      fds.push_back(fd);
    }
  }
  ::closedir(dir);
  return fds;
}

// An impostor: a memfd named and sealed as the library names and seals its
// own, holding /bin/false. Only its identity (st_dev, st_ino) tells it apart.
UniqueFd FakeInitImage() {
  UniqueFd fd(::memfd_create("linuxns-init", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return fd;
  std::ifstream in("/bin/false", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty() ||
      ::write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
      ::fchmod(fd.get(), 0555) != 0 ||
      ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) !=
          0) {
    return UniqueFd();
  }
  return fd;
}

ino_t InodeOf(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

TEST_F(CachedFdTest, InitImageCopyIsACheckedCloseOnExecCopyAtOrAboveMinFd) {
  ASSERT_OK_AND_ASSIGN(UniqueFd high, internal::InitImageCopy(100));
  EXPECT_GE(high.get(), 100);
  EXPECT_EQ(::fcntl(high.get(), F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(::fcntl(high.get(), F_GET_SEALS),
            F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  ASSERT_OK_AND_ASSIGN(UniqueFd low, internal::InitImageCopy(0));
  EXPECT_EQ(InodeOf(low.get()), InodeOf(high.get())) << "one memfd, two copies";
  // The copies are the caller's: closing them leaves the cached one.
  high.reset();
  low.reset();
  EXPECT_THAT(InitImageFds(), SizeIs(1));
}

TEST_F(CachedFdTest, InitImageCopyErrors) {
  EXPECT_THAT(internal::InitImageCopy(-1), StatusIs(absl::StatusCode::kInvalidArgument));
  rlimit limit;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  EXPECT_THAT(internal::InitImageCopy(static_cast<int>(limit.rlim_cur)), ErrnoIs(EINVAL));
  // The cache was not given up for an error of the caller's.
  EXPECT_THAT(InitImageFds(), SizeIs(1));
}

// The host closes the cached memfd (as closefrom() would): the library makes
// a new one.
TEST_F(CachedFdTest, InitImageCopyMakesANewMemfdWhenTheCachedOneWasClosed) {
  ASSERT_OK_AND_ASSIGN(UniqueFd before, internal::InitImageCopy(0));
  const ino_t old_inode = InodeOf(before.get());
  before.reset();
  for (int fd : InitImageFds()) ASSERT_EQ(::close(fd), 0);
  ASSERT_OK_AND_ASSIGN(UniqueFd after, internal::InitImageCopy(0));
  EXPECT_NE(InodeOf(after.get()), old_inode);
  after.reset();
  EXPECT_THAT(InitImageFds(), SizeIs(1));
}

// The host closes the one cached memfd and puts an impostor (FakeInitImage)
// at its number, which `host_file` then holds; `fake_inode` is its inode.
void PutImpostorAtTheCachedNumber(UniqueFd& host_file, ino_t& fake_inode) {
  std::vector<int> cached = InitImageFds();
  ASSERT_THAT(cached, SizeIs(1));
  const int number = cached[0];
  UniqueFd fake = FakeInitImage();
  ASSERT_TRUE(fake) << std::strerror(errno);
  ASSERT_EQ(::close(number), 0);
  ASSERT_EQ(::dup3(fake.get(), number, O_CLOEXEC), number) << std::strerror(errno);
  host_file.reset(number);
  fake_inode = InodeOf(fake.get());
}

// The host reuses the number for an impostor: the library does not hand it
// out, does not close it, and makes its own memfd again.
TEST_F(CachedFdTest, InitImageCopyNeverHandsOutAnotherFileAtTheCachedNumber) {
  ASSERT_OK_AND_ASSIGN(UniqueFd real, internal::InitImageCopy(0));
  const ino_t real_inode = InodeOf(real.get());
  real.reset();
  UniqueFd host_file;
  ino_t fake_inode = 0;
  ASSERT_NO_FATAL_FAILURE(PutImpostorAtTheCachedNumber(host_file, fake_inode));

  ASSERT_OK_AND_ASSIGN(UniqueFd copy, internal::InitImageCopy(0));
  EXPECT_NE(InodeOf(copy.get()), fake_inode);
  EXPECT_NE(InodeOf(copy.get()), real_inode) << "the old memfd is gone: this is a new one";
  EXPECT_EQ(InodeOf(host_file.get()), fake_inode) << "the host's file was left alone";
}

// An init spawn after the host closed the memfd still works.
TEST_F(CachedFdTest, InitSpawnWorksAfterTheHostClosesTheImageMemfd) {
  ASSERT_EQ(Outcome(InitTrue()), "=> exited with code 0");
  std::vector<int> cached = InitImageFds();
  ASSERT_THAT(cached, SizeIs(1));
  ASSERT_EQ(::close(cached[0]), 0);
  EXPECT_EQ(Outcome(InitTrue()), "=> exited with code 0");
  EXPECT_THAT(InitImageFds(), SizeIs(1)) << "made again";
}

// An init spawn after the host put an impostor (/bin/false, named and sealed
// as linuxns-init) at the memfd's number runs the real init, so /bin/true's
// status comes back; the impostor stays open, the host's.
TEST_F(CachedFdTest, InitSpawnRunsTheRealInitWhenTheHostReusesTheNumber) {
  ASSERT_EQ(Outcome(InitTrue()), "=> exited with code 0");
  UniqueFd host_file;
  ino_t fake_inode = 0;
  ASSERT_NO_FATAL_FAILURE(PutImpostorAtTheCachedNumber(host_file, fake_inode));

  EXPECT_EQ(Outcome(InitTrue()), "=> exited with code 0");
  EXPECT_EQ(InodeOf(host_file.get()), fake_inode) << "the host's file was left alone";
  std::vector<int> now = InitImageFds();
  ASSERT_THAT(now, SizeIs(2)) << "the impostor and a new memfd";
  host_file.reset();
}

// closefrom(3) in a fork child, then an init spawn there.
TEST_F(CachedFdTest, InitSpawnWorksAfterTheHostClosesEveryDescriptorItDoesNotKnow) {
  ASSERT_EQ(Outcome(InitTrue()), "=> exited with code 0");
  const int code = testing::RunInForkedChild([] {
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) return 10;
    const std::string outcome = Outcome(InitTrue());
    if (outcome == "=> exited with code 0") return 0;
    std::fprintf(stderr, "after closefrom: %s\n", outcome.c_str());
    return 1;
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace linuxns

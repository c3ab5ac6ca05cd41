// Proof on the running kernel that the maps IdMap accepts (id_map_test holds
// every rule of linuxns/id_map.h) are the maps the kernel takes, and that the
// ones it rejects get EINVAL.
#include <fcntl.h>
#include <sched.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/id_map.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "support/id_map_util.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace {

using ::linuxns::ErrnoError;
using ::linuxns::IdMap;
using ::linuxns::UniqueFd;
using ::linuxns::testing::LongLines;
using ::linuxns::testing::ShortLines;
using ::linuxns::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

// --- The kernel agrees ---

// What the kernel answered to one write() of a map.
struct KernelAnswer {
  ssize_t written = -1;   // write()'s result
  int write_errno = 0;    // errno when written < 0
  std::string map_after;  // the map file's content afterwards, as the kernel prints it
};

// Reads all of `fd` from offset 0.
absl::StatusOr<std::string> ReadAll(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(errno, "read map");
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

// Forks a child that unshares its user namespace and then waits on a pipe.
// The test process (root in the initial namespace) writes `text` to
// /proc/CHILD/`file` in one write() at offset 0 and reads the file back;
// then releases the child and reaps it.
absl::StatusOr<KernelAnswer> AskKernel(absl::string_view file, absl::string_view text) {
  int ready_fds[2];
  if (::pipe2(ready_fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd ready_read(ready_fds[0]);
  UniqueFd ready_write(ready_fds[1]);
  int release_fds[2];
  if (::pipe2(release_fds, O_CLOEXEC) != 0) return ErrnoError(errno, "pipe2");
  UniqueFd release_read(release_fds[0]);
  UniqueFd release_write(release_fds[1]);

  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoError(errno, "fork");
  if (pid == 0) {
    // ---- Child: async-signal-safe calls only, then _exit. ----
    ::close(release_fds[1]);
    const int err = ::unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
    if (::write(ready_fds[1], &err, sizeof err) != sizeof err) ::_exit(2);
    if (err != 0) ::_exit(1);
    char byte;
    while (::read(release_fds[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::_exit(0);
  }
  ready_write.reset();
  release_read.reset();

  // Releases and reaps the child on every path out of this function.
  auto reap = [&release_write, pid]() -> absl::Status {
    release_write.reset();
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return ErrnoError(errno, "waitpid");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return absl::InternalError(absl::StrCat("user namespace child ended with status ", status));
    }
    return absl::OkStatus();
  };

  int child_err = 0;
  ssize_t got = 0;
  do {
    got = ::read(ready_read.get(), &child_err, sizeof child_err);
  } while (got < 0 && errno == EINTR);
  if (got != sizeof child_err) {
    reap().IgnoreError();
    return absl::InternalError("user namespace child sent no answer");
  }
  if (child_err != 0) {
    reap().IgnoreError();
    return ErrnoError(child_err, "unshare(CLONE_NEWUSER) in the child");
  }

  const std::string path = absl::StrCat("/proc/", pid, "/", file);
  KernelAnswer answer;
  {
    UniqueFd map_fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!map_fd) {
      const int err = errno;
      reap().IgnoreError();
      return ErrnoError(err, absl::StrCat("open ", path));
    }
    answer.written = ::write(map_fd.get(), text.data(), text.size());
    answer.write_errno = answer.written < 0 ? errno : 0;
  }
  {
    UniqueFd map_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!map_fd) {
      const int err = errno;
      reap().IgnoreError();
      return ErrnoError(err, absl::StrCat("open ", path));
    }
    absl::StatusOr<std::string> after = ReadAll(map_fd.get());
    if (!after.ok()) {
      reap().IgnoreError();
      return after.status();
    }
    answer.map_after = *std::move(after);
  }
  if (absl::Status reaped = reap(); !reaped.ok()) return reaped;
  return answer;
}

class IdMapKernelTest : public linuxns::testing::LeakCheckedTest {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    LINUXNS_SKIP_UNLESS_ROOT() << " to write the uid_map of another user namespace";
  }

  // Expects the kernel to take `map` in one write(), and to read it back as
  // the same entries. The kernel sorts maps of more than 5 lines
  // (UID_GID_MAP_MAX_BASE_EXTENTS) by INNER, so order is not compared.
  static void ExpectKernelTakes(absl::string_view file, const IdMap& map) {
    const std::string text = map.ToString();
    ASSERT_OK_AND_ASSIGN(KernelAnswer answer, AskKernel(file, text));
    EXPECT_EQ(answer.written, static_cast<ssize_t>(text.size())) << "errno " << answer.write_errno;
    ASSERT_OK_AND_ASSIGN(IdMap after, IdMap::Parse(answer.map_after));
    EXPECT_THAT(after.entries(), UnorderedElementsAreArray(map.entries()));
  }

  // Expects the kernel to answer EINVAL to `text` and leave the map empty.
  static void ExpectKernelRejects(absl::string_view file, absl::string_view text) {
    ASSERT_OK_AND_ASSIGN(KernelAnswer answer, AskKernel(file, text));
    EXPECT_EQ(answer.written, -1);
    EXPECT_EQ(answer.write_errno, EINVAL);
    EXPECT_EQ(answer.map_after, "");
  }
};

TEST_F(IdMapKernelTest, KernelTakesMapsIdMapAccepts) {
  const std::string kAccepted[] = {
      "0 0 1",
      "0 100000 65536",
      "0 1000 1\n1 100000 65536\n",
      "0 100 10\n10 110 10",                // touching, not overlapping
      "0 0 4294967295",                     // the largest COUNT
      "4294967294 4294967294 1",            // the last mappable id on both sides
      ShortLines(340),                      // the most lines
      LongLines(170) + "1000 2000 1234\n",  // exactly 4095 bytes
  };
  for (const std::string& text : kAccepted) {
    SCOPED_TRACE(text.substr(0, 80));
    ASSERT_OK_AND_ASSIGN(IdMap map, IdMap::Parse(text));
    ExpectKernelTakes("uid_map", map);
  }
}

TEST_F(IdMapKernelTest, KernelTakesSingle) {
  ExpectKernelTakes("uid_map", IdMap::Single(0, 65534));
}

TEST_F(IdMapKernelTest, KernelAnswersEinvalToMapsIdMapRejects) {
  const std::string kRejected[] = {
      "0 1000 0",               // count 0
      "0 1000 10\n5 2000 10",   // inner overlap
      "0 1000 10\n100 1009 1",  // outer overlap
      "10 1000 1\n0 2000 100",  // containment
      "4294967295 0 2",         // inner past 2^32
      "0 4294967295 2",         // outer past 2^32
      "-1 0 1",
      "0 +5 1",
      "5x 1000 1",
      "0 1000",
      "0 0 1 1",
      "0 0 1\n\n1 1 1",                      // empty line in the middle
      "0 0 1\n\n",                           // second trailing newline
      ShortLines(341),                       // 341 lines in 3190 bytes
      LongLines(170) + "1000 2000 12345\n",  // 4096 bytes
  };
  for (const std::string& text : kRejected) {
    SCOPED_TRACE(text.substr(0, 80));
    EXPECT_THAT(IdMap::Parse(text), StatusIs(kInvalid));
    ExpectKernelRejects("uid_map", text);
  }
}

TEST_F(IdMapKernelTest, KernelAnswersEinvalToOverlapWrittenRaw) {
  // The raw text, never through IdMap: the kernel's own overlap check.
  ASSERT_THAT(IdMap::Parse("0 1000 10\n5 2000 10"),
              StatusIs(kInvalid, Eq("id map line 2: inner range 5+10 overlaps line 1")));
  ExpectKernelRejects("uid_map", "0 1000 10\n5 2000 10\n");
  ASSERT_THAT(IdMap::Parse("0 1000 10\n100 1009 1"),
              StatusIs(kInvalid, Eq("id map line 2: outer range 1009+1 overlaps line 1")));
  ExpectKernelRejects("uid_map", "0 1000 10\n100 1009 1\n");
}

TEST_F(IdMapKernelTest, GidMapFollowsTheSameRules) {
  ExpectKernelTakes("gid_map", *IdMap::Parse("0 100 10\n10 110 10"));
  ExpectKernelRejects("gid_map", "0 1000 10\n5 2000 10\n");
}

TEST_F(IdMapKernelTest, KernelRejectsRangesCoveringIdMinusOne) {
  // The kernel's rule; IdMap should agree (see
  // RejectsRangesCoveringIdMinusOne).
  for (absl::string_view text : {"4294967295 0 1", "0 4294967295 1", "1 0 4294967295"}) {
    SCOPED_TRACE(text);
    ExpectKernelRejects("uid_map", text);
    EXPECT_THAT(IdMap::Parse(text), StatusIs(kInvalid));
  }
}

TEST_F(IdMapKernelTest, KernelTruncatesOverflowingFieldsThatIdMapRejects) {
  // The kernel parses fields as unsigned long and keeps the low 32 bits, so
  // it takes "4294967296 0 1" as "0 0 1": only the user-space check stops a
  // silently wrong map.
  ASSERT_OK_AND_ASSIGN(KernelAnswer answer, AskKernel("uid_map", "4294967296 0 1\n"));
  EXPECT_EQ(answer.written, 15);
  ASSERT_OK_AND_ASSIGN(IdMap after, IdMap::Parse(answer.map_after));
  EXPECT_EQ(after, IdMap::Single(0, 0)) << answer.map_after;
  EXPECT_THAT(IdMap::Parse("4294967296 0 1"), StatusIs(kInvalid, HasSubstr("INNER")));
}

}  // namespace

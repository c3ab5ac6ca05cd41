// Tests for linuxns/unique_fd.h: ownership, closing and moves.
#include "linuxns/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <type_traits>
#include <utility>

#include "gtest/gtest.h"
#include "support/test_util.h"

namespace {

using ::linuxns::UniqueFd;

static_assert(!std::is_copy_constructible_v<UniqueFd>);
static_assert(!std::is_copy_assignable_v<UniqueFd>);
static_assert(std::is_nothrow_move_constructible_v<UniqueFd>);
static_assert(std::is_nothrow_move_assignable_v<UniqueFd>);
// operator bool is explicit: a UniqueFd must not silently become an int or bool.
static_assert(!std::is_convertible_v<UniqueFd, bool>);
static_assert(!std::is_convertible_v<int, UniqueFd>);

class UniqueFdTest : public linuxns::testing::LeakCheckedTest {
 protected:
  // Opens /dev/null close-on-exec; the caller owns the result.
  static int OpenDevNull() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

  // Returns 0 when `fd` is open, else the errno of fcntl(F_GETFD): EBADF
  // once it has been closed.
  static int FcntlErrno(int fd) { return ::fcntl(fd, F_GETFD) == -1 ? errno : 0; }
};

TEST_F(UniqueFdTest, DefaultIsEmpty) {
  UniqueFd fd;
  EXPECT_FALSE(fd.valid());
  EXPECT_FALSE(fd);
  EXPECT_EQ(fd.get(), -1);
}

TEST_F(UniqueFdTest, NegativeFdGivesEmpty) {
  UniqueFd minus_one(-1);
  EXPECT_FALSE(minus_one.valid());
  EXPECT_EQ(minus_one.get(), -1);

  UniqueFd minus_many(-42);
  EXPECT_FALSE(minus_many.valid());
  EXPECT_EQ(minus_many.get(), -1);
}

TEST_F(UniqueFdTest, TakesOwnershipOfFd) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd fd(raw);
  EXPECT_TRUE(fd.valid());
  EXPECT_TRUE(fd);
  EXPECT_EQ(fd.get(), raw);
  EXPECT_EQ(FcntlErrno(raw), 0);
}

TEST_F(UniqueFdTest, DestructorClosesFd) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  {
    UniqueFd fd(raw);
    EXPECT_EQ(FcntlErrno(raw), 0);
  }
  EXPECT_EQ(FcntlErrno(raw), EBADF);
}

TEST_F(UniqueFdTest, MoveConstructionLeavesSourceEmpty) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd source(raw);
  UniqueFd target(std::move(source));
  EXPECT_FALSE(source.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(source.get(), -1);   // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(target.valid());
  EXPECT_EQ(target.get(), raw);
  EXPECT_EQ(FcntlErrno(raw), 0);
}

TEST_F(UniqueFdTest, MovedFromSourceClosesNothing) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd target;
  {
    UniqueFd source(raw);
    target = std::move(source);
  }
  EXPECT_EQ(FcntlErrno(raw), 0);
  EXPECT_EQ(target.get(), raw);
}

TEST_F(UniqueFdTest, MoveAssignmentLeavesSourceEmptyAndTargetOwning) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd source(raw);
  UniqueFd target;
  target = std::move(source);
  EXPECT_FALSE(source.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(source.get(), -1);   // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(target.valid());
  EXPECT_EQ(target.get(), raw);
}

TEST_F(UniqueFdTest, MoveAssignmentClosesTargetsOldFd) {
  const int old_raw = OpenDevNull();
  ASSERT_GE(old_raw, 0);
  UniqueFd target(old_raw);
  const int new_raw = OpenDevNull();
  ASSERT_GE(new_raw, 0);
  UniqueFd source(new_raw);

  target = std::move(source);
  EXPECT_EQ(FcntlErrno(old_raw), EBADF);
  EXPECT_EQ(FcntlErrno(new_raw), 0);
  EXPECT_EQ(target.get(), new_raw);
}

TEST_F(UniqueFdTest, MoveAssignmentFromEmptyClosesAndEmptiesTarget) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd target(raw);
  target = UniqueFd();
  EXPECT_FALSE(target.valid());
  EXPECT_EQ(FcntlErrno(raw), EBADF);
}

TEST_F(UniqueFdTest, SelfMoveAssignmentKeepsFd) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd fd(raw);
  UniqueFd& alias = fd;  // Through an alias, so the compiler does not object.
  fd = std::move(alias);
  EXPECT_TRUE(fd.valid());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(fd.get(), raw);
  EXPECT_EQ(FcntlErrno(raw), 0);
}

TEST_F(UniqueFdTest, ReleaseGivesUpOwnershipWithoutClosing) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  int released = -1;
  {
    UniqueFd fd(raw);
    released = fd.release();
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(fd.get(), -1);
  }
  EXPECT_EQ(released, raw);
  EXPECT_EQ(FcntlErrno(raw), 0);
  ::close(raw);
}

TEST_F(UniqueFdTest, ReleaseOfEmptyReturnsMinusOne) {
  UniqueFd fd;
  EXPECT_EQ(fd.release(), -1);
  EXPECT_FALSE(fd.valid());
}

TEST_F(UniqueFdTest, ResetClosesOldAndTakesNew) {
  const int old_raw = OpenDevNull();
  ASSERT_GE(old_raw, 0);
  UniqueFd fd(old_raw);
  const int new_raw = OpenDevNull();
  ASSERT_GE(new_raw, 0);

  fd.reset(new_raw);
  EXPECT_EQ(FcntlErrno(old_raw), EBADF);
  EXPECT_EQ(FcntlErrno(new_raw), 0);
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(fd.get(), new_raw);
}

TEST_F(UniqueFdTest, ResetWithoutArgumentClosesAndEmpties) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd fd(raw);
  fd.reset();
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.get(), -1);
  EXPECT_EQ(FcntlErrno(raw), EBADF);
}

TEST_F(UniqueFdTest, ResetWithNegativeFdClosesAndEmpties) {
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  UniqueFd fd(raw);
  fd.reset(-7);
  EXPECT_FALSE(fd.valid());
  EXPECT_EQ(fd.get(), -1);
  EXPECT_EQ(FcntlErrno(raw), EBADF);
}

TEST_F(UniqueFdTest, ResetOnEmptyTakesNew) {
  UniqueFd fd;
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  fd.reset(raw);
  EXPECT_TRUE(fd.valid());
  EXPECT_EQ(fd.get(), raw);
}

TEST_F(UniqueFdTest, OperatorBoolFollowsOwnership) {
  UniqueFd fd;
  EXPECT_FALSE(static_cast<bool>(fd));
  const int raw = OpenDevNull();
  ASSERT_GE(raw, 0);
  fd.reset(raw);
  EXPECT_TRUE(static_cast<bool>(fd));
  fd.reset();
  EXPECT_FALSE(static_cast<bool>(fd));
}

}  // namespace

// Tests for linuxns/status.h: errno-carrying errors, WithContext(), the two
// status macros, and the test matchers that every other test relies on.
#include "linuxns/status.h"

#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace {

using ::linuxns::ErrnoError;
using ::linuxns::ErrnoOf;
using ::linuxns::WithContext;
using ::linuxns::testing::ErrnoIs;
using ::linuxns::testing::IsOk;
using ::linuxns::testing::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

class StatusTest : public linuxns::testing::LeakCheckedTest {};

// --- ErrnoError ---

TEST_F(StatusTest, ErrnoErrorKeepsExactErrno) {
  absl::Status status = ErrnoError(ENOENT, "open /x");
  EXPECT_THAT(ErrnoOf(status), Optional(ENOENT));
  EXPECT_THAT(status, ErrnoIs(ENOENT));
}

TEST_F(StatusTest, ErrnoErrorDerivesCodeFromErrno) {
  struct Case {
    int err;
    absl::StatusCode code;
  };
  const Case kCases[] = {
      {ENOENT, absl::StatusCode::kNotFound},         {ESRCH, absl::StatusCode::kNotFound},
      {EACCES, absl::StatusCode::kPermissionDenied}, {EPERM, absl::StatusCode::kPermissionDenied},
      {EINVAL, absl::StatusCode::kInvalidArgument},  {EEXIST, absl::StatusCode::kAlreadyExists},
      {ENOSYS, absl::StatusCode::kUnimplemented},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.err);
    absl::Status status = ErrnoError(c.err, "call");
    EXPECT_THAT(status, StatusIs(c.code));
    EXPECT_THAT(status, ErrnoIs(c.err));
  }
}

TEST_F(StatusTest, ErrnoErrorMessageIsWhatThenStrerror) {
  EXPECT_THAT(
      ErrnoError(ENOENT, "open /proc/42/ns/net"),
      StatusIs(absl::StatusCode::kNotFound, Eq("open /proc/42/ns/net: No such file or directory")));
  EXPECT_THAT(ErrnoError(EACCES, "setns"),
              StatusIs(absl::StatusCode::kPermissionDenied, Eq("setns: Permission denied")));
}

TEST_F(StatusTest, HintIsAppendedInParentheses) {
  absl::Status status = ErrnoError(EACCES, "open /x", "run as root");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied,
                               Eq("open /x: Permission denied (run as root)")));
  EXPECT_THAT(status, ErrnoIs(EACCES));
}

TEST_F(StatusTest, EmptyHintAddsNothing) {
  absl::Status status = ErrnoError(EACCES, "open /x", "");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kPermissionDenied, Eq("open /x: Permission denied")));
  EXPECT_THAT(status, ErrnoIs(EACCES));
}

TEST_F(StatusTest, ExplicitCodeOverridesDerivedCodeAndKeepsErrno) {
  absl::Status status = ErrnoError(absl::StatusCode::kFailedPrecondition, EINVAL, "setns");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kFailedPrecondition, Eq("setns: Invalid argument")));
  EXPECT_THAT(status, ErrnoIs(EINVAL));
}

// --- ErrnoOf ---

TEST_F(StatusTest, ErrnoOfOkStatusIsNullopt) { EXPECT_EQ(ErrnoOf(absl::OkStatus()), std::nullopt); }

TEST_F(StatusTest, ErrnoOfPlainErrorIsNullopt) {
  EXPECT_EQ(ErrnoOf(absl::NotFoundError("no such thing")), std::nullopt);
}

TEST_F(StatusTest, ErrnoOfIgnoresForeignPayloads) {
  absl::Status status = absl::InternalError("boom");
  status.SetPayload("example.com/other", absl::Cord("2"));
  EXPECT_EQ(ErrnoOf(status), std::nullopt);
}

// --- WithContext ---

TEST_F(StatusTest, WithContextPrefixesMessageAndKeepsCodeAndErrno) {
  absl::Status status = WithContext(ErrnoError(ENOENT, "open /x"), "loading config");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound,
                               Eq("loading config: open /x: No such file or directory")));
  EXPECT_THAT(status, ErrnoIs(ENOENT));
}

TEST_F(StatusTest, WithContextNestsOutermostFirst) {
  absl::Status status = WithContext(WithContext(ErrnoError(ESRCH, "kill 7"), "stop"), "run");
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kNotFound, Eq("run: stop: kill 7: No such process")));
  EXPECT_THAT(status, ErrnoIs(ESRCH));
}

TEST_F(StatusTest, WithContextKeepsEveryPayload) {
  absl::Status original = ErrnoError(EACCES, "open /x");
  original.SetPayload("example.com/extra", absl::Cord("value"));
  absl::Status status = WithContext(original, "ctx");
  EXPECT_THAT(status, ErrnoIs(EACCES));
  auto extra = status.GetPayload("example.com/extra");
  ASSERT_TRUE(extra.has_value());
  EXPECT_EQ(std::string(*extra), "value");
}

TEST_F(StatusTest, WithContextOnPlainErrorAddsNoErrno) {
  absl::Status status = WithContext(absl::InvalidArgumentError("bad"), "parse");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, Eq("parse: bad")));
  EXPECT_EQ(ErrnoOf(status), std::nullopt);
}

TEST_F(StatusTest, WithContextLeavesOkUnchanged) {
  absl::Status status = WithContext(absl::OkStatus(), "ctx");
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status, absl::OkStatus());
}

// --- LINUXNS_RETURN_IF_ERROR ---

TEST_F(StatusTest, ReturnIfErrorReturnsEarlyOnError) {
  int reached_end = 0;
  auto fn = [&reached_end](absl::Status in) -> absl::Status {
    LINUXNS_RETURN_IF_ERROR(in);
    ++reached_end;
    return absl::InternalError("end of function");
  };
  absl::Status status = fn(ErrnoError(ENOENT, "open /x"));
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kNotFound, Eq("open /x: No such file or directory")));
  EXPECT_THAT(status, ErrnoIs(ENOENT));
  EXPECT_EQ(reached_end, 0);
}

TEST_F(StatusTest, ReturnIfErrorContinuesOnOk) {
  int reached_end = 0;
  auto fn = [&reached_end](absl::Status in) -> absl::Status {
    LINUXNS_RETURN_IF_ERROR(in);
    ++reached_end;
    return absl::InternalError("end of function");
  };
  EXPECT_THAT(fn(absl::OkStatus()), StatusIs(absl::StatusCode::kInternal, Eq("end of function")));
  EXPECT_EQ(reached_end, 1);
}

TEST_F(StatusTest, ReturnIfErrorEvaluatesExpressionOnce) {
  int calls = 0;
  auto step = [&calls]() {
    ++calls;
    return absl::OkStatus();
  };
  auto fn = [&step]() -> absl::Status {
    LINUXNS_RETURN_IF_ERROR(step());
    return absl::OkStatus();
  };
  EXPECT_THAT(fn(), IsOk());
  EXPECT_EQ(calls, 1);
}

TEST_F(StatusTest, ReturnIfErrorWorksInFunctionReturningStatusOr) {
  auto fn = [](absl::Status in) -> absl::StatusOr<int> {
    LINUXNS_RETURN_IF_ERROR(in);
    return 42;
  };
  EXPECT_THAT(fn(absl::PermissionDeniedError("no")),
              StatusIs(absl::StatusCode::kPermissionDenied, Eq("no")));
  absl::StatusOr<int> ok = fn(absl::OkStatus());
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(*ok, 42);
}

// --- LINUXNS_ASSIGN_OR_RETURN ---

TEST_F(StatusTest, AssignOrReturnDeclaresAndAssignsOnSuccess) {
  auto twice = [](absl::StatusOr<int> in) -> absl::StatusOr<int> {
    LINUXNS_ASSIGN_OR_RETURN(int value, in);
    return value * 2;
  };
  absl::StatusOr<int> result = twice(21);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(*result, 42);
}

TEST_F(StatusTest, AssignOrReturnAssignsExistingVariableOnSuccess) {
  std::string target = "before";
  auto fn = [&target](absl::StatusOr<std::string> in) -> absl::Status {
    LINUXNS_ASSIGN_OR_RETURN(target, std::move(in));
    return absl::OkStatus();
  };
  EXPECT_THAT(fn(std::string("after")), IsOk());
  EXPECT_EQ(target, "after");
}

TEST_F(StatusTest, AssignOrReturnMovesMoveOnlyValues) {
  auto fn = [](absl::StatusOr<std::unique_ptr<int>> in) -> absl::StatusOr<int> {
    LINUXNS_ASSIGN_OR_RETURN(std::unique_ptr<int> value, std::move(in));
    return *value;
  };
  absl::StatusOr<int> result = fn(std::make_unique<int>(7));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(*result, 7);
}

TEST_F(StatusTest, AssignOrReturnTwiceInOneFunction) {
  auto sum = [](absl::StatusOr<int> a, absl::StatusOr<int> b) -> absl::StatusOr<int> {
    LINUXNS_ASSIGN_OR_RETURN(int x, a);
    LINUXNS_ASSIGN_OR_RETURN(int y, b);
    return x + y;
  };
  absl::StatusOr<int> result = sum(1, 2);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(*result, 3);
  EXPECT_THAT(sum(1, absl::NotFoundError("b missing")),
              StatusIs(absl::StatusCode::kNotFound, Eq("b missing")));
}

TEST_F(StatusTest, AssignOrReturnReturnsStatusOnError) {
  int reached_end = 0;
  auto fn = [&reached_end](absl::StatusOr<int> in) -> absl::Status {
    LINUXNS_ASSIGN_OR_RETURN(int value, in);
    reached_end = value;
    return absl::OkStatus();
  };
  absl::Status status = fn(ErrnoError(EACCES, "open /x"));
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kPermissionDenied, Eq("open /x: Permission denied")));
  EXPECT_THAT(status, ErrnoIs(EACCES));
  EXPECT_EQ(reached_end, 0);
}

TEST_F(StatusTest, AssignOrReturnLeavesExistingVariableOnError) {
  std::string target = "before";
  auto fn = [&target](absl::StatusOr<std::string> in) -> absl::Status {
    LINUXNS_ASSIGN_OR_RETURN(target, std::move(in));
    return absl::OkStatus();
  };
  EXPECT_THAT(fn(absl::UnavailableError("later")),
              StatusIs(absl::StatusCode::kUnavailable, Eq("later")));
  EXPECT_EQ(target, "before");
}

// --- The matchers themselves ---

TEST_F(StatusTest, IsOkAcceptsOkAndRejectsErrors) {
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(1), IsOk());
  EXPECT_THAT(absl::NotFoundError("x"), Not(IsOk()));
  EXPECT_THAT(absl::StatusOr<int>(absl::NotFoundError("x")), Not(IsOk()));
}

TEST_F(StatusTest, StatusIsRejectsWrongCode) {
  absl::Status status = absl::NotFoundError("gone");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(status, Not(StatusIs(absl::StatusCode::kInternal)));
  EXPECT_THAT(status, Not(StatusIs(absl::StatusCode::kOk)));
  EXPECT_THAT(absl::OkStatus(), Not(StatusIs(absl::StatusCode::kNotFound)));
  EXPECT_THAT(absl::StatusOr<int>(status), Not(StatusIs(absl::StatusCode::kInternal)));
}

TEST_F(StatusTest, StatusIsWithMessageRejectsWrongCodeOrMessage) {
  absl::Status status = absl::NotFoundError("gone");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound, Eq("gone")));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kNotFound, HasSubstr("on")));
  EXPECT_THAT(status, Not(StatusIs(absl::StatusCode::kNotFound, Eq("here"))));
  EXPECT_THAT(status, Not(StatusIs(absl::StatusCode::kInternal, Eq("gone"))));
  EXPECT_THAT(absl::StatusOr<int>(status), Not(StatusIs(absl::StatusCode::kNotFound, Eq("here"))));
}

TEST_F(StatusTest, ErrnoIsRejectsOtherErrnoAndMissingErrno) {
  EXPECT_THAT(ErrnoError(ENOENT, "open"), Not(ErrnoIs(EACCES)));
  EXPECT_THAT(absl::NotFoundError("open"), Not(ErrnoIs(ENOENT)));
  EXPECT_THAT(absl::OkStatus(), Not(ErrnoIs(0)));
  EXPECT_THAT(absl::StatusOr<int>(ErrnoError(ENOENT, "open")), ErrnoIs(ENOENT));
  EXPECT_THAT(absl::StatusOr<int>(ErrnoError(ENOENT, "open")), Not(ErrnoIs(EACCES)));
}

TEST_F(StatusTest, MatchersExplainWhatTheyGot) {
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(
      ::testing::ExplainMatchResult(ErrnoIs(EACCES), ErrnoError(ENOENT, "open /x"), &listener));
  EXPECT_THAT(listener.str(), HasSubstr("errno: 2"));
  EXPECT_THAT(listener.str(), HasSubstr("open /x: No such file or directory"));

  ::testing::StringMatchResultListener none;
  EXPECT_FALSE(::testing::ExplainMatchResult(ErrnoIs(ENOENT), absl::NotFoundError("plain"), &none));
  EXPECT_THAT(none.str(), HasSubstr("errno: none"));

  ::testing::StringMatchResultListener code;
  EXPECT_FALSE(::testing::ExplainMatchResult(StatusIs(absl::StatusCode::kInternal),
                                             absl::NotFoundError("gone"), &code));
  EXPECT_THAT(code.str(), HasSubstr("NOT_FOUND: gone"));
}

TEST_F(StatusTest, AssertOkAndAssignDeclaresOrAssigns) {
  ASSERT_OK_AND_ASSIGN(int declared, absl::StatusOr<int>(5));
  EXPECT_EQ(declared, 5);
  std::unique_ptr<int> existing;
  ASSERT_OK_AND_ASSIGN(existing, absl::StatusOr<std::unique_ptr<int>>(std::make_unique<int>(6)));
  ASSERT_NE(existing, nullptr);
  EXPECT_EQ(*existing, 6);
}

TEST_F(StatusTest, AssertOkAndAssignFailsFatallyOnError) {
  EXPECT_FATAL_FAILURE(
      {
        ASSERT_OK_AND_ASSIGN(int value, absl::StatusOr<int>(absl::NotFoundError("gone")));
        (void)value;
      },
      "NOT_FOUND: gone");
}

TEST_F(StatusTest, ExpectOkFailsOnError) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(absl::InternalError("broken")), "INTERNAL: broken");
}

}  // namespace

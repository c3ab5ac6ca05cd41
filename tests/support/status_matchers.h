// Test matchers for absl::Status and absl::StatusOr<T>, named as in newer
// Abseil releases (absl/status/status_matchers.h) so an upgrade is a rename,
// plus ErrnoIs() for the errno that linuxns::ErrnoError() keeps.
//
//   EXPECT_THAT(NsFd::FromPid(999999, NsType::kNet),
//               StatusIs(absl::StatusCode::kNotFound, HasSubstr("no such process")));
//   EXPECT_THAT(status, ErrnoIs(ESRCH));
//   ASSERT_OK_AND_ASSIGN(NsFd fd, NsFd::OpenCurrent(NsType::kNet));
#ifndef LINUXNS_TESTS_SUPPORT_STATUS_MATCHERS_H_
#define LINUXNS_TESTS_SUPPORT_STATUS_MATCHERS_H_

#include <optional>
#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/status.h"

namespace linuxns::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status: " << status;
  return status.ok();
}

// The StatusOr is OK and its value equals `expected` (absl's IsOkAndHolds,
// narrowed to equality).
MATCHER_P(IsOkAndHolds, expected, "is OK and holds " + ::testing::PrintToString(expected)) {
  if (!arg.ok()) {
    *result_listener << "status: " << arg.status();
    return false;
  }
  *result_listener << "holds " << ::testing::PrintToString(*arg);
  return *arg == expected;
}

MATCHER_P(StatusIs, code, "has code " + absl::StatusCodeToString(code)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status: " << status;
  return status.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has code " + absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const absl::Status& status = GetStatus(arg);
  *result_listener << "status: " << status;
  return status.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(status.message()),
                                       result_listener);
}

MATCHER_P(ErrnoIs, err, "carries errno " + ::testing::PrintToString(err)) {
  const absl::Status& status = GetStatus(arg);
  std::optional<int> got = ErrnoOf(status);
  *result_listener << "status: " << status
                   << ", errno: " << (got ? std::to_string(*got) : std::string("none"));
  return got.has_value() && *got == err;
}

}  // namespace linuxns::testing

#define LINUXNS_TEST_CONCAT_INNER_(a, b) a##b
#define LINUXNS_TEST_CONCAT_(a, b) LINUXNS_TEST_CONCAT_INNER_(a, b)

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::linuxns::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::linuxns::testing::IsOk())

// ASSERT_OK_AND_ASSIGN(lhs, expr): asserts that the StatusOr `expr` is OK and
// move-assigns its value to `lhs` (a declaration or an existing variable).
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(LINUXNS_TEST_CONCAT_(statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  ASSERT_OK(statusor);                                  \
  lhs = std::move(statusor).value()

#endif  // LINUXNS_TESTS_SUPPORT_STATUS_MATCHERS_H_

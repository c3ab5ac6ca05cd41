#include "linuxns/time_offsets.h"

#include "gtest/gtest.h"

namespace linuxns {
namespace {

TEST(TimeOffsetsTest, ZeroOffsets) {
  EXPECT_EQ(ToProcText(TimeOffsets{}), "monotonic 0 0\nboottime 0 0\n");
}

TEST(TimeOffsetsTest, SecondsAndNanoseconds) {
  TimeOffsets o{absl::Seconds(86400) + absl::Nanoseconds(5), absl::Milliseconds(1500)};
  EXPECT_EQ(ToProcText(o), "monotonic 86400 5\nboottime 1 500000000\n");
}

TEST(TimeOffsetsTest, NegativeOffsetsKeepNanosecondsPositive) {
  // The kernel takes 0 <= nanoseconds < 10^9: -1.5 s is -2 s + 0.5 s.
  TimeOffsets o{absl::Milliseconds(-1500), absl::Seconds(-3)};
  EXPECT_EQ(ToProcText(o), "monotonic -2 500000000\nboottime -3 0\n");
}

// Beyond what int64 nanoseconds hold (about 292 years) the text is still the
// offset asked for, which the kernel then refuses (ERANGE), not a clamped one.
TEST(TimeOffsetsTest, OffsetsBeyondInt64NanosecondsAreNotClamped) {
  TimeOffsets offsets;
  offsets.monotonic = absl::Hours(24 * 365 * 1000);
  offsets.boottime = -absl::Hours(24 * 365 * 1000) - absl::Nanoseconds(1);
  EXPECT_EQ(ToProcText(offsets), "monotonic 31536000000 0\nboottime -31536000001 999999999\n");
}

}  // namespace
}  // namespace linuxns

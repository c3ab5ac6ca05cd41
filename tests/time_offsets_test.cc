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

}  // namespace
}  // namespace linuxns

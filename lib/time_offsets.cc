#include "linuxns/time_offsets.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace linuxns {

std::string ToProcText(const TimeOffsets& offsets) {
  auto line = [](const char* clock, absl::Duration d) {
    // Whole seconds and the rest, exactly: int64 nanoseconds would clamp an
    // offset beyond about 292 years to another one.
    absl::Duration rest;
    int64_t secs = absl::IDivDuration(d, absl::Seconds(1), &rest);
    int64_t nsecs = absl::ToInt64Nanoseconds(rest);
    if (nsecs < 0) {  // the kernel wants 0 <= nanoseconds < 1e9
      secs -= 1;
      nsecs += 1000000000;
    }
    return absl::StrCat(clock, " ", secs, " ", nsecs, "\n");
  };
  return absl::StrCat(line("monotonic", offsets.monotonic), line("boottime", offsets.boottime));
}

}  // namespace linuxns

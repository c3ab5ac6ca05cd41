#include "linuxns/time_offsets.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace linuxns {

std::string ToProcText(const TimeOffsets& offsets) {
  auto line = [](const char* clock, absl::Duration d) {
    const int64_t ns = absl::ToInt64Nanoseconds(d);
    int64_t secs = ns / 1000000000;
    int64_t nsecs = ns % 1000000000;
    if (nsecs < 0) {  // the kernel wants 0 <= nanoseconds < 1e9
      secs -= 1;
      nsecs += 1000000000;
    }
    return absl::StrCat(clock, " ", secs, " ", nsecs, "\n");
  };
  return absl::StrCat(line("monotonic", offsets.monotonic), line("boottime", offsets.boottime));
}

}  // namespace linuxns

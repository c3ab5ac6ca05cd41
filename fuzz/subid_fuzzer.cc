// linuxns::ParseSubordinateIds on arbitrary file text. Properties: every
// accepted range has a non-empty owner without ':' or a line break, a
// positive count and ends at or below 2^32; the ranges written back as
// "OWNER:START:COUNT" lines parse to the same ranges; a refused text gets a
// message naming the line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fuzz_util.h"
#include "linuxns/subid.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string shown = absl::CHexEscape(text);
  absl::StatusOr<std::vector<linuxns::SubordinateRange>> ranges =
      linuxns::ParseSubordinateIds(text);
  if (!ranges.ok()) {
    LINUXNS_FUZZ_CHECK(ranges.status().code() == absl::StatusCode::kInvalidArgument, shown);
    LINUXNS_FUZZ_CHECK(absl::StartsWith(ranges.status().message(), "subordinate id line "),
                       ranges.status().ToString());
    return 0;
  }
  std::string written;
  for (const linuxns::SubordinateRange& r : *ranges) {
    LINUXNS_FUZZ_CHECK(!r.owner.empty(), shown);
    LINUXNS_FUZZ_CHECK(r.owner.find_first_of(":\n") == std::string::npos, shown);
    LINUXNS_FUZZ_CHECK(r.owner[0] != '#', shown);
    LINUXNS_FUZZ_CHECK(r.count > 0, shown);
    LINUXNS_FUZZ_CHECK(std::uint64_t{r.start} + r.count <= (std::uint64_t{1} << 32), shown);
    absl::StrAppend(&written, r.owner, ":", r.start, ":", r.count, "\n");
  }
  absl::StatusOr<std::vector<linuxns::SubordinateRange>> again =
      linuxns::ParseSubordinateIds(written);
  LINUXNS_FUZZ_CHECK(again.ok(), again.status().ToString());
  LINUXNS_FUZZ_CHECK(*again == *ranges, absl::CHexEscape(written));
  return 0;
}

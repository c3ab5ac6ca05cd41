// Shared by id_map_test and id_map_kernel_test: readable printers for IdMap
// in failure messages, and map texts that reach the kernel's line and byte
// limits.
#ifndef LINUXNS_TESTS_SUPPORT_ID_MAP_UTIL_H_
#define LINUXNS_TESTS_SUPPORT_ID_MAP_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "linuxns/id_map.h"

namespace linuxns {

// Readable failures: "{0, 100000, 65536}" instead of raw bytes.
inline void PrintTo(const IdMapEntry& e, std::ostream* os) {
  *os << "{" << e.inner << ", " << e.outer << ", " << e.count << "}";
}
inline void PrintTo(const IdMap& map, std::ostream* os) {
  *os << "IdMap(\"" << absl::CHexEscape(map.ToString()) << "\")";
}
// Found by argument-dependent lookup through the template argument.
inline void PrintTo(const absl::StatusOr<IdMap>& map, std::ostream* os) {
  if (map.ok()) {
    PrintTo(*map, os);
  } else {
    *os << map.status();
  }
}

}  // namespace linuxns

namespace linuxns::testing {

// "i i 1\n" for i in [0, lines): non-overlapping, and short enough that even
// 341 lines stay under 4096 bytes (3190 bytes), so only the line limit bites.
inline std::string ShortLines(std::size_t lines) {
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) absl::StrAppend(&text, i, " ", i, " 1\n");
  return text;
}

// `lines` lines of exactly 24 bytes each ("4000000000 3000000000 1\n", with
// the numbers counting up): 170 lines are 4080 bytes, 171 are 4104.
inline std::string LongLines(std::size_t lines) {
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) {
    absl::StrAppend(&text, std::uint64_t{4000000000} + i, " ", std::uint64_t{3000000000} + i,
                    " 1\n");
  }
  return text;
}

}  // namespace linuxns::testing

#endif  // LINUXNS_TESTS_SUPPORT_ID_MAP_UTIL_H_

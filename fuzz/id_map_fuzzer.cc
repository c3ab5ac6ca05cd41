// linuxns::IdMap::Parse on arbitrary text. Properties: an accepted map obeys
// every rule of id_map.h, formats back to text that parses to the same map,
// and Create() of its entries agrees; a refused one gets a message naming the
// map ("id map ...").
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fuzz_util.h"
#include "linuxns/id_map.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<linuxns::IdMap> map = linuxns::IdMap::Parse(text);
  if (!map.ok()) {
    LINUXNS_FUZZ_CHECK(map.status().code() == absl::StatusCode::kInvalidArgument,
                       map.status().ToString());
    LINUXNS_FUZZ_CHECK(absl::StartsWith(map.status().message(), "id map "),
                       map.status().ToString());
    return 0;
  }
  const auto& entries = map->entries();
  LINUXNS_FUZZ_CHECK(!entries.empty(), "an accepted map has lines");
  LINUXNS_FUZZ_CHECK(entries.size() <= linuxns::IdMap::kMaxLines, absl::StrCat(entries.size()));
  const std::string formatted = map->ToString();
  LINUXNS_FUZZ_CHECK(formatted.size() <= linuxns::IdMap::kMaxBytes, formatted);
  constexpr std::uint64_t kNoId = 0xFFFFFFFF;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const linuxns::IdMapEntry& e = entries[i];
    LINUXNS_FUZZ_CHECK(e.count > 0, formatted);
    LINUXNS_FUZZ_CHECK(std::uint64_t{e.inner} + e.count <= kNoId, formatted);
    LINUXNS_FUZZ_CHECK(std::uint64_t{e.outer} + e.count <= kNoId, formatted);
    for (std::size_t j = 0; j < i; ++j) {
      const linuxns::IdMapEntry& o = entries[j];
      const bool inner_apart = std::uint64_t{e.inner} + e.count <= o.inner ||
                               std::uint64_t{o.inner} + o.count <= e.inner;
      const bool outer_apart = std::uint64_t{e.outer} + e.count <= o.outer ||
                               std::uint64_t{o.outer} + o.count <= e.outer;
      LINUXNS_FUZZ_CHECK(inner_apart && outer_apart, formatted);
    }
  }
  // Round trip: the kernel's text parses back to the same map, and is a
  // fixed point of Parse + ToString.
  absl::StatusOr<linuxns::IdMap> again = linuxns::IdMap::Parse(formatted);
  LINUXNS_FUZZ_CHECK(again.ok(), again.status().ToString());
  LINUXNS_FUZZ_CHECK(*again == *map, formatted);
  LINUXNS_FUZZ_CHECK(again->ToString() == formatted, formatted);
  absl::StatusOr<linuxns::IdMap> created = linuxns::IdMap::Create(entries);
  LINUXNS_FUZZ_CHECK(created.ok() && *created == *map, formatted);
  // MapsOnlyOwnId() is exactly "one line of count 1 whose OUTER is the id".
  const linuxns::IdMapEntry& first = entries[0];
  LINUXNS_FUZZ_CHECK(map->MapsOnlyOwnId(first.outer) == (entries.size() == 1 && first.count == 1),
                     formatted);
  return 0;
}

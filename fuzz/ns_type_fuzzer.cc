// linuxns::ParseNsType, NsTypeSet::Parse and NsTypeSet::FromCloneFlags on
// arbitrary input. Properties: a type parses exactly from its own name; a
// set formats back to text that parses to the same set, with one member per
// comma-separated item, and converts to CLONE_NEW* flags and back; flags
// convert to a set exactly when they hold nothing but CLONE_NEW* bits.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fuzz_util.h"
#include "linuxns/ns_type.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using linuxns::NsType;
  using linuxns::NsTypeSet;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string shown = absl::CHexEscape(text);

  absl::StatusOr<NsType> type = linuxns::ParseNsType(text);
  bool is_name = false;
  for (NsType t : linuxns::kAllNsTypes) is_name |= linuxns::NsTypeName(t) == text;
  LINUXNS_FUZZ_CHECK(type.ok() == is_name, shown);
  if (type.ok()) {
    LINUXNS_FUZZ_CHECK(linuxns::NsTypeName(*type) == text, shown);
    LINUXNS_FUZZ_CHECK(linuxns::NsTypeFromCloneFlag(linuxns::CloneFlag(*type)) == *type, shown);
  } else {
    LINUXNS_FUZZ_CHECK(type.status().code() == absl::StatusCode::kInvalidArgument, shown);
  }

  absl::StatusOr<NsTypeSet> set = NsTypeSet::Parse(text);
  if (set.ok()) {
    // Parse refuses empty and repeated items: one member per item.
    const std::size_t items =
        text.empty() ? 0 : static_cast<std::size_t>(std::count(text.begin(), text.end(), ',')) + 1;
    LINUXNS_FUZZ_CHECK(static_cast<std::size_t>(set->size()) == items, shown);
    for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
      absl::StatusOr<NsType> t = linuxns::ParseNsType(item);
      LINUXNS_FUZZ_CHECK(t.ok() && set->Contains(*t), shown);
    }
    absl::StatusOr<NsTypeSet> again = NsTypeSet::Parse(set->ToString());
    LINUXNS_FUZZ_CHECK(again.ok() && *again == *set, shown);
    absl::StatusOr<NsTypeSet> from_flags = NsTypeSet::FromCloneFlags(set->ToCloneFlags());
    LINUXNS_FUZZ_CHECK(from_flags.ok() && *from_flags == *set, shown);
    int members = 0;
    for (NsType t : *set) {
      LINUXNS_FUZZ_CHECK(set->Contains(t), shown);
      ++members;
    }
    LINUXNS_FUZZ_CHECK(members == set->size(), shown);
  } else {
    LINUXNS_FUZZ_CHECK(set.status().code() == absl::StatusCode::kInvalidArgument, shown);
  }

  // The first 8 bytes as clone flags.
  std::uint64_t flags = 0;
  std::memcpy(&flags, data, size < sizeof(flags) ? size : sizeof(flags));
  const std::uint64_t all = NsTypeSet::All().ToCloneFlags();
  absl::StatusOr<NsTypeSet> from = NsTypeSet::FromCloneFlags(flags);
  LINUXNS_FUZZ_CHECK(from.ok() == ((flags & ~all) == 0), absl::StrCat(flags));
  if (from.ok()) LINUXNS_FUZZ_CHECK(from->ToCloneFlags() == flags, absl::StrCat(flags));
  return 0;
}

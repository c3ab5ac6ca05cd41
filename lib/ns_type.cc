#include "linuxns/ns_type.h"

#include <ostream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace linuxns {

absl::StatusOr<NsType> ParseNsType(absl::string_view name) {
  for (NsType t : kAllNsTypes) {
    if (NsTypeName(t) == name) return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown namespace type \"", absl::CHexEscape(name),
                   "\" (expected one of: ", NsTypeSet::All().ToString(), ")"));
}

std::optional<NsType> NsTypeFromCloneFlag(std::uint64_t flag) {
  for (NsType t : kAllNsTypes) {
    if (CloneFlag(t) == flag) return t;
  }
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, NsType type) { return os << NsTypeName(type); }

absl::StatusOr<NsTypeSet> NsTypeSet::Parse(absl::string_view text) {
  NsTypeSet set;
  if (text.empty()) return set;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    if (item.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty item in namespace type list \"", absl::CHexEscape(text), "\""));
    }
    absl::StatusOr<NsType> type = ParseNsType(item);
    if (!type.ok()) return type.status();
    if (set.Contains(*type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "namespace type \"", item, "\" listed twice in \"", absl::CHexEscape(text), "\""));
    }
    set.Add(*type);
  }
  return set;
}

absl::StatusOr<NsTypeSet> NsTypeSet::FromCloneFlags(std::uint64_t flags) {
  const std::uint64_t unknown = flags & ~All().ToCloneFlags();
  if (unknown != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("flags 0x%x are not CLONE_NEW* namespace flags", unknown));
  }
  NsTypeSet set;
  for (NsType t : kAllNsTypes) {
    if ((flags & CloneFlag(t)) != 0) set.Add(t);
  }
  return set;
}

std::string NsTypeSet::ToString() const {
  return absl::StrJoin(begin(), end(), ",",
                       [](std::string* out, NsType t) { absl::StrAppend(out, NsTypeName(t)); });
}

std::ostream& operator<<(std::ostream& os, NsTypeSet set) { return os << set.ToString(); }

}  // namespace linuxns

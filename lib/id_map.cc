#include "linuxns/id_map.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace linuxns {
namespace {

constexpr std::uint64_t kIdSpace = std::uint64_t{1} << 32;
// (uid_t)-1 means "no id": the kernel maps no range that reaches it.
constexpr std::uint64_t kNoId = kIdSpace - 1;

absl::Status LineError(std::size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("id map line ", line, ": ", what));
}

// [first, first + count) and [other_first, other_first + other_count) meet.
bool Overlap(std::uint64_t first, std::uint64_t count, std::uint64_t other_first,
             std::uint64_t other_count) {
  return first < other_first + other_count && other_first < first + count;
}

absl::StatusOr<std::uint32_t> ParseField(std::size_t line, absl::string_view name,
                                         absl::string_view text) {
  std::uint64_t value = 0;
  // SimpleAtoi accepts a leading '+' and whitespace; the kernel does not.
  const bool digits =
      !text.empty() && text.find_first_not_of("0123456789") == absl::string_view::npos;
  if (!digits || !absl::SimpleAtoi(text, &value) || value >= kIdSpace) {
    return LineError(line, absl::StrCat(name, " \"", absl::CHexEscape(text),
                                        "\" is not a number in 0..4294967295"));
  }
  return static_cast<std::uint32_t>(value);
}

}  // namespace

absl::StatusOr<IdMap> IdMap::Create(std::vector<IdMapEntry> entries) {
  if (entries.empty()) return absl::InvalidArgumentError("id map has no lines");
  if (entries.size() > kMaxLines) {
    return absl::InvalidArgumentError(absl::StrCat("id map has ", entries.size(),
                                                   " lines; the kernel takes at most ", kMaxLines));
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const IdMapEntry& e = entries[i];
    const std::size_t line = i + 1;
    if (e.count == 0) return LineError(line, "COUNT must be greater than 0");
    if (std::uint64_t{e.inner} + e.count > kNoId) {
      return LineError(line, absl::StrCat("inner range ", e.inner, "+", e.count,
                                          " reaches 4294967295, which cannot be mapped"));
    }
    if (std::uint64_t{e.outer} + e.count > kNoId) {
      return LineError(line, absl::StrCat("outer range ", e.outer, "+", e.count,
                                          " reaches 4294967295, which cannot be mapped"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      const IdMapEntry& o = entries[j];
      if (Overlap(e.inner, e.count, o.inner, o.count)) {
        return LineError(
            line, absl::StrCat("inner range ", e.inner, "+", e.count, " overlaps line ", j + 1));
      }
      if (Overlap(e.outer, e.count, o.outer, o.count)) {
        return LineError(
            line, absl::StrCat("outer range ", e.outer, "+", e.count, " overlaps line ", j + 1));
      }
    }
  }
  IdMap map(std::move(entries));
  const std::size_t bytes = map.ToString().size();
  if (bytes > kMaxBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("id map is ", bytes, " bytes long; the kernel takes at most ", kMaxBytes));
  }
  return map;
}

absl::StatusOr<IdMap> IdMap::Parse(absl::string_view text) {
  std::vector<IdMapEntry> entries;
  std::size_t line_number = 0;
  // One trailing newline is usual; any other empty line is an error, so that
  // line N of the text is always entry N in Create()'s messages.
  if (absl::EndsWith(text, "\n")) text.remove_suffix(1);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.empty()) return LineError(line_number, "empty line");
    if (fields.size() != 3) {
      return LineError(line_number, absl::StrCat("expected INNER OUTER COUNT, got ", fields.size(),
                                                 fields.size() == 1 ? " field" : " fields"));
    }
    absl::StatusOr<std::uint32_t> inner = ParseField(line_number, "INNER", fields[0]);
    if (!inner.ok()) return inner.status();
    absl::StatusOr<std::uint32_t> outer = ParseField(line_number, "OUTER", fields[1]);
    if (!outer.ok()) return outer.status();
    absl::StatusOr<std::uint32_t> count = ParseField(line_number, "COUNT", fields[2]);
    if (!count.ok()) return count.status();
    entries.push_back(IdMapEntry{*inner, *outer, *count});
  }
  return Create(std::move(entries));
}

std::string IdMap::ToString() const {
  std::string text;
  for (const IdMapEntry& e : entries_)
    absl::StrAppend(&text, e.inner, " ", e.outer, " ", e.count, "\n");
  return text;
}

}  // namespace linuxns

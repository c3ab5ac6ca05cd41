// The -Q filter language of lsns (LsnsFilter in examples/lsns_options.h) on
// arbitrary expressions, evaluated against a fixed row. Properties: an
// accepted expression `e` gives the same answer twice; "!(e)" is accepted and
// gives the opposite answer; "(e) && (e)" and "(e) || (e)" give the same
// answer as `e` (unless the doubled form reaches a size limit: nesting,
// tokens, the regex repetition budget); a refused one is InvalidArgument with
// a message.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "fuzz_util.h"
#include "lsns_options.h"

namespace {

using linuxns::tools::LsnsColumn;
using linuxns::tools::LsnsFilter;

// A row as lsns would show it for the initial network namespace.
std::optional<std::string> Cell(LsnsColumn column) {
  switch (column) {
    case LsnsColumn::kNs:
      return "4026531840";
    case LsnsColumn::kType:
      return "net";
    case LsnsColumn::kPath:
      return "/proc/1/ns/net";
    case LsnsColumn::kNprocs:
      return "123";
    case LsnsColumn::kPid:
      return "1";
    case LsnsColumn::kPpid:
      return "0";
    case LsnsColumn::kCommand:
      return "/sbin/init splash";
    case LsnsColumn::kUid:
      return "0";
    case LsnsColumn::kUser:
      return "root";
    case LsnsColumn::kNetnsid:
      return std::nullopt;
    case LsnsColumn::kNsfs:
      return "";
    case LsnsColumn::kPns:
      return "0";
    case LsnsColumn::kOns:
      return "4026531837";
  }
  return std::nullopt;
}

// Whether a refusal is one of the parser's size limits (nesting depth, token
// count, the regex repetition budget), which a composed expression can reach
// when `e` alone does not.
bool IsSizeLimit(const absl::Status& status) {
  const absl::string_view m = status.message();
  return absl::StrContains(m, "nested too deeply") || absl::StrContains(m, "filter too long") ||
         absl::StrContains(m, "may add at most");
}

// The answer of `expr` on the row, or nullopt when a size limit refused it;
// any other refusal is a finding.
std::optional<bool> Evaluate(const std::string& expr, const std::string& shown) {
  absl::StatusOr<LsnsFilter> filter = LsnsFilter::Parse(expr);
  if (!filter.ok() && IsSizeLimit(filter.status())) return std::nullopt;
  LINUXNS_FUZZ_CHECK(filter.ok(), shown + " as " + expr + ": " + filter.status().ToString());
  return filter->Matches(Cell);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string expr(reinterpret_cast<const char*>(data), size);
  if (linuxns::fuzz::TooManyRepetitions(expr)) return 0;
  const std::string shown = absl::CHexEscape(expr);
  absl::StatusOr<LsnsFilter> filter = LsnsFilter::Parse(expr);
  if (!filter.ok()) {
    LINUXNS_FUZZ_CHECK(filter.status().code() == absl::StatusCode::kInvalidArgument, shown);
    LINUXNS_FUZZ_CHECK(!filter.status().message().empty(), shown);
    return 0;
  }
  const bool match = filter->Matches(Cell);
  LINUXNS_FUZZ_CHECK(filter->Matches(Cell) == match, shown);
  const std::optional<bool> negated = Evaluate(absl::StrCat("!(", expr, ")"), shown);
  const std::optional<bool> both = Evaluate(absl::StrCat("(", expr, ") && (", expr, ")"), shown);
  const std::optional<bool> either = Evaluate(absl::StrCat("(", expr, ") || (", expr, ")"), shown);
  LINUXNS_FUZZ_CHECK(!negated.has_value() || *negated == !match, shown);
  LINUXNS_FUZZ_CHECK(!both.has_value() || *both == match, shown);
  LINUXNS_FUZZ_CHECK(!either.has_value() || *either == match, shown);
  return 0;
}

// The option parser of lsns (examples/lsns_options.h), in-process, on an argv
// made from the input (arguments separated by NUL bytes); a -Q filter is then
// compiled as lsns compiles it. Properties: the parse is deterministic
// (getopt's global state is reset between parses, and getopt_long's
// permutation of argv does not leak into the next parse); an accepted
// command line is consistent: util-linux's exclusive pairs (-J/-r, -P/-p,
// -l/-T) never both hold, -r implies -W, a <namespace> argument excludes -p,
// the columns and the types are never empty after the defaults.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz_util.h"
#include "lsns_options.h"

namespace {

using linuxns::tools::LsnsColumn;
using linuxns::tools::LsnsOptions;
using linuxns::tools::LsnsTree;

std::string Fingerprint(const absl::StatusOr<LsnsOptions>& o) {
  if (!o.ok()) return o.status().ToString();
  std::string out = absl::StrCat(
      o->help, o->version, o->list_columns, o->json, o->list, o->raw, o->no_headings,
      o->no_truncate, o->no_wrap, o->persistent, " ", o->types.ToString(),
      " p=", o->pid.value_or(0), o->pid.has_value(), " ns=", o->ns.value_or(0), o->ns.has_value(),
      " Q=", o->filter.value_or("-"), " T=", static_cast<int>(o->tree), " o=");
  for (LsnsColumn c : o->columns) absl::StrAppend(&out, static_cast<int>(c), ",");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  linuxns::fuzz::Argv argv("lsns", data, size);
  const std::string shown = argv.Describe();
  std::optional<LsnsOptions> o = linuxns::fuzz::ParseTwice<LsnsOptions>(
      argv, [&](int argc, char** v) { return linuxns::tools::ParseLsnsOptions(argc, v); },
      Fingerprint);
  if (!o) return 0;
  if (o->help || o->version || o->list_columns) return 0;
  LINUXNS_FUZZ_CHECK(!(o->json && o->raw), shown);
  LINUXNS_FUZZ_CHECK(!(o->persistent && o->pid), shown);
  LINUXNS_FUZZ_CHECK(!(o->list && o->tree != LsnsTree::kNone), shown);
  if (o->raw) LINUXNS_FUZZ_CHECK(o->no_wrap, shown);
  LINUXNS_FUZZ_CHECK(!(o->ns && o->pid), shown);
  LINUXNS_FUZZ_CHECK(!o->columns.empty(), shown);
  for (LsnsColumn c : o->columns) {
    LINUXNS_FUZZ_CHECK(
        static_cast<int>(c) >= 0 && static_cast<int>(c) < linuxns::tools::kLsnsColumnCount, shown);
  }
  LINUXNS_FUZZ_CHECK(!o->types.empty(), shown);
  if (o->filter && !linuxns::fuzz::TooManyRepetitions(*o->filter)) {
    absl::StatusOr<linuxns::tools::LsnsFilter> filter =
        linuxns::tools::LsnsFilter::Parse(*o->filter);
    if (filter.ok()) {
      filter->Matches([](LsnsColumn) -> std::optional<std::string> { return "1"; });
    } else {
      LINUXNS_FUZZ_CHECK(filter.status().code() == absl::StatusCode::kInvalidArgument, shown);
    }
  }
  return 0;
}

// The option parser of nsexec (examples/nsexec_options.h), in-process, on an
// argv made from the input (arguments separated by NUL bytes). Properties:
// the parse is deterministic (getopt's global state is reset between
// parses); an accepted command line is consistent: a command is given and is
// the tail of argv, -n and -p bring a mount namespace, a hostname brings a
// UTS namespace; --help and --version stop the parse.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz_util.h"
#include "nsexec_options.h"

namespace {

using linuxns::NsType;
using linuxns::tools::NsexecOptions;

std::string Fingerprint(const absl::StatusOr<NsexecOptions>& o) {
  if (!o.ok()) return o.status().ToString();
  std::string out = absl::StrCat(o->help, o->version, o->verbose, o->init, o->stats, o->dev,
                                 o->no_kill_child, " ", o->types.ToString(), " ",
                                 o->hostname.has_value(), " ", o->hostname.value_or(""));
  for (const std::string& arg : o->command) absl::StrAppend(&out, " [", arg, "]");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  linuxns::fuzz::Argv argv("nsexec", data, size);
  const std::string shown = argv.Describe();
  std::optional<NsexecOptions> o = linuxns::fuzz::ParseTwice<NsexecOptions>(
      argv, [&](int argc, char** v) { return linuxns::tools::ParseNsexecOptions(argc, v); },
      Fingerprint);
  if (!o) return 0;
  if (o->help || o->version) {
    LINUXNS_FUZZ_CHECK(o->help != o->version, shown);
    return 0;
  }
  LINUXNS_FUZZ_CHECK(!o->command.empty(), shown);
  LINUXNS_FUZZ_CHECK(linuxns::fuzz::IsSuffix(o->command, argv.args()), shown);
  if (o->types.Contains(NsType::kNet) || o->types.Contains(NsType::kPid) || o->dev) {
    LINUXNS_FUZZ_CHECK(o->types.Contains(NsType::kMnt), shown);
  }
  LINUXNS_FUZZ_CHECK(o->hostname.has_value() == o->types.Contains(NsType::kUts), shown);
  return 0;
}

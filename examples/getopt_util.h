// Shared by the tools' option parsers: getopt_long's state and its error
// messages, without getopt writing to stderr itself.
#ifndef LINUXNS_EXAMPLES_GETOPT_UTIL_H_
#define LINUXNS_EXAMPLES_GETOPT_UTIL_H_

#include <getopt.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace linuxns::tools {

// Resets getopt for a fresh parse and silences its own messages; restores
// the reset on destruction, so the next parser starts clean too.
class GetoptScope {
 public:
  GetoptScope() { Reset(); }
  ~GetoptScope() { Reset(); }
  GetoptScope(const GetoptScope&) = delete;
  GetoptScope& operator=(const GetoptScope&) = delete;

 private:
  static void Reset() {
    optind = 0;  // glibc: 0 also re-reads the environment and resets state
    opterr = 0;
    optarg = nullptr;
  }
};

// The usage error for getopt's '?' or ':' return, worded as glibc words it.
// `argv` and `optind` are those of the parse; `c` what getopt returned.
inline absl::Status GetoptError(char* const* argv, int c) {
  const char* arg = argv[optind - 1];
  const bool long_option = arg[0] == '-' && arg[1] == '-';
  if (c == ':') {
    if (long_option) {
      return absl::InvalidArgumentError(absl::StrCat("option '", arg, "' requires an argument"));
    }
    return absl::InvalidArgumentError(absl::StrCat("option requires an argument -- '",
                                                   std::string(1, static_cast<char>(optopt)), "'"));
  }
  if (long_option && optopt == 0) {
    return absl::InvalidArgumentError(absl::StrCat("unrecognized option '", arg, "'"));
  }
  if (long_option) {
    // glibc names the option without the "=VALUE" that was not allowed.
    const std::string name(arg, std::strcspn(arg, "="));
    return absl::InvalidArgumentError(
        absl::StrCat("option '", name, "' doesn't allow an argument"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid option -- '", std::string(1, static_cast<char>(optopt)), "'"));
}

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_GETOPT_UTIL_H_

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

// The usage error for getopt's '?' or ':' return, worded as glibc's
// getopt_long words it when it prints the error itself: "unrecognized option
// '--x'", "option '--map' is ambiguous; possibilities: '--map-user' ...",
// "option '--fork' doesn't allow an argument" (the full name, also for an
// abbreviation), "option '--setuid' requires an argument", "invalid option --
// 'x'", "option requires an argument -- 'S'". `argv` and `optind` are those of
// the parse, `c` what getopt returned, `long_options` the table given to it.
inline absl::Status GetoptError(char* const* argv, int c, const option* long_options) {
  // glibc has moved optind past the element with the error, unless the error
  // is a short option in the middle of a bundle ("-xf"): argv[optind - 1] is
  // then an earlier element, possibly a long option that was fine. optopt
  // tells them apart: glibc sets it to 0 for an unknown or ambiguous long
  // option, and to the option's value for one that refused an argument; an
  // invalid short option is never a valid option's value.
  const char* arg = argv[optind - 1];
  const char* name = arg + 2;
  const std::size_t name_length = std::strcspn(name, "=");
  const bool long_element = arg[0] == '-' && arg[1] == '-' && name[0] != '\0';
  const option* found = nullptr;
  std::string possibilities;
  bool ambiguous = false;
  for (const option* o = long_options; long_element && o->name != nullptr; ++o) {
    if (std::strncmp(o->name, name, name_length) != 0) continue;
    if (std::strlen(o->name) == name_length) {  // an exact match wins
      found = o;
      ambiguous = false;
      break;
    }
    // As glibc: a second abbreviation match is ambiguous only when it means
    // something else.
    if (found == nullptr) {
      found = o;
      absl::StrAppend(&possibilities, " '--", o->name, "'");
    } else if (found->has_arg != o->has_arg || found->flag != o->flag || found->val != o->val) {
      ambiguous = true;
      absl::StrAppend(&possibilities, " '--", o->name, "'");
    }
  }
  if (c == ':') {
    if (long_element && found != nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("option '--", found->name, "' requires an argument"));
    }
    return absl::InvalidArgumentError(absl::StrCat("option requires an argument -- '",
                                                   std::string(1, static_cast<char>(optopt)), "'"));
  }
  if (long_element && optopt == 0) {
    if (ambiguous) {
      return absl::InvalidArgumentError(
          absl::StrCat("option '", arg, "' is ambiguous; possibilities:", possibilities));
    }
    return absl::InvalidArgumentError(absl::StrCat("unrecognized option '", arg, "'"));
  }
  if (long_element && !ambiguous && found != nullptr && found->has_arg == no_argument &&
      name[name_length] == '=' && optopt == found->val) {
    return absl::InvalidArgumentError(
        absl::StrCat("option '--", found->name, "' doesn't allow an argument"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid option -- '", std::string(1, static_cast<char>(optopt)), "'"));
}

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_GETOPT_UTIL_H_

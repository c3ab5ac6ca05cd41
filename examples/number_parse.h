// Numbers on the tools' command lines, read as util-linux reads them
// (ul_strtos64() and ul_strtou64() of its lib/strutils.c), so that an
// argument one tool takes the others take too.
#ifndef LINUXNS_EXAMPLES_NUMBER_PARSE_H_
#define LINUXNS_EXAMPLES_NUMBER_PARSE_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace linuxns::tools {

// A base-10 number as strtoimax(3) reads it: white space and a sign may come
// before the digits, nothing may come after them. Nullopt, with errno set to
// ERANGE for a number beyond 64 bits and to EINVAL for anything else that is
// not a number (the empty string included).
std::optional<std::int64_t> ParseSigned(const char* text);

// The same for an unsigned number, where a negative one is out of range
// (ERANGE): "-1" is not 18446744073709551615, as strtoumax(3) alone would
// have it.
std::optional<std::uint64_t> ParseUnsigned(const char* text);

// ParseUnsigned, then `min` <= value <= `max` (ERANGE otherwise).
std::optional<std::uint64_t> ParseUnsignedIn(const char* text, std::uint64_t min,
                                             std::uint64_t max);

// util-linux's strtoxx_or_err() message for a number that did not parse:
// "what: 'text'", and strerror(ERANGE) after it when `err`, the errno the
// parse left, says the number is out of range. InvalidArgument.
absl::Status InvalidNumber(absl::string_view what, absl::string_view text, int err);

}  // namespace linuxns::tools

#endif  // LINUXNS_EXAMPLES_NUMBER_PARSE_H_

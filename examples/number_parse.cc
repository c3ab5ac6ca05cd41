#include "number_parse.h"

#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace linuxns::tools {
namespace {

// errno as util-linux leaves it: EINVAL for no digits or trailing text.
bool Finished(const char* text, const char* end) {
  if (errno == 0 && (end == text || *end != '\0')) errno = EINVAL;
  return errno == 0;
}

}  // namespace

std::optional<std::int64_t> ParseSigned(const char* text) {
  char* end = nullptr;
  errno = 0;
  const std::intmax_t value = std::strtoimax(text, &end, 10);
  if (!Finished(text, end)) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> ParseUnsigned(const char* text) {
  char* end = nullptr;
  errno = 0;
  // strtoumax() negates a negative number instead of refusing it.
  if (std::strtoimax(text, &end, 10) < 0) {
    errno = ERANGE;
    return std::nullopt;
  }
  errno = 0;
  const std::uintmax_t value = std::strtoumax(text, &end, 10);
  if (!Finished(text, end)) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> ParseUnsignedIn(const char* text, std::uint64_t min,
                                             std::uint64_t max) {
  std::optional<std::uint64_t> value = ParseUnsigned(text);
  if (value && (*value < min || *value > max)) {
    errno = ERANGE;
    return std::nullopt;
  }
  return value;
}

absl::Status InvalidNumber(absl::string_view what, absl::string_view text, int err) {
  std::string message = absl::StrCat(what, ": '", text, "'");
  if (err == ERANGE) absl::StrAppend(&message, ": ", std::strerror(ERANGE));
  return absl::InvalidArgumentError(message);
}

}  // namespace linuxns::tools

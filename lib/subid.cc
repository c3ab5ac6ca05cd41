#include "linuxns/subid.h"

#include <pwd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/small_file.h"
#include "linuxns/status.h"

namespace linuxns {
namespace {

absl::Status LineError(std::size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("subordinate id line ", line, ": ", what));
}

bool ParseNumber(absl::string_view text, std::uint64_t& value) {
  return !text.empty() && text.find_first_not_of("0123456789") == absl::string_view::npos &&
         absl::SimpleAtoi(text, &value);
}

// The user name of `uid`, or "" when it has none.
std::string UserName(uid_t uid) {
  std::vector<char> buf(16384);
  passwd pw;
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return "";
  return pw.pw_name;
}

}  // namespace

absl::StatusOr<std::vector<SubordinateRange>> ParseSubordinateIds(absl::string_view text) {
  std::vector<SubordinateRange> ranges;
  std::size_t number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, ':');
    if (fields.size() != 3) {
      return LineError(
          number, absl::StrCat("expected OWNER:START:COUNT, got \"", absl::CHexEscape(line), "\""));
    }
    if (fields[0].empty()) return LineError(number, "OWNER is empty");
    std::uint64_t start = 0, count = 0;
    if (!ParseNumber(fields[1], start) || start >= (std::uint64_t{1} << 32)) {
      return LineError(number, absl::StrCat("START \"", absl::CHexEscape(fields[1]),
                                            "\" is not a number in 0..4294967295"));
    }
    if (!ParseNumber(fields[2], count) || count == 0 || start + count > (std::uint64_t{1} << 32)) {
      return LineError(number, absl::StrCat("COUNT \"", absl::CHexEscape(fields[2]),
                                            "\" is not a number from 1 to 2^32 - START"));
    }
    ranges.push_back(SubordinateRange{std::string(fields[0]), static_cast<std::uint32_t>(start),
                                      static_cast<std::uint32_t>(count)});
  }
  return ranges;
}

absl::StatusOr<SubordinateRange> FindSubordinateRange(const std::string& file, uid_t uid) {
  // open(2) would stop at a NUL and read another file than the one named.
  if (file.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("open ", absl::CEscape(file), ": the path contains a NUL byte"));
  }
  LINUXNS_ASSIGN_OR_RETURN(std::string text, internal::ReadSmallFileOrError(file.c_str()));
  absl::StatusOr<std::vector<SubordinateRange>> ranges = ParseSubordinateIds(text);
  if (!ranges.ok()) return WithContext(ranges.status(), file);
  const std::string name = UserName(uid);
  const std::string id = absl::StrCat(uid);
  for (const SubordinateRange& r : *ranges) {
    if (r.owner == id || (!name.empty() && r.owner == name)) return r;
  }
  return absl::NotFoundError(
      absl::StrCat(file, " gives ", name.empty() ? id : name, " (uid ", uid,
                   ") no range; add one, e.g. with `usermod --add-subuids 100000-165535 "
                   "--add-subgids 100000-165535 ",
                   name.empty() ? id : name, "`"));
}

}  // namespace linuxns

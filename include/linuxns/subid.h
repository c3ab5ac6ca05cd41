// linuxns/subid.h: subordinate id ranges (/etc/subuid, /etc/subgid).
//
// subuid(5) and subgid(5) give each user ranges of ids that the set-user-ID
// helpers newuidmap(1) and newgidmap(1) let that user map into a user
// namespace, beyond their own id. Lines are "OWNER:START:COUNT", OWNER a user
// name or a decimal uid; '#' starts a comment line.
//
//   absl::StatusOr<linuxns::SubordinateRange> r =
//       linuxns::FindSubordinateRange("/etc/subuid", getuid());
//   // map 0..COUNT-1 inside onto START..: what `unshare --map-subids` does
//   absl::StatusOr<linuxns::IdMap> map = linuxns::IdMap::Create({{0, r->start, r->count}});
//
// Errors: the parser names the line and the field (InvalidArgument); a user
// with no range is NotFound naming the file and how to add one.
//
// Thread-safety: the parser is pure; FindSubordinateRange() reads the file
// and the password database (getpwuid_r), both thread-safe.
#ifndef LINUXNS_SUBID_H_
#define LINUXNS_SUBID_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"

namespace linuxns {

// SubordinateRange: one line of a subuid or subgid file.
struct LINUXNS_EXPORT SubordinateRange {
  std::string owner;        // as written: a name or a decimal uid
  std::uint32_t start = 0;  // the first id of the range
  std::uint32_t count = 0;  // how many ids, > 0

  // True when all three fields are equal.
  friend bool operator==(const SubordinateRange&, const SubordinateRange&) = default;
};

// ParseSubordinateIds()
//
// Parses the text of a subuid/subgid file. Empty lines and lines starting
// with '#' are skipped; anything else must be OWNER:START:COUNT with a
// non-empty OWNER, COUNT > 0 and START + COUNT <= 2^32.
LINUXNS_EXPORT absl::StatusOr<std::vector<SubordinateRange>> ParseSubordinateIds(
    absl::string_view text);

// FindSubordinateRange()
//
// The first range of `file` (a subuid or subgid file) whose owner is the
// name of user `uid` or `uid` itself. Errors: NotFound when no line gives it
// one (the message says how to add one); the errno of open(2) or read(2)
// kept (ENOENT: NotFound, EISDIR for a directory, EFBIG past 64 MiB); a bad
// line as the parser names it, after the file's name; InvalidArgument for a
// path with a NUL byte.
LINUXNS_EXPORT absl::StatusOr<SubordinateRange> FindSubordinateRange(const std::string& file,
                                                                     uid_t uid);

}  // namespace linuxns

#endif  // LINUXNS_SUBID_H_

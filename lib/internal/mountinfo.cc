#include "internal/mountinfo.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(absl::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out.push_back(
          static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<MountInfo> MountOf(const std::string& path) {
  struct statx stx {};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &stx) != 0) {
    return ErrnoError(errno, absl::StrCat("statx ", path));
  }
  if ((stx.stx_mask & STATX_MNT_ID) == 0) {
    return absl::UnimplementedError("statx has no STATX_MNT_ID (Linux 5.8 is needed)");
  }
  std::ifstream in("/proc/thread-self/mountinfo");
  if (!in) return ErrnoError(errno, "open /proc/thread-self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    int id = 0;
    if (fields.size() < 7 || !absl::SimpleAtoi(fields[0], &id)) continue;
    if (static_cast<std::uint64_t>(id) != stx.stx_mnt_id) continue;
    MountInfo info;
    info.id = id;
    info.mount_point = Unescape(fields[4]);
    for (std::size_t i = 6; i < fields.size() && fields[i] != "-"; ++i) {
      if (absl::StartsWith(fields[i], "shared:")) info.shared = true;
    }
    return info;
  }
  return absl::NotFoundError(
      absl::StrCat("mount ", stx.stx_mnt_id, " of ", path, " not in mountinfo"));
}

}  // namespace linuxns::internal

#include "internal/mountinfo.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "internal/small_file.h"
#include "linuxns/status.h"

namespace linuxns::internal {
namespace {

bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// Undoes the kernel's \ooo escapes (seq_file's mangle_path: space, tab,
// newline and backslash). A backslash not followed by three octal digits is
// kept as it is.
std::string Unescape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && s.size() - i > 3 && IsOctal(s[i + 1]) && s[i + 1] <= '3' &&
        IsOctal(s[i + 2]) && IsOctal(s[i + 3])) {
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

std::optional<MountInfo> ParseMountInfoLine(absl::string_view line) {
  const std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
  // Six fixed fields, then optional ones up to "-", then three more.
  if (f.size() < 10) return std::nullopt;
  const auto dash = std::find(f.begin() + 6, f.end(), "-");
  if (std::distance(dash, f.end()) < 4) return std::nullopt;
  MountInfo info;
  if (!absl::SimpleAtoi(f[0], &info.id) || !absl::SimpleAtoi(f[1], &info.parent_id)) {
    return std::nullopt;
  }
  info.root = Unescape(f[3]);
  info.mount_point = Unescape(f[4]);
  info.shared = std::any_of(f.begin() + 6, dash, [](absl::string_view field) {
    return absl::StartsWith(field, "shared:");
  });
  info.fs_type = std::string(dash[1]);
  info.source = Unescape(dash[2]);
  return info;
}

std::vector<MountInfo> ParseMountInfo(absl::string_view text) {
  std::vector<MountInfo> mounts;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::optional<MountInfo> info = ParseMountInfoLine(line);
    if (info) mounts.push_back(std::move(*info));
  }
  return mounts;
}

absl::StatusOr<std::vector<MountInfo>> ReadMountInfo(const char* path) {
  LINUXNS_ASSIGN_OR_RETURN(std::string text, ReadSmallFileOrError(path));
  return ParseMountInfo(text);
}

absl::StatusOr<MountInfo> MountOf(const std::string& path) {
  struct statx stx {};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_MNT_ID, &stx) != 0) {
    return ErrnoError(errno, absl::StrCat("statx ", path));
  }
  if ((stx.stx_mask & STATX_MNT_ID) == 0) {
    return absl::UnimplementedError("statx has no STATX_MNT_ID (Linux 5.8 is needed)");
  }
  LINUXNS_ASSIGN_OR_RETURN(std::vector<MountInfo> mounts,
                           ReadMountInfo("/proc/thread-self/mountinfo"));
  for (MountInfo& info : mounts) {
    if (info.id == stx.stx_mnt_id) return std::move(info);
  }
  return absl::NotFoundError(
      absl::StrCat("mount ", stx.stx_mnt_id, " of ", path, " not in mountinfo"));
}

}  // namespace linuxns::internal

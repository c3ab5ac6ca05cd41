// Private: the one parser of /proc/PID/mountinfo (proc(5)), and questions
// about the mount table of the calling thread.
//
//   absl::StatusOr<std::vector<MountInfo>> mounts = ReadMountInfo("/proc/self/mountinfo");
//   for (const MountInfo& m : *mounts) {
//     if (m.fs_type == "nsfs") ...  // m.root is "net:[4026532301]"
//   }
//
// A line is "ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - FSTYPE
// SOURCE SUPER-OPTIONS"; the kernel writes space, tab, newline and backslash
// in paths as \ooo, which the parser undoes.
//
// Thread-safe. Not async-signal-safe.
#ifndef LINUXNS_LIB_INTERNAL_MOUNTINFO_H_
#define LINUXNS_LIB_INTERNAL_MOUNTINFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace linuxns::internal {

// One line of mountinfo.
struct MountInfo {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;
  std::string root;         // unescaped; for nsfs the namespace, "net:[4026532301]"
  std::string mount_point;  // unescaped
  bool shared = false;      // has a "shared:N" optional field
  std::string fs_type;      // "ext4", "nsfs", "cgroup2"
  std::string source;       // unescaped
};

// Parses one line of mountinfo (without its '\n'); nullopt when it is not one.
std::optional<MountInfo> ParseMountInfoLine(absl::string_view line);

// Parses a whole mountinfo text, line by line, skipping lines that are not
// mountinfo lines.
std::vector<MountInfo> ParseMountInfo(absl::string_view text);

// Reads and parses the mountinfo file at `path` ("/proc/self/mountinfo",
// "/proc/thread-self/mountinfo"). Errors keep the errno of open or read.
absl::StatusOr<std::vector<MountInfo>> ReadMountInfo(const char* path);

// The mount that `path` lies on (statx STATX_MNT_ID, Linux 5.8, then
// /proc/thread-self/mountinfo).
absl::StatusOr<MountInfo> MountOf(const std::string& path);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_MOUNTINFO_H_

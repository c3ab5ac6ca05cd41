// Private: questions about the mount table of the calling thread.
#ifndef LINUXNS_LIB_INTERNAL_MOUNTINFO_H_
#define LINUXNS_LIB_INTERNAL_MOUNTINFO_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace linuxns::internal {

struct MountInfo {
  int id = 0;
  std::string mount_point;  // unescaped
  bool shared = false;      // has a "shared:N" optional field
};

// The mount that `path` lies on (statx STATX_MNT_ID, Linux 5.8, then
// /proc/thread-self/mountinfo).
absl::StatusOr<MountInfo> MountOf(const std::string& path);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_MOUNTINFO_H_

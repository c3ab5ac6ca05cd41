#include "internal/kernel.h"

#include <fcntl.h>
#include <sys/prctl.h>

#include <array>
#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "internal/small_file.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {

std::atomic<bool> pidfs_ns_ioctls_missing{false};

unsigned long PidfdNsIoctl(NsType type, bool for_children) {
  if (for_children && type == NsType::kPid) return PIDFD_GET_PID_FOR_CHILDREN_NAMESPACE;
  if (for_children && type == NsType::kTime) return PIDFD_GET_TIME_FOR_CHILDREN_NAMESPACE;
  static constexpr std::array<unsigned long, kNsTypeCount> kIoctls = {
      PIDFD_GET_MNT_NAMESPACE,    PIDFD_GET_UTS_NAMESPACE,  PIDFD_GET_IPC_NAMESPACE,
      PIDFD_GET_PID_NAMESPACE,    PIDFD_GET_NET_NAMESPACE,  PIDFD_GET_USER_NAMESPACE,
      PIDFD_GET_CGROUP_NAMESPACE, PIDFD_GET_TIME_NAMESPACE,
  };
  return kIoctls[static_cast<std::size_t>(type)];
}

const char* ThreadNsPath(NsType type, bool for_children) {
  if (for_children && type == NsType::kPid) {
    return "/proc/thread-self/ns/pid_for_children";
  }
  if (for_children && type == NsType::kTime) {
    return "/proc/thread-self/ns/time_for_children";
  }
  static constexpr std::array<const char*, kNsTypeCount> kPaths = {
      "/proc/thread-self/ns/mnt",    "/proc/thread-self/ns/uts",  "/proc/thread-self/ns/ipc",
      "/proc/thread-self/ns/pid",    "/proc/thread-self/ns/net",  "/proc/thread-self/ns/user",
      "/proc/thread-self/ns/cgroup", "/proc/thread-self/ns/time",
  };
  return kPaths[static_cast<std::size_t>(type)];
}

absl::Status WriteProcFile(pid_t pid, const char* file, absl::string_view text) {
  const std::string path = absl::StrCat("/proc/", pid, "/", file);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    // A CLONE_VM child shares our memory, and with it the dumpable flag that
    // decides who owns its /proc files.
    const bool dumpable = ::prctl(PR_GET_DUMPABLE) == 1;
    return ErrnoError(err, absl::StrCat("open ", path),
                      err == EACCES && !dumpable
                          ? "this process is not dumpable (prctl PR_SET_DUMPABLE, or "
                            "it changed uids), so the /proc files of its children "
                            "belong to root"
                          : "");
  }
  const ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0) {
    const int err = errno;
    std::string hint;
    if (err == EPERM) {
      hint =
          "a map of other ids than one's own needs CAP_SETUID/CAP_SETGID over the parent "
          "user namespace";
      // The other rule for a gid map (user_namespaces(7)): without
      // CAP_SETGID even one's own gid needs "deny" in setgroups first.
      if (absl::string_view(file) == "gid_map" &&
          ReadOneLineFile(absl::StrCat("/proc/", pid, "/setgroups")) == "allow") {
        hint = absl::StrCat(hint,
                            "; without it, even a map of one's own gid needs \"deny\" "
                            "in /proc/",
                            pid, "/setgroups first (deny_setgroups)");
      }
    }
    return ErrnoError(err, absl::StrCat("write \"", absl::CHexEscape(text), "\" to ", path), hint);
  }
  if (static_cast<std::size_t>(n) != text.size()) {
    return absl::InternalError(absl::StrCat("short write to ", path));
  }
  return absl::OkStatus();
}

}  // namespace linuxns::internal

// Private: small parent-side syscall wrappers. They set errno like libc;
// never call them between clone and exec (lib/child/ has raw forms for that).
// Every kernel constant the library defines itself is in
// child/kernel_constants.h, which this header includes.
#ifndef LINUXNS_LIB_INTERNAL_KERNEL_H_
#define LINUXNS_LIB_INTERNAL_KERNEL_H_

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "child/kernel_constants.h"
#include "linuxns/ns_type.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace linuxns::internal {

// The pidfs ioctl that returns a process's namespace of `type` (its
// *_for_children view when `for_children`, only for pid and time).
unsigned long PidfdNsIoctl(NsType type, bool for_children);

// Set once the kernel has answered a PIDFD_GET_*_NAMESPACE ioctl with "no such
// ioctl" (before Linux 6.11), so that later look-ups go straight to /proc.
// Tests set it to exercise that path.
extern std::atomic<bool> pidfs_ns_ioctls_missing;

// Writes `text` to /proc/`pid`/`file` (uid_map, gid_map, setgroups,
// timens_offsets) in one write at offset 0, as the kernel wants. Errors keep
// their errno; EPERM and EACCES say what they usually mean.
absl::Status WriteProcFile(pid_t pid, const char* file, absl::string_view text);

// Number of threads of the calling process (from /proc/self/status).
// Inline so that tests can use it against a shared liblinuxns, which
// exports nothing of linuxns::internal.
inline absl::StatusOr<int> CountThreads() {
  UniqueFd fd(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError(errno, "open /proc/self/status");
  char buf[4096];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoError(errno, "read /proc/self/status");
  std::string_view text(buf, static_cast<std::size_t>(n));
  constexpr std::string_view kKey = "\nThreads:\t";
  std::size_t at = text.find(kKey);
  if (at == std::string_view::npos) {
    return absl::InternalError("no Threads: line in /proc/self/status");
  }
  const char* begin = text.data() + at + kKey.size();
  int threads = 0;
  auto [end, ec] = std::from_chars(begin, text.data() + text.size(), threads);
  if (ec != std::errc() || end == begin) {
    return absl::InternalError("unreadable Threads: line in /proc/self/status");
  }
  return threads;
}

// "/proc/thread-self/ns/<name>", or ".../pid_for_children" and
// ".../time_for_children" when `for_children` (only pid and time have those).
const char* ThreadNsPath(NsType type, bool for_children);

inline int PidfdOpen(pid_t pid, unsigned flags) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}

inline int PidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_KERNEL_H_

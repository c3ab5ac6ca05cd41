// Private: the one reader of small files (procfs, sysctls, /etc/subuid) for
// the parent side of the library.
//
//   std::optional<std::string> map = ReadSmallFile("/proc/self/uid_map");
//   if (ReadOneLineFile("/proc/sys/kernel/unprivileged_userns_clone") == "0") ...
//   std::optional<long long> max = ReadNumberFile("/proc/sys/user/max_net_namespaces");
//
// Each opens the file O_CLOEXEC, reads it to the end (retrying on EINTR) and
// closes it; more than 64 MiB is a read error (EFBIG), so that a path naming
// something without end (/dev/zero) cannot take all memory. A file that cannot be opened or read is
// nullopt rather than an error status: most callers use these answers to explain a failure or to
// fill a listing, where a missing file only means "nothing to tell"; those
// that report it use ReadSmallFileOrError().
//
// Thread-safe. Not async-signal-safe (they allocate): never call them between
// clone and exec (lib/child/ has its own raw forms).
#ifndef LINUXNS_LIB_INTERNAL_SMALL_FILE_H_
#define LINUXNS_LIB_INTERNAL_SMALL_FILE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace linuxns::internal {

// The whole of the file at `path`, or nullopt when it cannot be opened or read.
std::optional<std::string> ReadSmallFile(const char* path);
inline std::optional<std::string> ReadSmallFile(const std::string& path) {
  return ReadSmallFile(path.c_str());
}

// ReadSmallFile() for a caller that reports the failure: an error naming the
// path, with the errno of open or read kept (ErrnoOf).
absl::StatusOr<std::string> ReadSmallFileOrError(const char* path);

// The text of a one-line file (a sysctl, /proc/PID/comm, setgroups) without
// its final '\n', or nullopt when it cannot be opened or read. Only the final
// newline goes: "0\n" is "0", a comm set to "a\nb" stays "a\nb".
std::optional<std::string> ReadOneLineFile(const char* path);
inline std::optional<std::string> ReadOneLineFile(const std::string& path) {
  return ReadOneLineFile(path.c_str());
}

// The number a one-number file (a sysctl, pid_max) holds, white space around
// it ignored; nullopt when absent, unreadable or not a number.
std::optional<long long> ReadNumberFile(const char* path);

}  // namespace linuxns::internal

#endif  // LINUXNS_LIB_INTERNAL_SMALL_FILE_H_

#include "internal/probe_util.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "child/kernel_constants.h"
#include "internal/small_file.h"
#include "linuxns/status.h"

namespace linuxns::internal {

std::string ErrnoName(int err) {
  const char* name = ::strerrorname_np(err);
  return name != nullptr ? name : absl::StrCat("errno ", err);
}

// The number after "`key`:" in /proc/self/status ("Seccomp", "Threads").
std::optional<long long> ProcStatusNumber(absl::string_view key) {
  std::optional<std::string> text = ReadSmallFile("/proc/self/status");
  if (!text) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, key) || !absl::ConsumePrefix(&line, ":")) continue;
    long long value = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &value)) return value;
  }
  return std::nullopt;
}

// A clause for a refused call: the seccomp mode, when a filter is installed.
std::string SeccompClause() {
  std::optional<long long> mode = ProcStatusNumber("Seccomp");
  if (mode.value_or(0) == 0) return "";
  return absl::StrCat("this process runs under a seccomp filter (Seccomp: ", *mode,
                      " in /proc/self/status)");
}

bool HasEffectiveCap(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

// Whether `id` lies in an "inside" range of a uid_map/gid_map text.
bool IdMapCovers(absl::string_view map, std::uint32_t id) {
  for (absl::string_view line : absl::StrSplit(map, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    std::uint64_t inside = 0, count = 0;
    if (fields.size() == 3 && absl::SimpleAtoi(fields[0], &inside) &&
        absl::SimpleAtoi(fields[2], &count) && id >= inside && id - inside < count) {
      return true;
    }
  }
  return false;
}

// Waits for a probe child and returns its exit code.
absl::StatusOr<int> WaitExitCode(const PidFd& child) {
  siginfo_t info{};
  while (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child.get()), &info,
                  WEXITED | __WALL) != 0) {
    const int err = errno;
    if (err != EINTR) return ErrnoError(err, absl::StrCat("waitid pid ", child.pid()));
  }
  if (info.si_code == CLD_EXITED) return info.si_status;
  return absl::InternalError(
      absl::StrCat("probe child pid ", child.pid(), " was killed by signal ", info.si_status));
}

}  // namespace linuxns::internal

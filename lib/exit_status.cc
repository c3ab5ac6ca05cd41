#include "linuxns/exit_status.h"

#include <signal.h>
#include <string.h>

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace linuxns {
namespace {

// "0.200s": whole milliseconds, rounded down.
std::string Seconds(absl::Duration d) {
  const std::int64_t ms = absl::ToInt64Milliseconds(d);
  return absl::StrFormat("%d.%03ds", ms / 1000, ms % 1000);
}

}  // namespace

std::string ResourceUsage::ToString() const {
  return absl::StrCat("user ", Seconds(user_cpu), " system ", Seconds(system_cpu), " maxrss ",
                      max_rss_bytes / 1024, " KiB");
}

std::string ExitStatus::ToString() const {
  if (exited()) return absl::StrCat("exited with code ", code_);
  const char* name = ::sigdescr_np(signal_);
  std::string text = name != nullptr ? name : "unknown";
  if (name == nullptr && signal_ >= SIGRTMIN && signal_ <= SIGRTMAX) {
    text = absl::StrCat("Real-time signal ", signal_ - SIGRTMIN);
  }
  // What the kernel sends for a call a seccomp filter kills the process for.
  if (signal_ == SIGSYS) absl::StrAppend(&text, ": a system call its seccomp filter forbids");
  return absl::StrCat("killed by signal ", signal_, " (", text, ")",
                      core_dumped_ ? " (core dumped)" : "");
}

std::ostream& operator<<(std::ostream& os, const ExitStatus& status) {
  return os << status.ToString();
}

}  // namespace linuxns

#include "linuxns/exit_status.h"

#include <signal.h>
#include <string.h>

#include "absl/strings/str_cat.h"

namespace linuxns {

std::string ExitStatus::ToString() const {
  if (exited()) return absl::StrCat("exited with code ", code_);
  const char* name = ::sigdescr_np(signal_);
  std::string text = name != nullptr ? name : "unknown";
  if (name == nullptr && signal_ >= SIGRTMIN && signal_ <= SIGRTMAX) {
    text = absl::StrCat("Real-time signal ", signal_ - SIGRTMIN);
  }
  return absl::StrCat("killed by signal ", signal_, " (", text, ")",
                      core_dumped_ ? " (core dumped)" : "");
}

std::ostream& operator<<(std::ostream& os, const ExitStatus& status) {
  return os << status.ToString();
}

}  // namespace linuxns

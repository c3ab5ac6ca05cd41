#include "linuxns/seccomp_program.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace linuxns {

absl::StatusOr<SeccompProgram> SeccompProgram::FromBpf(absl::Span<const sock_filter> instructions) {
  if (instructions.empty()) {
    return absl::InvalidArgumentError(
        "seccomp program: no instructions (a filter needs at least a "
        "return)");
  }
  if (instructions.size() > kMaxInstructions) {
    return absl::InvalidArgumentError(
        absl::StrCat("seccomp program: ", instructions.size(),
                     " instructions, more than the kernel takes in one filter (BPF_MAXINSNS, ",
                     kMaxInstructions, ")"));
  }
  return SeccompProgram(
      std::make_shared<const std::vector<sock_filter>>(instructions.begin(), instructions.end()));
}

bool operator==(const SeccompProgram& a, const SeccompProgram& b) {
  const auto same = [](const sock_filter& x, const sock_filter& y) {
    return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
  };
  return std::equal(a.instructions().begin(), a.instructions().end(), b.instructions().begin(),
                    b.instructions().end(), same);
}

}  // namespace linuxns

// linuxns/seccomp_program.h: a compiled system-call filter, ready for a child.
//
// A SeccompProgram is a classic-BPF program for seccomp(2)'s
// SECCOMP_SET_MODE_FILTER, the form the kernel runs on every system call of a
// filtered process. SpawnOptions::seccomp takes one; the child installs it as
// its last step before execve (linuxns/spawn_options.h, step 14), so it only
// copies a pointer: nothing is compiled or allocated between clone and exec.
//
// Make one from rules with linuxns::SyscallFilter::Compile()
// (linuxns/syscall_filter.h, the linuxns::seccomp library, over libseccomp),
// or from a program of your own with FromBpf():
//
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::SeccompProgram program,
//                            linuxns::SeccompProgram::FromBpf(my_instructions));
//   options.seccomp = program;   // a copy shares the instructions
//
// The value is immutable and cheap to copy (the instructions are shared), so
// one program serves any number of spawns, from any number of threads.
//
// A program given with FromBpf() is checked for size only: the kernel checks
// the rest when the child installs it (an invalid program is EINVAL at
// SpawnStep::kSeccomp). It must check the architecture itself (seccomp_data's
// arch field), as libseccomp's programs do: a filter that does not lets an
// x32 or i386 system call with another number through.
//
// Thread-safety: a value; nothing here makes a system call.
#ifndef LINUXNS_SECCOMP_PROGRAM_H_
#define LINUXNS_SECCOMP_PROGRAM_H_

#include <linux/filter.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "linuxns/export.h"

namespace linuxns {

// A compiled filter: classic-BPF instructions, shared by copies.
class LINUXNS_EXPORT SeccompProgram {
 public:
  // The most instructions the kernel takes in one filter (BPF_MAXINSNS).
  static constexpr std::size_t kMaxInstructions = 4096;

  // FromBpf()
  //
  // A copy of `instructions`. InvalidArgument when there are none or more
  // than kMaxInstructions (the message gives the count and the limit).
  static absl::StatusOr<SeccompProgram> FromBpf(absl::Span<const sock_filter> instructions);

  // The instructions (never empty).
  absl::Span<const sock_filter> instructions() const { return *instructions_; }
  // How many instructions.
  std::size_t size() const { return instructions_->size(); }

  // True when both hold the same instructions.
  friend bool operator==(const SeccompProgram& a, const SeccompProgram& b);

 private:
  explicit SeccompProgram(std::shared_ptr<const std::vector<sock_filter>> instructions)
      : instructions_(std::move(instructions)) {}
  std::shared_ptr<const std::vector<sock_filter>> instructions_;
};

}  // namespace linuxns

#endif  // LINUXNS_SECCOMP_PROGRAM_H_

// linuxns::SyscallFilter::Parse on arbitrary text, and Compile of what it
// accepts. Properties: a refused text gets InvalidArgument naming the line;
// an accepted filter writes back (ToText) to text that parses to the same
// filter and is a fixed point; Compile either makes a program within the
// kernel's size or says InvalidArgument ("syscall filter: ..."), never
// anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/match.h"
#include "fuzz_util.h"
#include "linuxns/syscall_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<linuxns::SyscallFilter> filter = linuxns::SyscallFilter::Parse(text);
  if (!filter.ok()) {
    LINUXNS_FUZZ_CHECK(filter.status().code() == absl::StatusCode::kInvalidArgument,
                       filter.status().ToString());
    LINUXNS_FUZZ_CHECK(absl::StartsWith(filter.status().message(), "syscall filter: line "),
                       filter.status().ToString());
    return 0;
  }
  const std::string written = filter->ToText();
  absl::StatusOr<linuxns::SyscallFilter> again = linuxns::SyscallFilter::Parse(written);
  LINUXNS_FUZZ_CHECK(again.ok(), again.status().ToString() + "\n" + written);
  LINUXNS_FUZZ_CHECK(*again == *filter, written);
  LINUXNS_FUZZ_CHECK(again->ToText() == written, written);
  // Compiling takes libseccomp's time: only small filters.
  if (filter->rules.size() > 32) return 0;
  absl::StatusOr<linuxns::SeccompProgram> program = filter->Compile();
  if (!program.ok()) {
    LINUXNS_FUZZ_CHECK(program.status().code() == absl::StatusCode::kInvalidArgument,
                       program.status().ToString());
    LINUXNS_FUZZ_CHECK(absl::StartsWith(program.status().message(), "syscall filter: "),
                       program.status().ToString());
    return 0;
  }
  LINUXNS_FUZZ_CHECK(program->size() > 0, written);
  LINUXNS_FUZZ_CHECK(program->size() <= linuxns::SeccompProgram::kMaxInstructions, written);
  return 0;
}

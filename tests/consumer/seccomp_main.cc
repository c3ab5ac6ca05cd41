// Compiles a small system-call filter with linuxns::seccomp and spawns
// /bin/true under it (no privilege needed: the child sets no_new_privs).
// Prints nothing; exits 0 when the child ran and exited 0.
#include <cerrno>
#include <cstdio>

#include "linuxns/child_process.h"
#include "linuxns/syscall_filter.h"

int main() {
  linuxns::SyscallFilter filter;
  filter.Add("reboot", linuxns::SyscallAction::Errno(EPERM));
  absl::StatusOr<linuxns::SeccompProgram> program = filter.Compile();
  if (!program.ok()) {
    std::fprintf(stderr, "%s\n", program.status().ToString().c_str());
    return 1;
  }
  linuxns::SpawnOptions options;
  options.argv = {"/bin/true"};
  options.seccomp = *program;
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
  if (!child.ok()) {
    std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.status().ToString().c_str());
    return 1;
  }
  if (!status->success()) {
    std::fprintf(stderr, "/bin/true under the filter: %s\n", status->ToString().c_str());
    return 1;
  }
  return 0;
}

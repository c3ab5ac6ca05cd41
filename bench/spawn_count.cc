// Spawns a program N times, waiting for each, in one of three ways, so that
// bench/syscall_count.sh can count the system calls of one spawn under
// `strace -f -c`:
//
//   spawn_count linuxns|raw|posix_spawn N [TYPES [PROGRAM]]
//
//   linuxns      ChildProcess::Spawn + Wait (SpawnOptions: argv, empty env)
//   raw          clone(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve + waitpid, as
//                BM_RawVforkExec of spawn_bench
//   posix_spawn  glibc posix_spawn + waitpid
//   TYPES        new namespaces, e.g. "uts,ipc,pid" ("" for none, the
//                default): SpawnOptions::new_namespaces for linuxns, the same
//                CLONE_NEW* flags for raw (no user namespace there: nothing
//                would write its maps); posix_spawn has none
//   PROGRAM      what to exec; default the no-libc exit0 target
//
// Exits 0 when every child exited 0; otherwise says what failed and exits 1.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "linuxns/child_process.h"
#include "linuxns/ns_type.h"
#include "linuxns/spawn_options.h"

namespace {

int Fail(const char* what) {
  std::fprintf(stderr, "spawn_count: %s\n", what);
  return 1;
}

bool ExitedZero(pid_t pid) {
  int status = 0;
  return pid > 0 && ::waitpid(pid, &status, __WALL) == pid && WIFEXITED(status) &&
         WEXITSTATUS(status) == 0;
}

int ExecChild(void* exe) {
  char* const argv[] = {static_cast<char*>(exe), nullptr};
  char* const envp[] = {nullptr};
  ::execve(static_cast<const char*>(exe), argv, envp);
  ::_exit(127);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    return Fail("usage: spawn_count linuxns|raw|posix_spawn N [TYPES [PROGRAM]]");
  }
  const std::string mode = argv[1];
  const long n = std::strtol(argv[2], nullptr, 10);
  absl::StatusOr<linuxns::NsTypeSet> types = linuxns::NsTypeSet::Parse(argc > 3 ? argv[3] : "");
  if (!types.ok()) return Fail(std::string(types.status().message()).c_str());
  const char* exe = argc > 4 ? argv[4] : LINUXNS_BENCH_EXIT0;

  if (mode == "linuxns") {
    linuxns::SpawnOptions options;
    options.argv = {exe};
    options.env = std::vector<std::string>{};
    options.new_namespaces = *types;
    for (long i = 0; i < n; ++i) {
      absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
      if (!child.ok()) return Fail(std::string(child.status().message()).c_str());
      absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
      if (!status.ok() || !status->success()) return Fail("the linuxns child failed");
    }
  } else if (mode == "raw") {
    if (types->Contains(linuxns::NsType::kUser)) return Fail("raw: no user namespace");
    const std::size_t stack_size = 64 * 1024;
    void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return Fail("mmap");
    const int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | static_cast<int>(types->ToCloneFlags());
    for (long i = 0; i < n; ++i) {
      pid_t pid =
          ::clone(ExecChild, static_cast<char*>(stack) + stack_size, flags, const_cast<char*>(exe));
      if (!ExitedZero(pid)) return Fail("the raw child failed");
    }
  } else if (mode == "posix_spawn") {
    if (!types->empty()) return Fail("posix_spawn: no namespaces");
    char* const child_argv[] = {const_cast<char*>(exe), nullptr};
    char* const envp[] = {nullptr};
    for (long i = 0; i < n; ++i) {
      pid_t pid = -1;
      if (::posix_spawn(&pid, exe, nullptr, nullptr, child_argv, envp) != 0 || !ExitedZero(pid)) {
        return Fail("the posix_spawn child failed");
      }
    }
  } else {
    return Fail("mode: linuxns, raw or posix_spawn");
  }
  return 0;
}

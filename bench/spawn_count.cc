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
// With linuxns::seccomp (LINUXNS_BUILD_SECCOMP), a mode may end in
// "+seccomp": the child installs the 50-rule filter of rows A and B
// (seccomp_filter.h, compiled once) just before its execve:
// SpawnOptions::seccomp for linuxns ("linuxns+seccomp+nnp": with
// no_new_privs too), prctl(PR_SET_NO_NEW_PRIVS) + seccomp() in the raw child.
//
// Exits 0 when every child exited 0; otherwise says what failed and exits 1.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "linuxns/child_process.h"
#include "linuxns/ns_type.h"
#include "linuxns/spawn_options.h"
#ifdef LINUXNS_BENCH_HAVE_SECCOMP
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "seccomp_filter.h"
#endif

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

struct RawChild {
  const char* exe;
  const void* filter;  // struct sock_fprog, or null
};

int ExecChild(void* arg) {
  const RawChild& child = *static_cast<const RawChild*>(arg);
  if (child.filter != nullptr) {
    if (::syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(126);
    if (::syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, child.filter) != 0) {
      ::_exit(125);
    }
  }
  char* const argv[] = {const_cast<char*>(child.exe), nullptr};
  char* const envp[] = {nullptr};
  ::execve(child.exe, argv, envp);
  ::_exit(127);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5) {
    return Fail(
        "usage: spawn_count linuxns[+seccomp[+nnp]]|raw[+seccomp]|posix_spawn N [TYPES [PROGRAM]]");
  }
  std::string mode = argv[1];
  bool nnp = false;
  bool filtered = false;
  if (mode.ends_with("+nnp")) {
    nnp = true;
    mode.resize(mode.size() - 4);
  }
  if (mode.ends_with("+seccomp")) {
    filtered = true;
    mode.resize(mode.size() - 8);
  }
  if (nnp && (!filtered || mode != "linuxns")) return Fail("+nnp: linuxns+seccomp+nnp only");
  if (filtered && mode == "posix_spawn") return Fail("posix_spawn: no filter");
#ifdef LINUXNS_BENCH_HAVE_SECCOMP
  std::optional<linuxns::SeccompProgram> program;
  sock_fprog fprog{};
  if (filtered) {
    absl::StatusOr<linuxns::SeccompProgram> compiled = linuxns_bench::CompileRareFilter();
    if (!compiled.ok()) return Fail(std::string(compiled.status().message()).c_str());
    program = *std::move(compiled);
    fprog.len = static_cast<unsigned short>(program->size());
    fprog.filter = const_cast<sock_filter*>(program->instructions().data());
  }
#else
  if (filtered) return Fail("+seccomp: built without linuxns::seccomp (LINUXNS_BUILD_SECCOMP)");
#endif
  const long n = std::strtol(argv[2], nullptr, 10);
  absl::StatusOr<linuxns::NsTypeSet> types = linuxns::NsTypeSet::Parse(argc > 3 ? argv[3] : "");
  if (!types.ok()) return Fail(std::string(types.status().message()).c_str());
  const char* exe = argc > 4 ? argv[4] : LINUXNS_BENCH_EXIT0;

  if (mode == "linuxns") {
    linuxns::SpawnOptions options;
    options.argv = {exe};
    options.env = std::vector<std::string>{};
    options.new_namespaces = *types;
#ifdef LINUXNS_BENCH_HAVE_SECCOMP
    options.seccomp = program;
    options.no_new_privs = nnp;
#endif
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
    RawChild child{exe, nullptr};
#ifdef LINUXNS_BENCH_HAVE_SECCOMP
    if (filtered) child.filter = &fprog;
#endif
    for (long i = 0; i < n; ++i) {
      pid_t pid = ::clone(ExecChild, static_cast<char*>(stack) + stack_size, flags, &child);
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

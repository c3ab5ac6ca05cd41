// Spawn benchmarks: linuxns against the raw system calls, in the same binary
// and the same run (bench/README.md explains the rows and how to read them).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "benchmark/benchmark.h"
#include "child_cpu.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/ns_fd.h"

namespace {

// The two programs spawned (bench/CMakeLists.txt): `true`: a static glibc
// program that exits 0 (its own start-up is ~0.45 ms on these VMs); `exit0`:
// no libc, _start is exit_group(0), so that what is timed is the spawn.
// Each spawn row is registered once per program, named first after the
// program: BM_SpawnExec/exit0 pairs with BM_RawVforkExec/exit0 and
// BM_PosixSpawnExec/exit0, BM_SpawnExecFromLargeParent/exit0/1024 with
// BM_SpawnExecFromLargeParent/exit0/16.
const char* const kTinyTrue = LINUXNS_BENCH_TINY_TRUE;
const char* const kExit0 = LINUXNS_BENCH_EXIT0;

// The raw baseline: clone(CLONE_VM|CLONE_VFORK) + execve + waitpid, as
// posix_spawn does it, without its bookkeeping.
int ExecChild(void* exe) {
  char* const argv[] = {static_cast<char*>(exe), nullptr};
  char* const envp[] = {nullptr};
  ::execve(static_cast<const char*>(exe), argv, envp);
  ::_exit(127);
}

// Keeps `mib` MiB of ballast resident in this process (row 3; 0 frees it).
// The ballast stays from one row to the next until a row asks for another
// size, and the rows that ask for 1 GiB run one after the other, last: the
// GiB is allocated and touched once per run, not once per call of each row
// (seconds each; minutes for the smoke test under ASan).
void KeepResident(std::int64_t mib) {
  static char* data = nullptr;
  static std::size_t bytes = 0;
  const std::size_t want = static_cast<std::size_t>(mib) << 20;
  if (want == bytes) return;
  ::free(data);
  data = want == 0 ? nullptr : static_cast<char*>(::malloc(want));
  bytes = want;
  for (std::size_t i = 0; i < bytes; i += 4096) data[i] = 1;  // resident
  benchmark::DoNotOptimize(data);
  benchmark::ClobberMemory();
}

void RawVforkExec(benchmark::State& state, const char* exe, std::int64_t ballast_mib) {
  KeepResident(ballast_mib);
  const std::size_t stack_size = 64 * 1024;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  char* top = static_cast<char*>(stack) + stack_size;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    pid_t pid = ::clone(ExecChild, top, CLONE_VM | CLONE_VFORK | SIGCHLD, const_cast<char*>(exe));
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) state.SkipWithError("child failed");
  }
  child_cpu.Report(state);
  ::munmap(stack, stack_size);
}

// What a user would otherwise write: glibc's posix_spawn + waitpid.
void PosixSpawnExec(benchmark::State& state, const char* exe, std::int64_t ballast_mib) {
  KeepResident(ballast_mib);
  char* const argv[] = {const_cast<char*>(exe), nullptr};
  char* const envp[] = {nullptr};
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    pid_t pid = -1;
    int status = 0;
    if (::posix_spawn(&pid, exe, nullptr, nullptr, argv, envp) != 0 ||
        ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("posix_spawn child failed");
    }
  }
  child_cpu.Report(state);
}

void SpawnExec(benchmark::State& state, const char* exe, std::int64_t ballast_mib) {
  KeepResident(ballast_mib);
  linuxns::SpawnOptions options;
  options.argv = {exe};
  options.env = std::vector<std::string>{};
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok() || !child->Wait().ok()) state.SkipWithError("spawn failed");
  }
  child_cpu.Report(state);
}

// Row 1: spawn + exec + reap, no namespaces.
void BM_RawVforkExec(benchmark::State& state, const char* exe) { RawVforkExec(state, exe, 0); }
void BM_PosixSpawnExec(benchmark::State& state, const char* exe) { PosixSpawnExec(state, exe, 0); }
void BM_SpawnExec(benchmark::State& state, const char* exe) { SpawnExec(state, exe, 0); }
BENCHMARK_CAPTURE(BM_RawVforkExec, true, kTinyTrue)->UseRealTime();
BENCHMARK_CAPTURE(BM_PosixSpawnExec, true, kTinyTrue)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnExec, true, kTinyTrue)->UseRealTime();
BENCHMARK_CAPTURE(BM_RawVforkExec, exit0, kExit0)->UseRealTime();
BENCHMARK_CAPTURE(BM_PosixSpawnExec, exit0, kExit0)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnExec, exit0, kExit0)->UseRealTime();

// Row 1, one part of linuxns' cost on its own: the signal reset its child
// makes before the exec (lib/child/spawn.cc, before the clone3 rework): one
// rt_sigaction per signal but SIGKILL and SIGSTOP (62) and one
// rt_sigprocmask. Here each signal gets back the action it has (the kernel's
// struct, as read), so that this process keeps its own handlers.
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  unsigned long mask;
};

void BM_RawSignalReset(benchmark::State& state) {
  KernelSigaction actions[65] = {};
  for (int sig = 1; sig < 65; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) {
      ::syscall(SYS_rt_sigaction, sig, nullptr, &actions[sig], sizeof(unsigned long));
    }
  }
  unsigned long mask = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, nullptr, &mask, sizeof mask);
  for (auto _ : state) {
    for (int sig = 1; sig < 65; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) {
        ::syscall(SYS_rt_sigaction, sig, &actions[sig], nullptr, sizeof(unsigned long));
      }
    }
    ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, nullptr, sizeof mask);
  }
}
BENCHMARK(BM_RawSignalReset);

// Row 7: open + identify + compare a namespace.
void BM_RawOpenFstat(benchmark::State& state) {
  struct stat mine;
  ::stat("/proc/thread-self/ns/net", &mine);
  for (auto _ : state) {
    int fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    struct stat st;
    ::fstat(fd, &st);
    benchmark::DoNotOptimize(st.st_ino == mine.st_ino && st.st_dev == mine.st_dev);
    ::close(fd);
  }
}
BENCHMARK(BM_RawOpenFstat);

void BM_NsFdOpenIdentify(benchmark::State& state) {
  const linuxns::NsId mine = linuxns::NsFd::OpenCurrent(linuxns::NsType::kNet)->id();
  for (auto _ : state) {
    absl::StatusOr<linuxns::NsFd> ns = linuxns::NsFd::OpenCurrent(linuxns::NsType::kNet);
    benchmark::DoNotOptimize(ns.ok() && ns->id() == mine);
  }
}
BENCHMARK(BM_NsFdOpenIdentify);

// Row 5: a UDP socket made in another network namespace (root only).
void BM_RawSetnsSocket(benchmark::State& state) {
  absl::StatusOr<linuxns::Namespace> ns = linuxns::Namespace::Create({linuxns::NsType::kNet});
  if (!ns.ok()) return state.SkipWithError("needs root to create a network namespace");
  int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const int target = ns->Find(linuxns::NsType::kNet)->get();
  for (auto _ : state) {
    ::setns(target, CLONE_NEWNET);
    int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ::setns(home, CLONE_NEWNET);
    ::close(sock);
  }
  ::close(home);
}
BENCHMARK(BM_RawSetnsSocket);

void BM_ThreadNsEntrySocket(benchmark::State& state) {
  absl::StatusOr<linuxns::Namespace> ns = linuxns::Namespace::Create({linuxns::NsType::kNet});
  if (!ns.ok()) return state.SkipWithError("needs root to create a network namespace");
  absl::StatusOr<linuxns::ThreadNsEntry> entry =
      linuxns::ThreadNsEntry::Prepare({ns->Find(linuxns::NsType::kNet)});
  for (auto _ : state) {
    absl::StatusOr<int> sock =
        entry->Run([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    ::close(*sock);
  }
}
BENCHMARK(BM_ThreadNsEntrySocket);

void BM_RunInNamespacesHereSocket(benchmark::State& state) {
  absl::StatusOr<linuxns::Namespace> ns = linuxns::Namespace::Create({linuxns::NsType::kNet});
  if (!ns.ok()) return state.SkipWithError("needs root to create a network namespace");
  for (auto _ : state) {
    absl::StatusOr<int> sock = linuxns::RunInNamespacesHere({ns->Find(linuxns::NsType::kNet)}, [] {
      return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    });
    ::close(*sock);
  }
}
BENCHMARK(BM_RunInNamespacesHereSocket);

// Row 3: the same from a parent with `range(0)` MiB resident, 16 (every row)
// then 1024 (every row): last in this file, the GiB stays resident until the
// process exits.
void BM_RawVforkExecFromLargeParent(benchmark::State& state, const char* exe) {
  RawVforkExec(state, exe, state.range(0));
}
void BM_PosixSpawnExecFromLargeParent(benchmark::State& state, const char* exe) {
  PosixSpawnExec(state, exe, state.range(0));
}
void BM_SpawnExecFromLargeParent(benchmark::State& state, const char* exe) {
  SpawnExec(state, exe, state.range(0));
}
BENCHMARK_CAPTURE(BM_RawVforkExecFromLargeParent, true, kTinyTrue)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_PosixSpawnExecFromLargeParent, true, kTinyTrue)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnExecFromLargeParent, true, kTinyTrue)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_RawVforkExecFromLargeParent, exit0, kExit0)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_PosixSpawnExecFromLargeParent, exit0, kExit0)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnExecFromLargeParent, exit0, kExit0)->Arg(16)->UseRealTime();
BENCHMARK_CAPTURE(BM_RawVforkExecFromLargeParent, true, kTinyTrue)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_PosixSpawnExecFromLargeParent, true, kTinyTrue)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnExecFromLargeParent, true, kTinyTrue)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_RawVforkExecFromLargeParent, exit0, kExit0)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_PosixSpawnExecFromLargeParent, exit0, kExit0)->Arg(1024)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnExecFromLargeParent, exit0, kExit0)->Arg(1024)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

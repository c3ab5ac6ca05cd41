// Spawn benchmarks: linuxns against the raw system calls, in the same binary
// and the same run (bench/README.md explains the rows and how to read them).
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "benchmark/benchmark.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/ns_fd.h"

namespace {

const char* const kTinyTrue = LINUXNS_BENCH_TINY_TRUE;

// Row 1, baseline: clone(CLONE_VM|CLONE_VFORK) + execve + waitpid, as
// posix_spawn does it.
int ExecTiny(void*) {
  char* const argv[] = {const_cast<char*>(kTinyTrue), nullptr};
  char* const envp[] = {nullptr};
  ::execve(kTinyTrue, argv, envp);
  ::_exit(127);
}

void BM_RawVforkExec(benchmark::State& state) {
  const std::size_t stack_size = 64 * 1024;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  char* top = static_cast<char*>(stack) + stack_size;
  for (auto _ : state) {
    pid_t pid = ::clone(ExecTiny, top, CLONE_VM | CLONE_VFORK | SIGCHLD, nullptr);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) state.SkipWithError("child failed");
  }
  ::munmap(stack, stack_size);
}
BENCHMARK(BM_RawVforkExec)->UseRealTime();

void BM_SpawnExec(benchmark::State& state) {
  linuxns::SpawnOptions options;
  options.argv = {kTinyTrue};
  options.env = std::vector<std::string>{};
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok() || !child->Wait().ok()) state.SkipWithError("spawn failed");
  }
}
BENCHMARK(BM_SpawnExec)->UseRealTime();

// Row 3: the same spawn from a parent with `range(0)` MiB resident.
void BM_SpawnExecFromLargeParent(benchmark::State& state) {
  const std::size_t bytes = static_cast<std::size_t>(state.range(0)) << 20;
  char* ballast = static_cast<char*>(::malloc(bytes));
  for (std::size_t i = 0; i < bytes; i += 4096) ballast[i] = 1;  // resident
  linuxns::SpawnOptions options;
  options.argv = {kTinyTrue};
  options.env = std::vector<std::string>{};
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok() || !child->Wait().ok()) state.SkipWithError("spawn failed");
  }
  benchmark::DoNotOptimize(ballast[bytes / 2]);
  ::free(ballast);
}
BENCHMARK(BM_SpawnExecFromLargeParent)->Arg(16)->Arg(1024)->UseRealTime();

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

}  // namespace

BENCHMARK_MAIN();

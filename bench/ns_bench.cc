// Namespace benchmarks (rows 2, 4, 6, 8 of bench/README.md): linuxns against
// the raw system calls, in the same binary and the same run. Root only; the
// rows skip otherwise.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "benchmark/benchmark.h"
#include "child_cpu.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_type.h"
#include "linuxns/pid_fd.h"
#include "linuxns/spawn_options.h"

namespace {

using linuxns::NsType;
using linuxns::NsTypeSet;

// The two programs spawned (bench/CMakeLists.txt): `true`, a static glibc
// program (~0.45 ms of start-up of its own here), and `exit0`, no libc,
// _start is exit_group(0). The spawn rows are registered once per program,
// with the program as the first part after the name: BM_SpawnUtsIpcPidExec/
// exit0 pairs with BM_RawCloneUtsIpcPidExec/exit0.
const char* const kTinyTrue = LINUXNS_BENCH_TINY_TRUE;
const char* const kExit0 = LINUXNS_BENCH_EXIT0;
constexpr std::size_t kStackSize = 64 * 1024;

// A stack for clone(CLONE_VM|CLONE_VFORK) children, one per benchmark thread.
class Stack {
 public:
  Stack()
      : base_(::mmap(nullptr, kStackSize, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) {}
  ~Stack() { ::munmap(base_, kStackSize); }
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  void* top() const { return static_cast<char*>(base_) + kStackSize; }

 private:
  void* base_;
};

bool Reap(pid_t pid) {
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, __WALL) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The raw children run on a stack of ours that AddressSanitizer does not
// know: its no-return handling (before execve's fallback _exit and the like)
// reports a false stack-buffer-underflow there, and the first raw row of a
// sanitizer build failed. The code that runs in them is not instrumented.
#define RAW_CHILD __attribute__((no_sanitize("address")))

RAW_CHILD [[noreturn]] void ExecOrDie(const char* exe) {
  char* const argv[] = {const_cast<char*>(exe), nullptr};
  char* const envp[] = {nullptr};
  ::execve(exe, argv, envp);
  ::_exit(127);
}

// A clone() child function: exec `exe`.
RAW_CHILD int ExecChild(void* exe) { ExecOrDie(static_cast<const char*>(exe)); }

bool WriteFile(const char* path, const char* text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const auto len = static_cast<ssize_t>(std::strlen(text));
  const bool ok = ::write(fd, text, static_cast<std::size_t>(len)) == len;
  ::close(fd);
  return ok;
}

std::int64_t NowNs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

constexpr NsTypeSet kRow2Types = {NsType::kUser, NsType::kMnt, NsType::kUts, NsType::kIpc,
                                  NsType::kPid};
constexpr int kRow2Flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;

// ---------------------------------------------------------------------------
// Row 2 (uts+ipc+pid): spawn + exec + reap into new uts+ipc+pid namespaces,
// as root, against the raw clone with the same CLONE_NEW* flags.

constexpr NsTypeSet kUtsIpcPidTypes = {NsType::kUts, NsType::kIpc, NsType::kPid};
constexpr int kUtsIpcPidFlags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID;

void BM_RawCloneUtsIpcPidExec(benchmark::State& state, const char* exe) {
  Stack stack;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    pid_t pid = ::clone(ExecChild, stack.top(), CLONE_VM | CLONE_VFORK | kUtsIpcPidFlags | SIGCHLD,
                        const_cast<char*>(exe));
    if (!Reap(pid)) return state.SkipWithError("raw clone into uts+ipc+pid failed (root?)");
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_RawCloneUtsIpcPidExec, true, kTinyTrue)->UseRealTime();
BENCHMARK_CAPTURE(BM_RawCloneUtsIpcPidExec, exit0, kExit0)->UseRealTime();

// The same raw clone, but tracked as linuxns tracks a child: a pidfd from
// the clone (CLONE_PIDFD), reaped with waitid(P_PIDFD), closed after. The
// pidfd holds the child's struct pid, and with it the new pid namespace,
// until the close: this row against the one above is the kernel's price of
// that, apart from anything linuxns does (bench/README.md, row 2).
void BM_RawCloneUtsIpcPidPidfdExec(benchmark::State& state, const char* exe) {
  Stack stack;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    int pidfd = -1;
    const pid_t pid = ::clone(ExecChild, stack.top(),
                              CLONE_VM | CLONE_VFORK | CLONE_PIDFD | kUtsIpcPidFlags | SIGCHLD,
                              const_cast<char*>(exe), &pidfd);
    siginfo_t info{};
    const bool reaped =
        pid > 0 && ::syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | __WALL, nullptr) == 0;
    if (pidfd >= 0) ::close(pidfd);
    if (!reaped || info.si_code != CLD_EXITED || info.si_status != 0) {
      return state.SkipWithError("raw clone into uts+ipc+pid with a pidfd failed (root?)");
    }
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_RawCloneUtsIpcPidPidfdExec, exit0, kExit0)->UseRealTime();

void BM_SpawnUtsIpcPidExec(benchmark::State& state, const char* exe) {
  linuxns::SpawnOptions options;
  options.argv = {exe};
  options.env = std::vector<std::string>{};
  options.new_namespaces = kUtsIpcPidTypes;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok()) return state.SkipWithError(std::string(child.status().message()).c_str());
    absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
    if (!status.ok()) return state.SkipWithError("wait failed");
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_SpawnUtsIpcPidExec, true, kTinyTrue)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnUtsIpcPidExec, exit0, kExit0)->UseRealTime();

// ---------------------------------------------------------------------------
// Row 2: spawn + exec + reap into user+mnt+uts+ipc+pid with a root id map.

struct MapArgs {
  char uid_map[64];
  char gid_map[64];
  const char* exe;
};

RAW_CHILD int RawUserNsChild(void* arg) {
  const auto* maps = static_cast<const MapArgs*>(arg);
  if (!WriteFile("/proc/self/uid_map", maps->uid_map) ||
      !WriteFile("/proc/self/setgroups", "deny") ||
      !WriteFile("/proc/self/gid_map", maps->gid_map)) {
    ::_exit(126);
  }
  ExecOrDie(maps->exe);
}

void BM_RawCloneUserNsExec(benchmark::State& state, const char* exe) {
  Stack stack;
  MapArgs maps;
  maps.exe = exe;
  std::snprintf(maps.uid_map, sizeof maps.uid_map, "0 %u 1", ::geteuid());
  std::snprintf(maps.gid_map, sizeof maps.gid_map, "0 %u 1", ::getegid());
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    pid_t pid =
        ::clone(RawUserNsChild, stack.top(), CLONE_VM | CLONE_VFORK | kRow2Flags | SIGCHLD, &maps);
    if (!Reap(pid)) return state.SkipWithError("raw clone into namespaces failed (root?)");
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_RawCloneUserNsExec, true, kTinyTrue)->UseRealTime();
BENCHMARK_CAPTURE(BM_RawCloneUserNsExec, exit0, kExit0)->UseRealTime();

// arg 0: the default propagation (MS_REC|MS_PRIVATE on /, one extra mount
// call); arg 1: Propagation::kUnchanged, the exact work of the raw baseline.
void BM_SpawnUserNsExec(benchmark::State& state, const char* exe) {
  linuxns::SpawnOptions options;
  options.argv = {exe};
  options.env = std::vector<std::string>{};
  options.new_namespaces = kRow2Types;
  options.MapCurrentUserToRoot();
  if (state.range(0) == 1) options.propagation = linuxns::Propagation::kUnchanged;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok()) return state.SkipWithError(std::string(child.status().message()).c_str());
    absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
    if (!status.ok()) return state.SkipWithError("wait failed");
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_SpawnUserNsExec, true, kTinyTrue)->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnUserNsExec, exit0, kExit0)->Arg(0)->Arg(1)->UseRealTime();

// ---------------------------------------------------------------------------
// Row 4: join the seven namespaces of a target process.

constexpr NsTypeSet kJoinTypes = {NsType::kCgroup, NsType::kIpc,  NsType::kMnt, NsType::kNet,
                                  NsType::kPid,    NsType::kUser, NsType::kUts};
constexpr int kJoinFlags = CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET |
                           CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWUTS;
// user first: it owns the others, so joining it first gives the rights to
// join them (what nsenter does).
constexpr const char* kJoinNames[] = {"user", "cgroup", "ipc", "uts", "net", "pid", "mnt"};
constexpr int kJoinNameFlags[] = {CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWUTS,
                                  CLONE_NEWNET,  CLONE_NEWPID,    CLONE_NEWNS};

// A `sleep` in new namespaces of all seven types, killed at the end.
class Target {
 public:
  Target() {
    linuxns::SpawnOptions options;
    options.argv = {"/bin/sleep", "1000000"};
    options.new_namespaces = kJoinTypes;
    options.MapCurrentUserToRoot();
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (child.ok()) child_.emplace(*std::move(child));
  }
  ~Target() {
    if (child_) {
      (void)child_->Signal(SIGKILL);
      (void)child_->Wait();
    }
  }
  bool ok() const { return child_.has_value(); }
  const linuxns::PidFd& pidfd() const { return child_->pidfd(); }
  pid_t pid() const { return child_->pidfd().pid(); }

 private:
  std::optional<linuxns::ChildProcess> child_;
};

// How the raw child ends after the join.
enum JoinThen {
  kJoinOnly = 0,       // _exit: only the join is timed (inside the child)
  kJoinExec = 1,       // execve in the joining child: the program is NOT in the target's pid ns
  kJoinVforkExec = 2,  // vfork a grandchild (CLONE_PARENT) that is born in the target's pid
                       // ns and execs: what SpawnOptions::join_process gives
};

struct JoinArgs {
  int pidfd = -1;
  int flags = kJoinFlags;
  char paths[7][64];
  std::int64_t elapsed_ns = 0;  // written by the child (CLONE_VM)
  int then = kJoinExec;
  pid_t grandchild = -1;  // written by the child (CLONE_VM)
  void* grandchild_stack = nullptr;
  const char* exe = kTinyTrue;
};

RAW_CHILD [[noreturn]] void AfterJoin(JoinArgs* args) {
  if (args->then == kJoinExec) ExecOrDie(args->exe);
  if (args->then == kJoinVforkExec) {
    args->grandchild =
        ::clone(ExecChild, args->grandchild_stack, CLONE_VM | CLONE_VFORK | CLONE_PARENT | SIGCHLD,
                const_cast<char*>(args->exe));
  }
  ::_exit(0);
}

RAW_CHILD int RawPidfdJoinChild(void* arg) {
  auto* args = static_cast<JoinArgs*>(arg);
  const std::int64_t start = NowNs();
  if (::setns(args->pidfd, args->flags) != 0) ::_exit(125);
  args->elapsed_ns = NowNs() - start;
  AfterJoin(args);
}

RAW_CHILD int RawProcJoinChild(void* arg) {
  auto* args = static_cast<JoinArgs*>(arg);
  const std::int64_t start = NowNs();
  int fds[7];
  for (int i = 0; i < 7; ++i) {
    fds[i] = ::open(args->paths[i], O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0) ::_exit(124);
  }
  for (int i = 0; i < 7; ++i) {
    if (::setns(fds[i], kJoinNameFlags[i]) != 0) ::_exit(125);
  }
  args->elapsed_ns = NowNs() - start;
  for (int fd : fds) ::close(fd);
  AfterJoin(args);
}

// range(0): 0 = setns(pidfd, 7 flags), 1 = 7 /proc opens + 7 setns,
//           2 = setns(pidfd, the 6 flags without CLONE_NEWPID).
// range(1): a JoinThen. kJoinOnly times only the join, inside a fresh
// short-lived child (manual time); the others time spawn+exec+reap.
void BM_RawJoin(benchmark::State& state, const char* exe) {
  Target target;
  if (!target.ok()) return state.SkipWithError("cannot start the target (root?)");
  Stack stack;
  Stack grandchild_stack;
  JoinArgs args;
  args.exe = exe;
  args.pidfd = target.pidfd().get();
  if (state.range(0) == 2) args.flags = kJoinFlags & ~CLONE_NEWPID;
  args.then = static_cast<int>(state.range(1));
  args.grandchild_stack = grandchild_stack.top();
  for (int i = 0; i < 7; ++i) {
    std::snprintf(args.paths[i], sizeof args.paths[i], "/proc/%d/ns/%s",
                  static_cast<int>(target.pid()), kJoinNames[i]);
  }
  int (*const fn)(void*) = state.range(0) == 1 ? RawProcJoinChild : RawPidfdJoinChild;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    const std::int64_t start = NowNs();
    pid_t pid = ::clone(fn, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    if (!Reap(pid)) return state.SkipWithError("raw join failed");
    if (args.then == kJoinVforkExec && !Reap(args.grandchild)) {
      return state.SkipWithError("raw grandchild failed");
    }
    const std::int64_t total = NowNs() - start;
    state.SetIterationTime(static_cast<double>(args.then == kJoinOnly ? args.elapsed_ns : total) *
                           1e-9);
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_RawJoin, true, kTinyTrue)
    ->ArgNames({"how", "then"})
    ->Args({0, kJoinExec})
    ->Args({1, kJoinExec})
    ->Args({0, kJoinVforkExec})
    ->Args({2, kJoinExec})
    ->Args({0, kJoinOnly})
    ->Args({1, kJoinOnly})
    ->UseManualTime();
// No join-only rows: they exec nothing.
BENCHMARK_CAPTURE(BM_RawJoin, exit0, kExit0)
    ->ArgNames({"how", "then"})
    ->Args({0, kJoinExec})
    ->Args({1, kJoinExec})
    ->Args({0, kJoinVforkExec})
    ->Args({2, kJoinExec})
    ->UseManualTime();

// range(0): 0 = all seven types; 1 = without pid (no pid_for_children dance
// on a spawning thread).
void BM_SpawnJoinProcess(benchmark::State& state, const char* exe) {
  Target target;
  if (!target.ok()) return state.SkipWithError("cannot start the target (root?)");
  linuxns::SpawnOptions options;
  options.argv = {exe};
  options.env = std::vector<std::string>{};
  options.join_process = &target.pidfd();
  options.join_process_types = kJoinTypes;
  if (state.range(0) == 1) options.join_process_types.Remove(NsType::kPid);
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok()) return state.SkipWithError(std::string(child.status().message()).c_str());
    absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
    if (!status.ok()) return state.SkipWithError("wait failed");
  }
  child_cpu.Report(state);
}
BENCHMARK_CAPTURE(BM_SpawnJoinProcess, true, kTinyTrue)
    ->ArgName("nopid")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnJoinProcess, exit0, kExit0)
    ->ArgName("nopid")
    ->Arg(0)
    ->Arg(1)
    ->UseRealTime();

// ---------------------------------------------------------------------------
// Row 6: create and destroy one namespace of each type (range(0) = NsType).

constexpr int kTypeFlags[] = {CLONE_NEWNS,  CLONE_NEWUTS,  CLONE_NEWIPC,    CLONE_NEWPID,
                              CLONE_NEWNET, CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWTIME};

void TypeArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("type");
  for (int t = 0; t < 8; ++t) b->Arg(t);
}

void LabelType(benchmark::State& state) {
  state.SetLabel(std::string(linuxns::NsTypeName(static_cast<NsType>(state.range(0)))));
}

void BM_RawForkUnshare(benchmark::State& state) {
  LabelType(state);
  const int flag = kTypeFlags[state.range(0)];
  for (auto _ : state) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(::unshare(flag) == 0 ? 0 : 1);
    if (!Reap(pid)) return state.SkipWithError("fork+unshare failed (root?)");
  }
}
BENCHMARK(BM_RawForkUnshare)->Apply(TypeArgs)->UseRealTime();

RAW_CHILD int ExitZero(void*) { ::_exit(0); }

// The cheapest raw form: the child is born in the namespace and exits.
// (clone() refuses CLONE_NEWTIME: no time row here; fork+unshare is its baseline.)
void BM_RawVforkCloneNs(benchmark::State& state) {
  LabelType(state);
  Stack stack;
  const int flag = kTypeFlags[state.range(0)];
  for (auto _ : state) {
    pid_t pid = ::clone(ExitZero, stack.top(), CLONE_VM | CLONE_VFORK | flag | SIGCHLD, nullptr);
    if (!Reap(pid)) return state.SkipWithError("clone failed (root?)");
  }
}
BENCHMARK(BM_RawVforkCloneNs)->ArgName("type")->DenseRange(0, 6)->UseRealTime();

void BM_NamespaceCreate(benchmark::State& state) {
  LabelType(state);
  const NsTypeSet types = {static_cast<NsType>(state.range(0))};
  for (auto _ : state) {
    absl::StatusOr<linuxns::Namespace> ns = linuxns::Namespace::Create(types);
    if (!ns.ok()) return state.SkipWithError(std::string(ns.status().message()).c_str());
  }
}
BENCHMARK(BM_NamespaceCreate)->Apply(TypeArgs)->UseRealTime();

// ---------------------------------------------------------------------------
// Row 8: spawns per second from 1 and 2 threads (items_per_second is the
// total over all threads).

void BM_RawVforkExecThreads(benchmark::State& state) {
  Stack stack;
  for (auto _ : state) {
    pid_t pid = ::clone(ExecChild, stack.top(), CLONE_VM | CLONE_VFORK | SIGCHLD,
                        const_cast<char*>(kTinyTrue));
    if (!Reap(pid)) return state.SkipWithError("child failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawVforkExecThreads)->Threads(1)->Threads(2)->UseRealTime();

void BM_SpawnExecThreads(benchmark::State& state) {
  linuxns::SpawnOptions options;
  options.argv = {kTinyTrue};
  options.env = std::vector<std::string>{};
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok() || !child->Wait().ok()) return state.SkipWithError("spawn failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpawnExecThreads)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

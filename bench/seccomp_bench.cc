// Spawn benchmarks with a system-call filter (SpawnOptions::seccomp): rows A
// and B of bench/README.md, linuxns against the same spawn without a filter
// and against the raw system calls, in the same binary and the same run.
//
// The filter: 50 rarely used system calls, each errno EPERM, every other call
// allowed, compiled ONCE by linuxns::SyscallFilter (libseccomp) before any
// timed loop; every row that installs a filter installs this same BPF
// program. Every filter is installed by the child alone, between its clone
// and its execve: a CLONE_VM child is a task of its own, and its seccomp
// filter and no_new_privs bit are the task's, so they die with it and this
// process never has one (each row checks that after its loop). Repeated
// spawns therefore stack nothing.
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "child_cpu.h"
#include "linuxns/child_process.h"
#include "linuxns/seccomp_program.h"
#include "linuxns/spawn_options.h"
#include "seccomp_filter.h"

namespace {

const char* const kTinyTrue = LINUXNS_BENCH_TINY_TRUE;
const char* const kExit0 = LINUXNS_BENCH_EXIT0;

// The programs, by the rows' `filter` argument:
//   1  the 50 rules as linuxns::SyscallFilter::Compile() makes them (rows A
//      and B; 2 is the same program, with no_new_privs in the linuxns child)
//   3  the same 50 rules compiled by libseccomp as a binary tree
//      (SCMP_FLTATR_CTL_OPTIMIZE = 2), given with SeccompProgram::FromBpf:
//      what a change to Compile() would give (report only)
//   4  one instruction, SECCOMP_RET_ALLOW: what any filter costs (report only)
// Each is made once, on first use, outside any timed loop.
struct Programs {
  std::optional<linuxns::SeccompProgram> rules;
  std::optional<linuxns::SeccompProgram> tree;
  std::optional<linuxns::SeccompProgram> allow;
  std::string error;  // why one could not be made
};

// The 50 rules through libseccomp directly, as a binary tree.
absl::StatusOr<linuxns::SeccompProgram> CompileRareFilterAsTree() {
  scmp_filter_ctx ctx = ::seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return absl::InternalError("seccomp_init");
  std::vector<sock_filter> instructions;
  // As Compile() makes it (lib/seccomp/syscall_filter.cc): another
  // architecture kills the process; the i386 and x32 tables as well; and
  // the one difference, the layout.
  bool ok = ::seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) == 0 &&
            ::seccomp_arch_add(ctx, SCMP_ARCH_X86) == 0 &&
            ::seccomp_arch_add(ctx, SCMP_ARCH_X32) == 0 &&
            ::seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) == 0;
  for (const char* name : linuxns_bench::kRareSyscalls) {
    ok = ok && ::seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), ::seccomp_syscall_resolve_name(name),
                                  0) == 0;
  }
  // libseccomp 2.5 exports to a descriptor only.
  const int fd = ok ? ::memfd_create("bpf", MFD_CLOEXEC) : -1;
  if (fd >= 0 && ::seccomp_export_bpf(ctx, fd) == 0) {
    const off_t bytes = ::lseek(fd, 0, SEEK_END);
    instructions.resize(static_cast<std::size_t>(bytes) / sizeof(sock_filter));
    ok = bytes > 0 && ::pread(fd, instructions.data(), static_cast<std::size_t>(bytes), 0) == bytes;
  } else {
    ok = false;
  }
  if (fd >= 0) ::close(fd);
  ::seccomp_release(ctx);
  if (!ok) return absl::InternalError("libseccomp could not make the binary-tree program");
  return linuxns::SeccompProgram::FromBpf(instructions);
}

const Programs& GetPrograms() {
  static const Programs programs = [] {
    Programs p;
    absl::StatusOr<linuxns::SeccompProgram> rules = linuxns_bench::CompileRareFilter();
    if (!rules.ok()) {
      p.error = "SyscallFilter::Compile: " + std::string(rules.status().message());
      return p;
    }
    p.rules = *std::move(rules);
    absl::StatusOr<linuxns::SeccompProgram> tree = CompileRareFilterAsTree();
    if (tree.ok()) p.tree = *std::move(tree);
    const sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    absl::StatusOr<linuxns::SeccompProgram> one = linuxns::SeccompProgram::FromBpf(allow);
    if (one.ok()) p.allow = *std::move(one);
    return p;
  }();
  return programs;
}

// The program of `filter` (null for 0), or null with the row skipped (and
// `skipped` set) when this kernel has no seccomp filters or the program
// cannot be made: the CI smoke run must not fail for either.
const linuxns::SeccompProgram* ProgramOrSkip(benchmark::State& state, int filter, bool* skipped) {
  *skipped = true;
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0) {
    state.SkipWithError("seccomp unsupported by this kernel (prctl(PR_GET_SECCOMP) failed)");
    return nullptr;
  }
  const Programs& p = GetPrograms();
  if (!p.rules) {
    state.SkipWithError(p.error.c_str());
    return nullptr;
  }
  const std::optional<linuxns::SeccompProgram>* program = filter == 0   ? nullptr
                                                          : filter <= 2 ? &p.rules
                                                          : filter == 3 ? &p.tree
                                                                        : &p.allow;
  if (program != nullptr && !*program) {
    state.SkipWithError("this program could not be made (libseccomp)");
    return nullptr;
  }
  *skipped = false;
  state.counters["bpf_insns"] = program == nullptr ? 0.0 : static_cast<double>((*program)->size());
  return program == nullptr ? nullptr : &**program;
}

// After each row: the spawns left this process without a filter and without
// no_new_privs (the children's filters died with them).
void CheckParentUnfiltered(benchmark::State& state) {
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0 || ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0) {
    state.SkipWithError("the benchmark process itself is filtered or has no_new_privs");
  }
}

// The raw baseline, as BM_RawVforkExec of spawn_bench.cc: glibc's
// clone(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve + waitpid; with a filter, the
// child sets no_new_privs and installs the filter just before its execve.
struct RawChild {
  const char* exe;
  const sock_fprog* filter;  // null: no filter
};

int RawExecChild(void* arg) {
  const RawChild& child = *static_cast<const RawChild*>(arg);
  if (child.filter != nullptr) {
    if (::syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(126);
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, child.filter) != 0) ::_exit(125);
  }
  char* const argv[] = {const_cast<char*>(child.exe), nullptr};
  char* const envp[] = {nullptr};
  ::execve(child.exe, argv, envp);
  ::_exit(127);
}

void RawVforkExec(benchmark::State& state, const char* exe, int filter) {
  bool skipped = false;
  const linuxns::SeccompProgram* program = ProgramOrSkip(state, filter, &skipped);
  if (skipped) return;
  // struct sock_fprog points at the SeccompProgram's own instructions, as
  // the linuxns child does; the kernel only reads them.
  sock_fprog fprog{};
  if (program != nullptr) {
    fprog.len = static_cast<unsigned short>(program->size());
    fprog.filter = const_cast<sock_filter*>(program->instructions().data());
  }
  RawChild child{exe, program != nullptr ? &fprog : nullptr};
  const std::size_t stack_size = 64 * 1024;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  char* top = static_cast<char*>(stack) + stack_size;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    pid_t pid = ::clone(RawExecChild, top, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("raw child failed (exit 126: prctl, 125: seccomp, 127: execve)");
      break;
    }
  }
  child_cpu.Report(state);
  ::munmap(stack, stack_size);
  CheckParentUnfiltered(state);
}

// The install alone (manual time): a CLONE_VM child sets no_new_privs, reads
// the clock, installs the program, reads the clock again and _exits (no
// exec); the time between the two readings is the row's time.
struct InstallChild {
  const sock_fprog* filter;
  std::int64_t ns;
};

std::int64_t NowNs() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

int InstallOnly(void* arg) {
  InstallChild& child = *static_cast<InstallChild*>(arg);
  if (::syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(126);
  const std::int64_t start = NowNs();
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, child.filter) != 0) ::_exit(125);
  child.ns = NowNs() - start;
  ::_exit(0);
}

void BM_RawSeccompInstall(benchmark::State& state) {
  bool skipped = false;
  const linuxns::SeccompProgram* program =
      ProgramOrSkip(state, static_cast<int>(state.range(0)), &skipped);
  if (skipped) return;
  sock_fprog fprog{static_cast<unsigned short>(program->size()),
                   const_cast<sock_filter*>(program->instructions().data())};
  InstallChild child{&fprog, 0};
  const std::size_t stack_size = 64 * 1024;
  void* stack = ::mmap(nullptr, stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  char* top = static_cast<char*>(stack) + stack_size;
  for (auto _ : state) {
    pid_t pid = ::clone(InstallOnly, top, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("install child failed (exit 126: prctl, 125: seccomp)");
      break;
    }
    state.SetIterationTime(static_cast<double>(child.ns) * 1e-9);
  }
  ::munmap(stack, stack_size);
  CheckParentUnfiltered(state);
}
// filter: 1 the rules as Compile() makes them, 3 as a binary tree, 4 one
// instruction (see Programs above).
BENCHMARK(BM_RawSeccompInstall)->ArgName("filter")->Arg(1)->Arg(3)->Arg(4)->UseManualTime();

// filter: 0 none; 1 SpawnOptions::seccomp (as root: no no_new_privs);
// 2 the same and no_new_privs = true (the raw baseline's work exactly); 3
// and 4 other programs of the same rules or none (see Programs above).
void SpawnExec(benchmark::State& state, const char* exe, int filter) {
  bool skipped = false;
  const linuxns::SeccompProgram* program = ProgramOrSkip(state, filter, &skipped);
  if (skipped) return;
  linuxns::SpawnOptions options;
  options.argv = {exe};
  options.env = std::vector<std::string>{};
  if (program != nullptr) options.seccomp = *program;  // shares the instructions
  if (filter == 2) options.no_new_privs = true;
  linuxns_bench::ChildCpu child_cpu;
  for (auto _ : state) {
    absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
    if (!child.ok()) {
      state.SkipWithError(("spawn failed: " + std::string(child.status().message())).c_str());
      break;
    }
    absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
    if (!status.ok() || !status->success()) {
      state.SkipWithError("the spawned child failed");
      break;
    }
  }
  child_cpu.Report(state);
  CheckParentUnfiltered(state);
}

// Row A: BM_SpawnSeccompExec/exit0/filter:1 vs BM_SpawnSeccompExec/exit0/filter:0.
// Row B: BM_SpawnSeccompExec/exit0/filter:1 (and filter:2, with no_new_privs)
//        vs BM_RawSeccompExec/exit0/filter:1.
// For reference: BM_RawSeccompExec/exit0/filter:1 vs filter:0, what the
// filter costs the raw spawn (the kernel's part); BM_SpawnSeccompExec
// filter:3 and filter:4 vs filter:0, what the same rules as a binary tree
// and a one-instruction filter cost; BM_RawSeccompInstall, the install alone.
void BM_SpawnSeccompExec(benchmark::State& state, const char* exe) {
  SpawnExec(state, exe, static_cast<int>(state.range(0)));
}
void BM_RawSeccompExec(benchmark::State& state, const char* exe) {
  RawVforkExec(state, exe, static_cast<int>(state.range(0)));
}
BENCHMARK_CAPTURE(BM_RawSeccompExec, exit0, kExit0)
    ->ArgName("filter")
    ->DenseRange(0, 1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnSeccompExec, exit0, kExit0)
    ->ArgName("filter")
    ->DenseRange(0, 4)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_RawSeccompExec, true, kTinyTrue)
    ->ArgName("filter")
    ->DenseRange(0, 1)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_SpawnSeccompExec, true, kTinyTrue)
    ->ArgName("filter")
    ->DenseRange(0, 2)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

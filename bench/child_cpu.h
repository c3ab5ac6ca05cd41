// The CPU time of the children a benchmark reaps, as a counter beside the
// wall time: on a shared machine the wall time of a spawn is mostly waiting
// for a CPU, while the CPU time that the kernel accounts to each task moves
// far less with the load (bench/README.md).
#ifndef LINUXNS_BENCH_CHILD_CPU_H_
#define LINUXNS_BENCH_CHILD_CPU_H_

#include <sys/resource.h>

#include "benchmark/benchmark.h"

namespace linuxns_bench {

// Construct before the timed loop, Report() after it: sets the counter
// `child_cpu_us`, the user + system time (µs) of the children reaped in
// between, per iteration. With the CPU column (this process's own time) it
// is what one spawn costs in CPU time, both sides of the clone.
class ChildCpu {
 public:
  ChildCpu() { start_ = Now(); }
  void Report(benchmark::State& state) const {
    state.counters["child_cpu_us"] =
        benchmark::Counter(Now() - start_, benchmark::Counter::kAvgIterations);
  }

 private:
  static double Now() {
    struct rusage usage;
    ::getrusage(RUSAGE_CHILDREN, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  }
  double start_;
};

}  // namespace linuxns_bench

#endif  // LINUXNS_BENCH_CHILD_CPU_H_

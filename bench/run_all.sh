#!/bin/bash
# One command for every figure of bench/README.md: builds the release tree
# with the example tools, runs both Google Benchmark suites (medians of 10
# repetitions), prints the spawn rows' ratios (spawn_rows.sh) and system
# calls per spawn (syscall_count.sh, with strace), builds the tools once more
# with shared Abseil, and compares the tools with util-linux (and bwrap if
# installed). Root, idle machine.
# Output goes to the terminal and to BUILD/bench/results/.
#
#   bench/run_all.sh [BUILD_DIR]     (default build/bench; RUNS=N for compare_tools.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLINUXNS_BUILD_TESTS=OFF \
  -DLINUXNS_WERROR=ON -DLINUXNS_BUILD_EXAMPLES=ON -DLINUXNS_BUILD_BENCH=ON
cmake --build "$BUILD"
OUT=$BUILD/bench/results
mkdir -p "$OUT"
ARGS=(--benchmark_repetitions=10 --benchmark_min_time=0.1 --benchmark_report_aggregates_only=true)
"$BUILD/bench/spawn_bench" "${ARGS[@]}" 2>&1 | tee "$OUT/spawn_bench.txt"
"$BUILD/bench/ns_bench" "${ARGS[@]}" 2>&1 | tee "$OUT/ns_bench.txt"
# The table of the spawn rows (1-4) from those two runs, and system calls
# per spawn (strace).
TABLE_FROM="$OUT/spawn_bench.txt $OUT/ns_bench.txt" bench/spawn_rows.sh "$BUILD" |
  tee "$OUT/spawn_rows.txt"
# Rows A and B (spawns with a system-call filter), when linuxns::seccomp is
# built (LINUXNS_BUILD_SECCOMP, libseccomp).
if [[ -x $BUILD/bench/seccomp_bench ]]; then
  "$BUILD/bench/seccomp_bench" "${ARGS[@]}" --benchmark_enable_random_interleaving=true 2>&1 |
    tee "$OUT/seccomp_bench.txt"
  TABLE_FROM="$OUT/seccomp_bench.txt" ROWS=seccomp bench/spawn_rows.sh "$BUILD" |
    tee "$OUT/seccomp_rows.txt"
fi
if command -v strace >/dev/null; then
  bench/syscall_count.sh "$BUILD" | tee "$OUT/syscall_count.txt"
  if [[ -x $BUILD/bench/seccomp_bench ]]; then
    SECCOMP=1 bench/syscall_count.sh "$BUILD" | tee "$OUT/syscall_count_seccomp.txt"
  fi
else
  echo "run_all.sh: no strace, no system call counts (apt-get install -y strace)" >&2
fi
# Rows 2, 4 and 6 again on one CPU: no cross-CPU wake-ups (about 78 µs each
# on these VMs), so much less noise in the ratios. Row 8 needs both CPUs.
if command -v taskset >/dev/null; then
  taskset -c 0 "$BUILD/bench/ns_bench" "${ARGS[@]}" --benchmark_filter='UtsIpcPid|UserNs|Join|Unshare|CloneNs|NamespaceCreate' 2>&1 |
    tee "$OUT/ns_bench_cpu0.txt"
fi
# The tools once more with Abseil and libstdc++ shared, to show what the
# linking choice (LINUXNS_STATIC_DEPS, on by default) is worth.
cmake -S . -B "$BUILD-shared" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLINUXNS_BUILD_TESTS=OFF \
  -DLINUXNS_BUILD_BENCH=OFF -DLINUXNS_STATIC_DEPS=OFF -DLINUXNS_BUILD_EXAMPLES=ON
cmake --build "$BUILD-shared" --target unshare nsenter nsexec
SHARED_BUILD=$BUILD-shared bench/compare_tools.sh "$BUILD" | tee "$OUT/compare_tools.txt"

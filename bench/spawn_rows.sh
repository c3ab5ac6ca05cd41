#!/bin/bash
# Rows 1-4 (the spawn rows) of bench/README.md: runs them in spawn_bench and
# ns_bench (medians of 10 repetitions) and prints the README's table of
# ratios, linuxns against each baseline measured in the same run. Builds
# nothing: build the spawn_bench and ns_bench targets of BUILD_DIR (release)
# first. Root (rows 2 and 4 skip otherwise), on a machine as idle as can be.
#
#   bench/spawn_rows.sh BUILD_DIR [OUT_DIR]    (default OUT_DIR: BUILD_DIR/bench/results)
#   PIN="taskset -c 0" bench/spawn_rows.sh ...    (all on one CPU)
#   TABLE_FROM="A.txt B.txt" bench/spawn_rows.sh BUILD_DIR   (runs nothing: the
#       table from earlier console outputs of the two suites, e.g. run_all.sh's)
#
# Output: OUT_DIR/spawn_rows_{spawn,ns}_bench.{txt,json}, and the table.
set -euo pipefail
BUILD=${1:?usage: bench/spawn_rows.sh BUILD_DIR [OUT_DIR]}
OUT=${2:-$BUILD/bench/results}
PIN=${PIN:-}
ARGS=(--benchmark_repetitions=10 --benchmark_min_time=0.1 --benchmark_report_aggregates_only=true)
mkdir -p "$OUT"
[[ -x $BUILD/bench/spawn_bench && -x $BUILD/bench/ns_bench ]] || {
  echo "spawn_rows.sh: build first: cmake --build $BUILD --target spawn_bench ns_bench" >&2
  exit 2
}

if [[ -n ${TABLE_FROM:-} ]]; then
  read -ra FILES <<<"$TABLE_FROM"
else
  FILES=("$OUT/spawn_rows_spawn_bench.txt" "$OUT/spawn_rows_ns_bench.txt")
  # (2>&1: the suites print their context, load average included, on stderr)
  # shellcheck disable=SC2086  # PIN is a command prefix
  $PIN "$BUILD/bench/spawn_bench" "${ARGS[@]}" --benchmark_filter='Exec|SignalReset' \
    --benchmark_out="$OUT/spawn_rows_spawn_bench.json" --benchmark_out_format=json 2>&1 |
    tee "$OUT/spawn_rows_spawn_bench.txt"
  # shellcheck disable=SC2086
  $PIN "$BUILD/bench/ns_bench" "${ARGS[@]}" --benchmark_filter='UtsIpcPid|UserNs|SpawnJoin|RawJoin.*then:[12]' \
    --benchmark_out="$OUT/spawn_rows_ns_bench.json" --benchmark_out_format=json 2>&1 |
    tee "$OUT/spawn_rows_ns_bench.txt"
fi

# label | linuxns row | baseline row | target (empty: report only)
PAIRS='1 spawn+wait, exit0 vs raw clone|BM_SpawnExec/exit0|BM_RawVforkExec/exit0|<= 1.10
1 spawn+wait, exit0 vs posix_spawn|BM_SpawnExec/exit0|BM_PosixSpawnExec/exit0|<= 0.75
1 spawn+wait, true vs raw clone|BM_SpawnExec/true|BM_RawVforkExec/true|<= 1.10
1 spawn+wait, true vs posix_spawn|BM_SpawnExec/true|BM_PosixSpawnExec/true|
2 uts+ipc+pid, exit0 vs raw clone, same flags|BM_SpawnUtsIpcPidExec/exit0|BM_RawCloneUtsIpcPidExec/exit0|<= 1.10
2 uts+ipc+pid, true vs raw clone, same flags|BM_SpawnUtsIpcPidExec/true|BM_RawCloneUtsIpcPidExec/true|
2 user+mnt+uts+ipc+pid, exit0 (default propagation) vs raw|BM_SpawnUserNsExec/exit0/0|BM_RawCloneUserNsExec/exit0|<= 1.10
2 user+mnt+uts+ipc+pid, exit0 (kUnchanged) vs raw|BM_SpawnUserNsExec/exit0/1|BM_RawCloneUserNsExec/exit0|<= 1.10
2 user+mnt+uts+ipc+pid, true (default propagation) vs raw|BM_SpawnUserNsExec/true/0|BM_RawCloneUserNsExec/true|
3 1 GiB parent vs 16 MiB, exit0|BM_SpawnExecFromLargeParent/exit0/1024|BM_SpawnExecFromLargeParent/exit0/16|<= 1.05
3 1 GiB parent vs 16 MiB, true|BM_SpawnExecFromLargeParent/true/1024|BM_SpawnExecFromLargeParent/true/16|<= 1.05
3 raw clone: 1 GiB vs 16 MiB, exit0|BM_RawVforkExecFromLargeParent/exit0/1024|BM_RawVforkExecFromLargeParent/exit0/16|
3 posix_spawn: 1 GiB vs 16 MiB, exit0|BM_PosixSpawnExecFromLargeParent/exit0/1024|BM_PosixSpawnExecFromLargeParent/exit0/16|
3 from 1 GiB, exit0 vs raw clone|BM_SpawnExecFromLargeParent/exit0/1024|BM_RawVforkExecFromLargeParent/exit0/1024|
3 from 1 GiB, exit0 vs posix_spawn|BM_SpawnExecFromLargeParent/exit0/1024|BM_PosixSpawnExecFromLargeParent/exit0/1024|
4 join 7 types, exit0 vs raw setns(pidfd)+exec|BM_SpawnJoinProcess/exit0/nopid:0|BM_RawJoin/exit0/how:0/then:1|<= 1.15
4 join 7 types, exit0 vs raw setns(pidfd)+CLONE_PARENT grandchild|BM_SpawnJoinProcess/exit0/nopid:0|BM_RawJoin/exit0/how:0/then:2|<= 1.15
4 join 6 types (no pid), exit0 vs raw setns(pidfd, 6)+exec|BM_SpawnJoinProcess/exit0/nopid:1|BM_RawJoin/exit0/how:2/then:1|
4 raw 7 opens+7 setns vs raw setns(pidfd), exit0|BM_RawJoin/exit0/how:1/then:1|BM_RawJoin/exit0/how:0/then:1|
4 join 7 types, true vs raw setns(pidfd)+exec|BM_SpawnJoinProcess/true/nopid:0|BM_RawJoin/true/how:0/then:1|<= 1.15
4 join 7 types, true vs raw setns(pidfd)+CLONE_PARENT grandchild|BM_SpawnJoinProcess/true/nopid:0|BM_RawJoin/true/how:0/then:2|<= 1.15'

echo
LOADS=$(grep -h '^Load Average' "${FILES[@]}" | sed 's/Load Average: //' | paste -sd';' | sed 's/;/; /g')
echo "Spawn rows, $(date -u -r "${FILES[0]}" '+%F %H:%M UTC'), $(uname -r), $(nproc) CPUs," \
  "load average at the start of each suite: $LOADS${PIN:+, $PIN}:"
echo "medians of 10 repetitions; wall time; ratio = linuxns / baseline; Δ = linuxns - baseline;" \
  "CPU = the spawning process's CPU time + its children's (user + system), per spawn"
echo
cat "${FILES[@]}" | awk -v pairs="$PAIRS" '
  # "BM_X/exit0/real_time_median  123 ns  45 ns  10 child_cpu_us=1.2k"
  #   -> med["BM_X/exit0"] (wall, µs), cpu["BM_X/exit0"] (this process + children, µs)
  function us(t, unit) {
    if (unit == "ns") return t / 1000
    if (unit == "ms") return t * 1000
    if (unit == "s") return t * 1e6
    return t
  }
  function si(v,   m) {  # Google Benchmark counter format: 1.2k, 950.3, 3.4m
    m = 1
    if (v ~ /k$/) m = 1e3; else if (v ~ /M$/) m = 1e6; else if (v ~ /m$/) m = 1e-3; else if (v ~ /u$/) m = 1e-6
    sub(/[kMmu]$/, "", v)
    return v * m
  }
  $1 ~ /_median$/ {
    name = $1; sub(/_median$/, "", name); sub(/\/(real|manual)_time$/, "", name)
    med[name] = us($2, $3)
    for (i = 6; i <= NF; ++i) {
      if ($i ~ /^child_cpu_us=/) { v = $i; sub(/^child_cpu_us=/, "", v); cpu[name] = us($4, $5) + si(v) }
    }
  }
  END {
    print "| row | linuxns µs | baseline µs | ratio | Δ µs | CPU µs, linuxns / baseline | CPU ratio | target |"
    print "|---|---|---|---|---|---|---|---|"
    n = split(pairs, line, "\n")
    for (i = 1; i <= n; ++i) {
      split(line[i], f, "|")
      a = f[2]; b = f[3]
      if (!(a in med) || !(b in med)) { printf "| %s | (not run: %s or %s) | | | | | | %s |\n", f[1], a, b, f[4]; continue }
      r = med[a] / med[b]
      mark = ""
      if (f[4] ~ /^<=/) { lim = f[4]; sub(/^<= */, "", lim); mark = r <= lim + 0 ? " ✔" : " ✘" }
      c = (a in cpu && b in cpu) ? sprintf("%.0f / %.0f | %.2f×", cpu[a], cpu[b], cpu[a] / cpu[b]) : "— | —"
      printf "| %s | %.1f | %.1f | %.2f× | %+.1f | %s | %s%s |\n", f[1], med[a], med[b], r, med[a] - med[b], c,
             f[4] == "" ? "(report)" : f[4] "×", mark
    }
    if ("BM_RawSignalReset" in med) {
      printf "\nThe child'"'"'s signal reset alone (BM_RawSignalReset: 62 rt_sigaction + 1 rt_sigprocmask): %.1f µs\n",
             med["BM_RawSignalReset"]
    }
  }'

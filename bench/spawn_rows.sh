#!/bin/bash
# Rows 1-4 (the spawn rows) of bench/README.md, and rows A and B (spawns with
# a system-call filter): runs them in spawn_bench, ns_bench and seccomp_bench
# (medians of 10 repetitions) and prints the README's table of
# ratios, linuxns against each baseline measured in the same run. Builds
# nothing: build the spawn_bench, ns_bench (and seccomp_bench) targets of
# BUILD_DIR (release) first. Root (rows 2 and 4 skip otherwise), on a machine as idle as can be.
#
#   bench/spawn_rows.sh BUILD_DIR [OUT_DIR]    (default OUT_DIR: BUILD_DIR/bench/results)
#   RUNS=5 bench/spawn_rows.sh ...          (5 whole runs: the table gives the median
#                                           over the runs and each ratio's range)
#   PIN="taskset -c 0" bench/spawn_rows.sh ...    (all on one CPU)
#   INTERLEAVE=0 bench/spawn_rows.sh ...          (rows one after the other)
#   TABLE_FROM="A.txt B.txt" bench/spawn_rows.sh BUILD_DIR   (runs nothing: the
#       table of one run from console outputs of the suites, e.g. run_all.sh's)
#   ROWS=seccomp bench/spawn_rows.sh ...   (rows A and B only: spawns with a
#       system-call filter, seccomp_bench; ROWS=spawn: rows 1-4 only; the
#       default, ROWS=all, runs rows 1-4 and, when seccomp_bench is built,
#       rows A and B. With TABLE_FROM the default is ROWS=spawn)
#
# Rows 1, 2, 4, A and B run with --benchmark_enable_random_interleaving: the 10
# repetitions of every row are shuffled together, so that a linuxns row and
# its baselines see the same spells of load of a shared machine. Row 3 runs
# apart, in order (the 1 GiB ballast is made once, and the first spawns
# after making it can be slow).
#
# Output: OUT_DIR/run-N/spawn_rows_{row1,row3,ns,seccomp}.{txt,json}, the tables of
# each run, and the table over all runs (OUT_DIR/spawn_rows.md).
set -euo pipefail
BUILD=${1:?usage: bench/spawn_rows.sh BUILD_DIR [OUT_DIR]}
OUT=${2:-$BUILD/bench/results}
PIN=${PIN:-}
RUNS=${RUNS:-1}
ARGS=(--benchmark_repetitions=10 --benchmark_min_time=0.1 --benchmark_report_aggregates_only=true)
SHUFFLE=(--benchmark_enable_random_interleaving=true)
[[ ${INTERLEAVE:-1} == 0 ]] && SHUFFLE=()

# label | linuxns row | baseline row | target (empty: report only)
PAIRS='1 spawn+wait, exit0 vs raw clone|BM_SpawnExec/exit0|BM_RawVforkExec/exit0|<= 1.10
1 spawn+wait, exit0 vs posix_spawn|BM_SpawnExec/exit0|BM_PosixSpawnExec/exit0|<= 0.75
1 spawn+wait, true vs raw clone|BM_SpawnExec/true|BM_RawVforkExec/true|<= 1.10
1 spawn+wait, true vs posix_spawn|BM_SpawnExec/true|BM_PosixSpawnExec/true|
2 uts+ipc+pid, exit0 vs raw clone, same flags|BM_SpawnUtsIpcPidExec/exit0|BM_RawCloneUtsIpcPidExec/exit0|<= 1.10
2 uts+ipc+pid, true vs raw clone, same flags|BM_SpawnUtsIpcPidExec/true|BM_RawCloneUtsIpcPidExec/true|
2 raw clone uts+ipc+pid: with a pidfd vs without, exit0|BM_RawCloneUtsIpcPidPidfdExec/exit0|BM_RawCloneUtsIpcPidExec/exit0|
2 uts+ipc+pid, exit0 vs raw clone with a pidfd|BM_SpawnUtsIpcPidExec/exit0|BM_RawCloneUtsIpcPidPidfdExec/exit0|
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

# Rows A and B (seccomp_bench): the same 50-rule filter (one BPF program,
# compiled once) installed by the child just before its execve.
SECCOMP_PAIRS='A 50-rule filter vs none, exit0|BM_SpawnSeccompExec/exit0/filter:1|BM_SpawnSeccompExec/exit0/filter:0|<= 1.05
A raw clone: filter vs none, exit0|BM_RawSeccompExec/exit0/filter:1|BM_RawSeccompExec/exit0/filter:0|
A no filter: linuxns vs raw clone, exit0|BM_SpawnSeccompExec/exit0/filter:0|BM_RawSeccompExec/exit0/filter:0|
B filter, exit0 vs raw clone+nnp+seccomp|BM_SpawnSeccompExec/exit0/filter:1|BM_RawSeccompExec/exit0/filter:1|<= 1.10
B filter+no_new_privs, exit0 vs raw clone+nnp+seccomp|BM_SpawnSeccompExec/exit0/filter:2|BM_RawSeccompExec/exit0/filter:1|<= 1.10
A 50-rule filter vs none, true|BM_SpawnSeccompExec/true/filter:1|BM_SpawnSeccompExec/true/filter:0|
B filter, true vs raw clone+nnp+seccomp|BM_SpawnSeccompExec/true/filter:1|BM_RawSeccompExec/true/filter:1|
A the 50 rules as a binary tree vs none, exit0|BM_SpawnSeccompExec/exit0/filter:3|BM_SpawnSeccompExec/exit0/filter:0|
A a 1-instruction filter vs none, exit0|BM_SpawnSeccompExec/exit0/filter:4|BM_SpawnSeccompExec/exit0/filter:0|
install alone: 50 rules vs 1 instruction|BM_RawSeccompInstall/filter:1|BM_RawSeccompInstall/filter:4|
install alone: 50 rules, binary tree vs 1 instruction|BM_RawSeccompInstall/filter:3|BM_RawSeccompInstall/filter:4|'

# The medians of one run's console outputs -> one line per pair:
#   label|linuxns µs|baseline µs|linuxns CPU µs|baseline CPU µs|target
# (CPU: this process's CPU time + its reaped children's, from child_cpu_us).
medians() {
  cat "$@" | awk -v pairs="$PAIRS" '
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
    # "BM_X/exit0/real_time_median  123 ns  45 ns  10 child_cpu_us=1.2k"
    $1 ~ /_median$/ {
      name = $1; sub(/_median$/, "", name); sub(/\/(real|manual)_time$/, "", name)
      med[name] = us($2, $3)
      for (i = 6; i <= NF; ++i) {
        if ($i ~ /^child_cpu_us=/) { v = $i; sub(/^child_cpu_us=/, "", v); cpu[name] = us($4, $5) + si(v) }
      }
    }
    END {
      n = split(pairs, line, "\n")
      for (i = 1; i <= n; ++i) {
        split(line[i], f, "|")
        a = f[2]; b = f[3]
        printf "%s|%s|%s|%s|%s|%s\n", f[1], (a in med) ? med[a] : "", (b in med) ? med[b] : "",
               (a in cpu) ? cpu[a] : "", (b in cpu) ? cpu[b] : "", f[4]
      }
      if ("BM_RawSignalReset" in med) printf "signal reset|%s|||| \n", med["BM_RawSignalReset"]
    }'
}

# Lines of medians() from one or more runs -> the table: per pair the median
# over the runs of each figure, and with several runs each ratio's range.
table() {
  awk -F'|' -v runs="$1" '
    function median(list,   n, v, i, j, t) {
      n = split(list, v, " ")
      for (i = 2; i <= n; ++i) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; --j) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function range(list,   n, v, i, lo, hi) {
      n = split(list, v, " ")
      if (n < 2) return ""
      lo = hi = v[1]
      for (i = 2; i <= n; ++i) { if (v[i] + 0 < lo + 0) lo = v[i]; if (v[i] + 0 > hi + 0) hi = v[i] }
      return sprintf(" (%.2f–%.2f)", lo, hi)
    }
    $1 == "signal reset" { reset = reset " " $2; next }
    {
      if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1; target[$1] = $6 }
      if ($2 != "" && $3 != "") {
        a[$1] = a[$1] " " $2; b[$1] = b[$1] " " $3; r[$1] = r[$1] " " $2 / $3; d[$1] = d[$1] " " $2 - $3
        if ($4 != "" && $5 != "") { ca[$1] = ca[$1] " " $4; cb[$1] = cb[$1] " " $5; cr[$1] = cr[$1] " " $4 / $5 }
      }
    }
    END {
      print "| row | linuxns µs | baseline µs | ratio | Δ µs | CPU µs, linuxns / baseline | CPU ratio | target |"
      print "|---|---|---|---|---|---|---|---|"
      for (i = 1; i <= n; ++i) {
        k = order[i]; t = target[k]
        if (!(k in r)) { printf "| %s | (not run) | | | | | | %s |\n", k, t; continue }
        ratio = median(r[k]); mark = ""
        if (t ~ /^<=/) { lim = t; sub(/^<= */, "", lim); mark = ratio <= lim + 0 ? " ✔" : " ✘" }
        c = (k in cr) ? sprintf("%.0f / %.0f | %.2f×%s", median(ca[k]), median(cb[k]), median(cr[k]), range(cr[k])) : "— | —"
        printf "| %s | %.1f | %.1f | %.2f×%s | %+.1f | %s | %s%s |\n", k, median(a[k]), median(b[k]), ratio,
               range(r[k]), median(d[k]), c, t == "" ? "(report)" : "≤ " substr(t, 4) "×", mark
      }
      if (reset != "") {
        printf "\nThe child'"'"'s signal reset alone (BM_RawSignalReset: 62 rt_sigaction + 1 rt_sigprocmask): %.1f µs\n", median(reset)
      }
      if (runs > 1) printf "\nMedians over %d runs; (lo–hi): the range of the ratio over the runs.\n", runs
    }'
}

header() {  # header FILES...: when, where, and the load at the start of each suite
  local loads
  loads=$(grep -h '^Load Average' "$@" | sed 's/Load Average: //' | paste -sd';' | sed 's/;/; /g')
  echo "$(date -u -r "$1" '+%F %H:%M UTC'), $(uname -r), $(nproc) CPUs, load average at the start" \
    "of each suite: ${loads:-?}${PIN:+; $PIN}"
}

if [[ -n ${TABLE_FROM:-} ]]; then
  [[ ${ROWS:-spawn} == seccomp ]] && PAIRS=$SECCOMP_PAIRS
  [[ ${ROWS:-spawn} == all ]] && PAIRS="$PAIRS
$SECCOMP_PAIRS"
  read -ra FILES <<<"$TABLE_FROM"
  echo "Spawn rows, $(header "${FILES[@]}")"
  medians "${FILES[@]}" | table 1
  exit 0
fi

ROWS=${ROWS:-all}
SPAWN=1
SECCOMP=0
case $ROWS in
  spawn) ;;
  seccomp) SPAWN=0 SECCOMP=1 PAIRS=$SECCOMP_PAIRS ;;
  all) [[ -x $BUILD/bench/seccomp_bench ]] && SECCOMP=1 && PAIRS="$PAIRS
$SECCOMP_PAIRS" ;;
  *) echo "spawn_rows.sh: ROWS is spawn, seccomp or all" >&2; exit 2 ;;
esac
((SPAWN == 0)) || [[ -x $BUILD/bench/spawn_bench && -x $BUILD/bench/ns_bench ]] || {
  echo "spawn_rows.sh: build first: cmake --build $BUILD --target spawn_bench ns_bench" >&2
  exit 2
}
((SECCOMP == 0)) || [[ -x $BUILD/bench/seccomp_bench ]] || {
  echo "spawn_rows.sh: build first: cmake --build $BUILD --target seccomp_bench" \
    "(it exists with LINUXNS_BUILD_SECCOMP, libseccomp)" >&2
  exit 2
}
run() {  # run DIR NAME BINARY ARGS...: console output (2>&1: the context,
  local dir=$1 name=$2 bin=$3  # load average included, is on stderr) and JSON
  shift 3
  # shellcheck disable=SC2086  # PIN is a command prefix
  $PIN "$BUILD/bench/$bin" "${ARGS[@]}" "$@" --benchmark_out="$dir/spawn_rows_$name.json" \
    --benchmark_out_format=json >"$dir/spawn_rows_$name.txt" 2>&1
}
mkdir -p "$OUT"
ALL=$OUT/spawn_rows_medians.txt
: >"$ALL"
for ((i = 1; i <= RUNS; ++i)); do
  dir=$OUT/run-$i
  mkdir -p "$dir"
  echo "run $i of $RUNS: $dir" >&2
  files=()
  if ((SPAWN)); then
    run "$dir" row1 spawn_bench "${SHUFFLE[@]}" --benchmark_filter='BM_(RawVfork|PosixSpawn|Spawn)Exec/|SignalReset'
    run "$dir" row3 spawn_bench --benchmark_filter='FromLargeParent'
    run "$dir" ns ns_bench "${SHUFFLE[@]}" --benchmark_filter='UtsIpcPid|UserNs|SpawnJoin|RawJoin.*then:[12]'
    files+=("$dir/spawn_rows_row1.txt" "$dir/spawn_rows_row3.txt" "$dir/spawn_rows_ns.txt")
  fi
  if ((SECCOMP)); then
    run "$dir" seccomp seccomp_bench "${SHUFFLE[@]}"
    files+=("$dir/spawn_rows_seccomp.txt")
  fi
  if grep -h 'ERROR OCCURRED' "${files[@]}" >&2; then echo "spawn_rows.sh: rows skipped (root?)" >&2; fi
  echo "Run $i: $(header "${files[@]}")" | tee -a "$OUT/spawn_rows_runs.txt"
  medians "${files[@]}" | tee -a "$ALL" | table 1 | tee -a "$OUT/spawn_rows_runs.txt"
  echo | tee -a "$OUT/spawn_rows_runs.txt"
done
{
  echo "Spawn rows, $RUNS run(s) ending $(date -u '+%F %H:%M UTC'), $(uname -r), $(nproc) CPUs${PIN:+; $PIN};"
  echo "medians of 10 repetitions${SHUFFLE[*]:+ (rows 1, 2, 4, A, B interleaved)}; wall time; ratio = linuxns /" \
    "baseline; Δ = linuxns - baseline; CPU = the spawning process's CPU time + its children's (user +" \
    "system), per spawn"
  echo
  table "$RUNS" <"$ALL"
} | tee "$OUT/spawn_rows.md"

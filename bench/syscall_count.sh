#!/bin/bash
# System calls per spawn of the no-libc exit0 target, by linuxns
# (ChildProcess::Spawn + Wait), by the raw clone(CLONE_VM|CLONE_VFORK) +
# execve + waitpid baseline and by glibc's posix_spawn + waitpid, counted by
# `strace -f -c` over N spawns of bench/spawn_count. Builds nothing: build
# the spawn_count target of BUILD_DIR first.
#
#   bench/syscall_count.sh BUILD_DIR [N]      (default N=1000)
#   TYPES=uts,ipc,pid bench/syscall_count.sh BUILD_DIR    (into new namespaces,
#       as root: linuxns and raw only, posix_spawn has no namespaces)
#   SECCOMP=1 bench/syscall_count.sh BUILD_DIR    (rows A and B: linuxns and
#       raw, each without and with the 50-rule filter, and linuxns with the
#       filter and no_new_privs; spawn_count built with linuxns::seccomp)
#
# Each way runs twice, with K and K+N spawns, and the difference is divided
# by N: the start-up and exit of spawn_count itself and the library's one-time
# work cancel out, so the figures are exact counts per spawn. The "caller"
# columns are the same without -f: the calls made by the spawning process
# itself; the rest are made by the child (between clone and exec, and its
# execve). strace -c counts no exit_group: it never returns (one per spawn,
# in the exec'd program, the same for every way).
set -euo pipefail
BUILD=${1:?usage: bench/syscall_count.sh BUILD_DIR [N]}
N=${2:-1000}
K=10
TYPES=${TYPES:-}
PROG=$BUILD/bench/spawn_count
if ! command -v strace >/dev/null; then
  echo "syscall_count.sh: strace is not installed (apt-get install -y strace)" >&2
  exit 2
fi
if [[ ! -x $PROG ]]; then
  echo "syscall_count.sh: no $PROG; build it: cmake --build $BUILD --target spawn_count" >&2
  exit 2
fi
MODES=(linuxns raw)
[[ -z $TYPES ]] && MODES+=(posix_spawn)
NOTE=
if [[ ${SECCOMP:-0} == 1 ]]; then
  MODES=(linuxns linuxns+seccomp linuxns+seccomp+nnp raw raw+seccomp)
  NOTE="; +seccomp: the 50-rule filter of rows A and B"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# strace -c's table -> "name calls" lines (calls is the 4th column; the
# errors column is empty when there were none).
calls() { awk '$NF != "syscall" && $NF != "total" && $1 !~ /^-/ && NF >= 5 { print $NF, $4 }' "$1"; }

for mode in "${MODES[@]}"; do
  for follow in f nof; do
    flags=(-c -qq)
    [[ $follow == f ]] && flags+=(-f)
    for n in "$K" "$((K + N))"; do
      strace "${flags[@]}" -o "$TMP/raw" "$PROG" "$mode" "$n" "$TYPES"
      calls "$TMP/raw" >"$TMP/$mode.$follow.$n"
    done
  done
done

# One table: syscall, then per mode "all" (with -f) and "caller" (without).
{
  for mode in "${MODES[@]}"; do
    for follow in f nof; do
      awk -v key="$mode.$follow" -v n="$N" '
        FNR == NR { base[$1] = $2; next }
        { d = ($2 - base[$1]) / n; if (d != 0) print key, $1, d }
      ' "$TMP/$mode.$follow.$K" "$TMP/$mode.$follow.$((K + N))"
    done
  done
} >"$TMP/per_spawn"

echo "System calls per spawn+wait of $BUILD/bench/linuxns_bench_exit0" \
  "(strace -f -c over $N spawns${TYPES:+, new namespaces: $TYPES}$NOTE):"
awk -v modes="${MODES[*]}" '
  { v[$1 "|" $2] = $3; names[$2] = 1 }
  END {
    m = split(modes, mode, " ")
    printf "%-18s", ""
    for (i = 1; i <= m; ++i) printf " %23s", mode[i]
    printf "\n%-18s", "syscall"
    for (i = 1; i <= m; ++i) printf " %14s %8s", "all", "caller"
    printf "\n"
    for (name in names) {
      line = sprintf("%-18s", name)
      for (i = 1; i <= m; ++i) {
        a = v[mode[i] ".f|" name] + 0; c = v[mode[i] ".nof|" name] + 0
        total[i] += a; caller[i] += c
        line = line sprintf(" %14s %8s", fmt(a), fmt(c))
      }
      rows[++r] = line
    }
    # Most frequent first (by the first mode), then by name.
    for (i = 1; i <= r; ++i) print rows[i] | "sort -k2,2nr -k1,1"
    close("sort -k2,2nr -k1,1")
    printf "%-18s", "total"
    for (i = 1; i <= m; ++i) printf " %14s %8s", fmt(total[i]), fmt(caller[i])
    printf "\n"
  }
  function fmt(x) { return x == int(x) ? sprintf("%d", x) : sprintf("%.2f", x) }
' "$TMP/per_spawn"

#!/bin/bash
# Whole-tool comparison: the linuxns example tools against util-linux (and
# bwrap, if installed). Each pair runs alternately A B A B, RUNS times each
# (default 200), one warm-up run each not counted; prints medians, the ratio
# (ours / theirs) and each side's peak RSS. Then shows what dynamic linking
# costs each tool (ldd, LD_DEBUG=statistics). Run as root on an idle machine.
#
#   bench/compare_tools.sh [BUILD_DIR]      (default build/bench; RUNS=N to change runs)
#
# With SHARED_BUILD=DIR (a build configured with -DLINUXNS_STATIC_DEPS=OFF),
# the tools linked against shared Abseil and libstdc++ are timed against ours.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
RUNS=${RUNS:-200}
export LANG=C.UTF-8
unset LC_ALL
TIMER=$BUILD/bench/tool_timer
EX=$BUILD/examples
for f in "$TIMER" "$EX/unshare" "$EX/nsenter" "$EX/nsexec"; do
  [[ -x $f ]] || { echo "missing $f: configure with -DLINUXNS_BUILD_EXAMPLES=ON and build" >&2; exit 1; }
done

echo "# $(date -u '+%F %T UTC')  $(uname -r)  $(nproc) CPUs  RUNS=$RUNS  LANG=$LANG"
echo "# A = linuxns ($EX), B = reference; times are wall clock per invocation"

row() {  # row TITLE A... --- B...
  local title=$1; shift
  printf '%-44s ' "$title"
  "$TIMER" "$RUNS" "$@"
}

row "unshare -Urmpf --mount-proc" \
  "$EX/unshare" -Urmpf --mount-proc /bin/true --- /usr/bin/unshare -Urmpf --mount-proc /bin/true
row "unshare -Urmpfuin --mount-proc" \
  "$EX/unshare" -Urmpfuin --mount-proc /bin/true --- /usr/bin/unshare -Urmpfuin --mount-proc /bin/true

# A target in new namespaces of every type util-linux can make here.
/usr/bin/unshare -Urmpfuinc --mount-proc /bin/sleep 1000000 &
HOLDER=$!
trap 'kill -KILL ${TARGET:-} $HOLDER 2>/dev/null || true; wait $HOLDER 2>/dev/null || true' EXIT
TARGET=
for _ in $(seq 100); do
  TARGET=$(pgrep -P "$HOLDER" || true)
  [[ -n $TARGET ]] && break
  sleep 0.05
done
[[ -n $TARGET ]] || { echo "target sleep did not start" >&2; exit 1; }
row "nsenter -t PID -a" \
  "$EX/nsenter" -t "$TARGET" -a /bin/true --- /usr/bin/nsenter -t "$TARGET" -a /bin/true

BWRAP=$(command -v bwrap || true)
if [[ -n $BWRAP ]]; then
  row "nsexec -Unpu h  vs  bwrap --unshare-all" \
    "$EX/nsexec" -Unpu h /bin/true --- "$BWRAP" --unshare-all --ro-bind / / --proc /proc /bin/true
else
  echo "bwrap not installed: nsexec vs bwrap skipped (apt-get install -y bubblewrap)"
fi

# The same tools linked against Abseil's shared libraries and libstdc++.so
# (a build configured with -DLINUXNS_STATIC_DEPS=OFF, as bench/run_all.sh
# makes): how much of each tool's time the linking choice is.
if [[ -n ${SHARED_BUILD:-} && -x $SHARED_BUILD/examples/unshare ]]; then
  SX=$SHARED_BUILD/examples
  row "[static Abseil] unshare -Urmpf vs shared" \
    "$EX/unshare" -Urmpf --mount-proc /bin/true --- "$SX/unshare" -Urmpf --mount-proc /bin/true
  row "[static Abseil] nsenter -a vs shared" \
    "$EX/nsenter" -t "$TARGET" -a /bin/true --- "$SX/nsenter" -t "$TARGET" -a /bin/true
  row "[static Abseil] nsexec -Unpu vs shared" \
    "$EX/nsexec" -Unpu h /bin/true --- "$SX/nsexec" -Unpu h /bin/true
fi

echo
echo "# peak RSS (KiB, /usr/bin/time -f %M, median of 5 runs; includes the tool's children)"
rss() {
  local v=()
  for _ in 1 2 3 4 5; do v+=("$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1)"); done
  printf '%s\n' "${v[@]}" | sort -n | sed -n 3p
}
if [[ -x /usr/bin/time ]]; then
  for t in "$EX" ${SHARED_BUILD:+"$SHARED_BUILD/examples"} /usr/bin; do
    [[ -x $t/unshare ]] || continue
    printf '%-36s unshare -Urmpf %6s   nsenter -a %6s' "$t" \
      "$(rss "$t/unshare" -Urmpf --mount-proc /bin/true)" "$(rss "$t/nsenter" -t "$TARGET" -a /bin/true)"
    [[ -x $t/nsexec ]] && printf '   nsexec -Unpu %6s' "$(rss "$t/nsexec" -Unpu h /bin/true)"
    echo
  done
  [[ -n $BWRAP ]] && printf '%-36s bwrap --unshare-all %6s\n' "$BWRAP" \
    "$(rss "$BWRAP" --unshare-all --ro-bind / / --proc /proc /bin/true)"
else
  echo "/usr/bin/time not installed (apt-get install -y time): RSS skipped"
fi

echo
echo "# dynamic linking: shared objects loaded, and the loader's own statistics for one run"
for t in "$EX/unshare" /usr/bin/unshare "$EX/nsenter" /usr/bin/nsenter "$EX/nsexec" ${BWRAP:-} \
         ${SHARED_BUILD:+"$SHARED_BUILD/examples/unshare"}; do
  [[ -x $t ]] || continue
  libs=$(ldd "$t" | grep -c '=>' || true)
  stats=$(LD_DEBUG=statistics "$t" --version 2>&1 >/dev/null |
          sed -n 's/.*total startup time in dynamic loader: *\([0-9]*\) cycles.*/\1/p; s/.*number of relocations: *\([0-9]*\).*/relocs=\1/p' | paste -sd' ')
  printf '%-40s %2s shared objects; loader cycles, relocations: %s\n' "$t" "$libs" "$stats"
done

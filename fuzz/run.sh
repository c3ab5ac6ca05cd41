#!/usr/bin/env bash
# Runs every libFuzzer target of the fuzz preset for SECONDS each (default
# 60), one after the other, on a temporary copy of its seed corpus, so the
# tree stays clean. Prints the executions of each target. A crash stops the
# script with the target's exit status; the input that crashed is kept in
# build/fuzz/artifacts/.
#
#   cmake --preset fuzz && cmake --build --preset fuzz && fuzz/run.sh 20
#
# FUZZ_TARGETS="id_map subid" limits the run to some targets; FUZZ_BUILD
# names another build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${FUZZ_BUILD:-build/fuzz}
targets=${FUZZ_TARGETS:-$(cd fuzz/corpus && echo *)}
artifacts="$build/artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d /tmp/linuxns-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
total=0
for target in $targets; do
  binary="$build/fuzz/${target}_fuzzer"
  [ -x "$binary" ] || { echo "fuzz: $binary is missing: build the fuzz preset" >&2; exit 1; }
  cp -r "fuzz/corpus/$target" "$work/$target"
  log="$work/$target.log"
  status=0
  # -timeout: a single input taking 10 s is a hang. -rss_limit_mb: the
  # default 2 GiB. Generated inputs go to the temporary corpus only.
  LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
  "$binary" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/${target}-" "$work/$target" >"$log" 2>&1 || status=$?
  execs=$(grep -oP '^stat::number_of_executed_units:\s*\K[0-9]+' "$log" || echo 0)
  corpus=$(find "$work/$target" -type f | wc -l)
  cov=$(grep -oP '#[0-9]+\s+DONE\s+cov: \K[0-9]+' "$log" || echo '?')
  echo "fuzz: ${target}: ${execs} executions in ${seconds} s, coverage ${cov} edges, corpus ${corpus} inputs"
  total=$((total + execs))
  if [ "$status" != 0 ]; then
    echo "fuzz: ${target} failed (exit ${status}):" >&2
    grep -E 'ERROR|property failed|SUMMARY|Test unit written|^==' "$log" | head -40 >&2
    exit "$status"
  fi
done
echo "fuzz: ${total} executions in total"

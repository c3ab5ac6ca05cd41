#!/bin/bash
# Experiment only (the tools' real build is not changed): relinks copies of
# the example tools with Abseil, libstdc++ and libgcc linked in statically
# (glibc stays shared), into BUILD/bench/static-tools/, and a fully static
# variant (-static) into BUILD/bench/static-tools/full/. Reuses the object files of
# the normal build, so build that first. bench/compare_tools.sh STATIC=1
# then times these against the shared ones.
#
#   bench/static_tools.sh [BUILD_DIR]    (default build/bench)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
cd "$BUILD"
mkdir -p bench/static-tools/full
ABSL_A=$(ls /usr/lib/x86_64-linux-gnu/libabsl_*.a)
for tool in unshare nsenter nsexec; do
  cmd=$(ninja -t commands "examples/$tool" | tail -1)
  cmd=${cmd#: && }
  cmd=${cmd%% && :*}
  # Drop the shared Abseil libraries; link every static archive in a group.
  base=$(sed -E 's#/usr/lib/x86_64-linux-gnu/libabsl_[a-z0-9_]+\.so[.0-9]*##g' <<<"$cmd")
  group="-Wl,--start-group $(echo $ABSL_A) -Wl,--end-group"
  eval "${base/-o examples\/$tool/-o bench/static-tools/$tool} $group -static-libstdc++ -static-libgcc"
  eval "${base/-o examples\/$tool/-o bench/static-tools/full/$tool} $group -static" 2>/dev/null ||
    echo "fully static $tool: link failed" >&2
done
ls -l bench/static-tools bench/static-tools/full

#!/usr/bin/env bash
# Builds the add_subdirectory consumer in $2/add_subdirectory, which pulls in
# the linuxns source tree in $1 as a subproject, and runs it. As a subproject
# linuxns must add only its library (checked at configure time by the
# consumer's CMakeLists.txt), no tests and no install rules. Prints
# "consumer": the hostname the consumer's child saw.
set -euo pipefail
source_root=$1
source=$2
work=$(mktemp -d /tmp/linuxns-consumer-subdir.XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake -S "$source/add_subdirectory" -B "$work/build" -G Ninja \
  -DLINUXNS_SOURCE_DIR="$source_root" >/dev/null
cmake --build "$work/build" >/dev/null

# No tests: linuxns must not have called enable_testing() or add_test().
if [ -e "$work/build/linuxns/CTestTestfile.cmake" ] || [ -e "$work/build/CTestTestfile.cmake" ]; then
  echo "run_add_subdirectory: linuxns added tests as a subproject" >&2
  exit 1
fi
# No install rules: nothing of linuxns's would be installed.
if grep -rl --include=cmake_install.cmake 'file(INSTALL' "$work/build" | grep -q .; then
  echo "run_add_subdirectory: linuxns added install rules as a subproject:" >&2
  grep -rl --include=cmake_install.cmake 'file(INSTALL' "$work/build" >&2
  exit 1
fi
# No tool, test or benchmark binary was built.
built=$(find "$work/build" -type f -perm -u+x \
  \( -name '*_test' -o -name nsexec -o -name unshare -o -name nsenter -o -name lsns \
     -o -name hello_namespaces -o -name readme_example -o -name '*bench*' \) -print)
if [ -n "$built" ]; then
  echo "run_add_subdirectory: built as a subproject: $built" >&2
  exit 1
fi
"$work/build/consumer"

#!/usr/bin/env bash
# Builds linuxns from the source tree in $1 as a shared library (no tests,
# examples or benchmarks), installs it to a temporary prefix, checks that the
# .so carries a SONAME with the major version $3 and exports only linuxns'
# public API (check_exports.sh), then builds the find_package
# consumer and a pkg-config one from $2 against it and runs both. Prints
# "consumer" twice: the hostname each consumer's child saw.
set -euo pipefail
source_root=$1
source=$2
major=$3
work=$(mktemp -d /tmp/linuxns-consumer-shared.XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake -S "$source_root" -B "$work/linuxns" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=ON -DLINUXNS_BUILD_TESTS=OFF -DLINUXNS_BUILD_EXAMPLES=OFF \
  -DLINUXNS_BUILD_BENCH=OFF >/dev/null
cmake --build "$work/linuxns" >/dev/null
cmake --install "$work/linuxns" --prefix "$prefix" >/dev/null

so=$(find "$prefix" -name 'liblinuxns.so' -print -quit)
if [ -z "$so" ]; then
  echo "run_shared: no liblinuxns.so installed" >&2
  exit 1
fi
if find "$prefix" -name 'liblinuxns.a' | grep -q .; then
  echo "run_shared: a static liblinuxns.a was installed too" >&2
  exit 1
fi
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
if [ "$soname" != "liblinuxns.so.$major" ]; then
  echo "run_shared: SONAME is '$soname', expected 'liblinuxns.so.$major'" >&2
  exit 1
fi
# The components' libraries, which a top-level build makes by default.
for component in net seccomp; do
  if [ -z "$(find "$prefix" -name "liblinuxns-$component.so" -print -quit)" ]; then
    echo "run_shared: no liblinuxns-$component.so installed" >&2
    exit 1
  fi
done
# Hidden visibility: nothing of linuxns::internal or linuxns::child, in
# liblinuxns.so and in every other installed liblinuxns*.so (linuxns::net's and
# linuxns::seccomp's).
find "$prefix" -name 'liblinuxns*.so' -print0 |
  xargs -0 -n1 "$(dirname "$0")/check_exports.sh" >/dev/null
libdir=$(dirname "$so")
# The SONAME's file must exist, as the loader will ask for it.
test -e "$libdir/$soname"

cmake -S "$source/find_package" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build" >/dev/null
readelf -d "$work/build/consumer" | grep -q "(NEEDED).*\[$soname\]" || {
  echo "run_shared: the find_package consumer does not load $soname" >&2
  exit 1
}
LD_LIBRARY_PATH="$libdir" "$work/build/consumer"

pc_dir=$(dirname "$(find "$prefix" -name linuxns.pc)")
"${CXX:-c++}" -std=c++20 "$source/main.cc" -o "$work/pkgconfig-consumer" \
  $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs linuxns)
readelf -d "$work/pkgconfig-consumer" | grep -q "(NEEDED).*\[$soname\]" || {
  echo "run_shared: the pkg-config consumer does not load $soname" >&2
  exit 1
}
LD_LIBRARY_PATH="$libdir" "$work/pkgconfig-consumer"

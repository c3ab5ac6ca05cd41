#!/usr/bin/env bash
# Installs the build in $1 to a temporary prefix, then builds and runs the
# find_package consumer (and a pkg-config one) against it. Prints "consumer"
# twice: the hostname each consumer's child saw.
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d /tmp/linuxns-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The consumer is compiled as the library was (a sanitizer build's library
# needs the sanitizer's runtime in the program too).
flags=$(sed -n 's/^CMAKE_CXX_FLAGS:STRING=//p' "$build/CMakeCache.txt")
cmake --install "$build" --prefix "$work/prefix" >/dev/null
# Without pkg-config at all: a user of the core needs no libnl or libseccomp.
cmake -S "$source/find_package" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON \
  --no-warn-unused-cli >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
pc_dir=$(dirname "$(find "$work/prefix" -name linuxns.pc)")
c++ -std=c++20 $flags "$source/main.cc" -o "$work/pkgconfig-consumer" \
  $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs linuxns)
"$work/pkgconfig-consumer"

# linuxns::net, when the build has it: find_package(linuxns COMPONENTS net)
# and pkg-config linuxns-net. Silent on success.
if [ -n "$(find "$work/prefix" -name linuxnsNetTargets.cmake)" ]; then
  cmake -S "$source/net" -B "$work/net-build" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
  cmake --build "$work/net-build" >/dev/null
  "$work/net-build/net_consumer"
  c++ -std=c++20 $flags "$source/net_main.cc" -o "$work/pkgconfig-net-consumer" \
    $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs linuxns-net)
  "$work/pkgconfig-net-consumer"
fi

# linuxns::seccomp, when the build has it: find_package(linuxns COMPONENTS
# seccomp) and pkg-config linuxns-seccomp. Silent on success.
if [ -n "$(find "$work/prefix" -name linuxnsSeccompTargets.cmake)" ]; then
  cmake -S "$source/seccomp" -B "$work/seccomp-build" -G Ninja \
    -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
  cmake --build "$work/seccomp-build" >/dev/null
  "$work/seccomp-build/seccomp_consumer"
  c++ -std=c++20 $flags "$source/seccomp_main.cc" -o "$work/pkgconfig-seccomp-consumer" \
    $(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs linuxns-seccomp)
  "$work/pkgconfig-seccomp-consumer"
fi

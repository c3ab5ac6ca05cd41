#!/usr/bin/env bash
# The ChildObjectsUseNoLibc test: the objects of lib/child/ (the code that
# runs in a CLONE_VM child, docs/design.md) may leave undefined only the
# symbols of the allow-list below, each defined by another object of
# lib/child/. Anything else (memset, __stack_chk_fail, errno's
# __errno_location, a sanitizer's __asan_*/__tsan_*, operator new, a libgcc
# helper) would be code of a library that touches thread-local storage or a
# runtime the child must not enter. Prints the offending symbols and fails.
#
#   tests/layers/child_objects.sh NM OBJECT...
#
# NM is the build's nm (binutils or llvm-nm); the OBJECTs are
# $<TARGET_OBJECTS:linuxns_child>, passed as one ;-separated list or as
# separate arguments.
set -euo pipefail
nm=$1
shift

# Allowed, as nm --demangle prints them: each is defined by another object of
# lib/child/ (named above it).
allowed=(
  # clone_trampoline.cc, in assembly: the clone3 child's first instruction.
  'linuxns_clone3_run'
  # mounts.cc
  'linuxns::child::ApplyMounts(linuxns::child::SpawnPlan const&, linuxns::child::SpawnOutcome&)'
  # holder.cc
  'linuxns::child::CloseFdsFrom(int, int const*, int)'
  # spawn.cc
  'linuxns::child::Fail(linuxns::child::SpawnPlan const&, linuxns::child::SpawnOutcome&, linuxns::child::SpawnStep, long, int)'
)

objects=()
for arg in "$@"; do
  IFS=';' read -r -a split <<<"$arg"
  objects+=("${split[@]}")
done
if [ ${#objects[@]} -eq 0 ]; then
  echo "child_objects: no objects given" >&2
  exit 1
fi

bad=0
undefined=0
for object in "${objects[@]}"; do
  if [ ! -f "$object" ]; then
    echo "child_objects: no object $object" >&2
    exit 1
  fi
  # "                 U name": U undefined, w/v weak undefined.
  symbols=$("$nm" --demangle --undefined-only "$object" | sed -n 's/^ *[Uwv] //p')
  while IFS= read -r symbol; do
    [ -n "$symbol" ] || continue
    undefined=$((undefined + 1))
    ok=0
    for allow in "${allowed[@]}"; do
      if [ "$symbol" = "$allow" ]; then ok=1; break; fi
    done
    if [ $ok = 0 ]; then
      echo "child_objects: $(basename "$object") uses $symbol" >&2
      bad=$((bad + 1))
    fi
  done <<<"$symbols"
done
if [ $bad -ne 0 ]; then
  echo "child_objects: $bad undefined symbols outside the allow-list of $0" >&2
  exit 1
fi
echo "child_objects: ${#objects[@]} objects, $undefined undefined symbols, all in the allow-list"

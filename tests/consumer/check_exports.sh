#!/usr/bin/env bash
# Checks that the shared library $1 exports only linuxns' public API: every
# defined symbol of its dynamic symbol table must demangle into namespace
# linuxns:: (its typeinfo and vtables included), and none into
# linuxns::internal:: or linuxns::child::, apart from the allow-list below
# and the standard library's weak instantiations (see the loop). Any
# liblinuxns*.so: the core's, linuxns::net's, linuxns::seccomp's.
# Prints the number of exported symbols on stdout; otherwise lists the
# offenders on stderr and fails. Run by run_shared.sh; usable on any build:
#   tests/consumer/check_exports.sh build/shared/lib/liblinuxns.so
set -euo pipefail
so=$1

# Allowed although outside the public API, each with its reason (a pattern
# matched against the whole demangled name, extended regex):
allowed=(
  # Called by the RunInNamespacesOnThread() template of linuxns/ns_entry.h,
  # which is instantiated in the consumer, so the symbol must be visible.
  '^linuxns::internal::RunOnNewThread\(absl::[a-z0-9_]+::Span<linuxns::NsFd const\* const>, absl::[a-z0-9_]+::FunctionRef<void \(\)>\)$'
  # Called by the RunInNamespacesOnThread(const Namespace&) template, for the
  # same reason.
  '^linuxns::internal::OnThreadTargetsOf\(linuxns::Namespace const&\)$'
)

symbols=$(nm -D --defined-only "$so" | awk '{ print $2, $3 }')
count=$(printf '%s\n' "$symbols" | grep -c .)
bad=()
while IFS=' ' read -r kind mangled; do
  name=$(printf '%s\n' "$mangled" | c++filt)
  # typeinfo, its name and the vtable of an exported class are its own.
  entity=$(printf '%s\n' "$name" | sed -E 's/^(typeinfo name for|typeinfo for|vtable for|VTT for|non-virtual thunk to|guard variable for) //')
  # What the compiler emits with vague linkage (weak W or V, or unique u) for
  # the standard library takes the default visibility libstdc++ gives
  # namespace std, whatever -fvisibility says: instantiations of its templates
  # (std::map<pid_t, NsProcessInfo>'s tree, std::set<std::string>'s, say),
  # and the typeinfo and make_shared tag std::shared_ptr's control block
  # needs. The consumer's own copy is the same code and the loader merges
  # them, so they are harmless, unless one names an internal type.
  if [[ $kind == [WVu] ]] && [[ $entity == std::* ]] &&
     [[ $name != *linuxns::internal::* ]] && [[ $name != *linuxns::child::* ]]; then
    continue
  fi
  ok=0
  for pattern in "${allowed[@]}"; do
    if [[ $name =~ $pattern ]]; then ok=1; break; fi
  done
  if [ $ok = 0 ]; then
    case $entity in
      linuxns::internal::* | linuxns::child::*) ;;
      linuxns::*) ok=1 ;;
    esac
  fi
  [ $ok = 1 ] || bad+=("$name  [$mangled]")
done <<< "$symbols"

if [ ${#bad[@]} -ne 0 ]; then
  echo "check_exports: $so exports ${#bad[@]} of its $count symbols outside linuxns' public API:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check_exports: $count symbols, all in linuxns' public API"

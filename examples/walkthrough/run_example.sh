#!/usr/bin/env bash
# run_example.sh [--as-nobody] [--unprivileged PATTERN_FILE] [--status N] [--copy VAR=PATH]...
#                PATTERN_FILE PROGRAM [ARG]...
#
# The ctest driver of the walkthrough: runs PROGRAM and checks its whole
# output (stdout and stderr in the order they were written) against
# PATTERN_FILE, and its exit status against N (0 unless given). PATTERN_FILE
# holds one Perl-compatible regular expression (grep -P) per line of output,
# in order, no more and no fewer; they are matched as one expression, so a
# later line may refer back to a group of an earlier one (\1, or (?!\1) for
# "not the same"). The output is printed either way (ctest -V shows it).
#
# --as-nobody runs PROGRAM as uid/gid 65534 with no groups (setpriv), from
# copies in a fresh directory that uid can reach. It needs root, and user
# namespaces open to an ordinary user: without either, the test is skipped
# (exit 77, the tests' SKIP_RETURN_CODE) with the reason.
# --unprivileged PATTERN_FILE: the pattern to use instead when the program
# runs as another user than root (with --as-nobody, or when ctest does).
# --copy VAR=PATH exports VAR=PATH to the program (a copy of PATH with
# --as-nobody): the tools a script runs.
set -euo pipefail
as_nobody=0
want_status=0
unprivileged_pattern_file=
copies=()
while [ $# -gt 0 ]; do
  case "$1" in
    --as-nobody) as_nobody=1 ;;
    --status) want_status=$2; shift ;;
    --unprivileged) unprivileged_pattern_file=$2; shift ;;
    --copy) copies+=("$2"); shift ;;
    *) break ;;
  esac
  shift
done
pattern_file=$1 program=$2
shift 2
if [ -n "$unprivileged_pattern_file" ] && { [ "$as_nobody" = 1 ] || [ "$(id -u)" != 0 ]; }; then
  pattern_file=$unprivileged_pattern_file
fi

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if [ "$as_nobody" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "skipped: switching to uid 65534 needs root"
    exit 77
  fi
  if ! (cd / && nobody unshare --user true) 2>/dev/null; then
    echo "skipped: uid 65534 cannot create a user namespace here" \
      "(see /proc/sys/user/max_user_namespaces, kernel.apparmor_restrict_unprivileged_userns)"
    exit 77
  fi
  dir=$(mktemp -d /tmp/walkthrough-bin.XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  cp "$program" "$dir/"
  program="$dir/$(basename "$program")"
  for copy in ${copies[@]+"${copies[@]}"}; do
    cp "${copy#*=}" "$dir/"
    export "${copy%%=*}=$dir/$(basename "${copy#*=}")"
  done
  chmod -R a+rX "$dir"
  run() { (cd / && nobody "$@"); }
else
  for copy in ${copies[@]+"${copies[@]}"}; do export "$copy"; done
  run() { "$@"; }
fi

status=0
output=$(run "$program" "$@" 2>&1) || status=$?
printf '%s\n' "$output"
if [ "$status" != "$want_status" ]; then
  echo "run_example: $(basename "$program") exited with $status, expected $want_status"
  exit 1
fi
pattern=$(awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }' "$pattern_file")
if ! printf '%s\n' "$output" | grep -Pzq -- "\\A$pattern\\n\\z"; then
  echo "run_example: the output does not match $pattern_file:"
  cat "$pattern_file"
  exit 1
fi

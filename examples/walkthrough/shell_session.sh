#!/usr/bin/env bash
# Walkthrough 6: `unshare --fork --pid --mount-proc` and `nsenter`, in the
# shell. Runs the session of docs/tutorial.md, step 6, printing each command
# after "$ " and then its output. UNSHARE and NSENTER name the tools (by
# default the unshare and nsenter of PATH: util-linux's); linuxns' tools in
# examples/ take the same options.
#
# Works without privilege: an ordinary user adds a user namespace in which
# it is root (unshare --map-root-user), and enters it too (nsenter --user
# --preserve-credentials: util-linux 2.38 would otherwise call setgroups(2),
# which a user namespace made without privilege refuses).
set -euo pipefail
unshare=${UNSHARE:-unshare}
nsenter=${NSENTER:-nsenter}
for tool in ps pgrep; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool (package procps) is missing"; exit 77; }
done
as_user=()
enter_user=()
if [ "$(id -u)" != 0 ]; then as_user=(--map-root-user) enter_user=(--user --preserve-credentials); fi
say() { echo "\$ $*"; }

say "unshare ${as_user[*]:+${as_user[*]} }--fork --pid --mount-proc sh -c 'echo \"my pid: \$\$\"; ps -o pid,comm'"
"$unshare" "${as_user[@]}" --fork --pid --mount-proc sh -c 'echo "my pid: $$"; ps -o pid,comm'

say "unshare ${as_user[*]:+${as_user[*]} }--fork --pid --mount-proc --uts sh -c 'hostname box; exec sleep 10' &"
# Run as a group that reports unshare's status itself: bash would print a
# "Killed" line of its own, when it pleases, for a background job that dies
# of a signal (the group's stderr is /dev/null; unshare's is ours, on fd 3).
{
  status=0
  "$unshare" "${as_user[@]}" --fork --pid --mount-proc --uts \
    sh -c 'hostname box; exec sleep 10' 2>&3 || status=$?
  echo "unshare: $status"
} 3>&2 2>/dev/null &
background=$!
pid=
trap '[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true' EXIT
# Not shown: wait until the command has set the hostname and become sleep,
# the child of unshare, the child of the group.
for _ in $(seq 250); do
  unshare_pid=$(pgrep -P "$background" || true)
  if [ -n "$unshare_pid" ]; then pid=$(pgrep -P "$unshare_pid" -x sleep || true); fi
  [ -n "$pid" ] && break
  sleep 0.02
done
say "pid=\$(pgrep -P \$! -x sleep)"
say "nsenter --target \$pid ${enter_user[*]:+${enter_user[*]} }--uts --pid --mount sh -c 'echo \"\$(hostname): my pid: \$\$\"; ps -o pid,comm'"
"$nsenter" --target "$pid" "${enter_user[@]}" --uts --pid --mount \
  sh -c 'echo "$(hostname): my pid: $$"; ps -o pid,comm'

say "kill -TERM \$pid; sleep 0.2; ps -o stat= -p \$pid"
kill -TERM "$pid"
sleep 0.2
ps -o stat= -p "$pid"
say "kill -KILL \$pid; wait \$!; echo \"unshare: \$?\""
kill -KILL "$pid"
wait "$background"

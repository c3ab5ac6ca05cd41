\$ unshare --map-root-user --fork --pid --mount-proc sh -c 'echo "my pid: \$\$"; ps -o pid,comm'
my pid: 1
 +PID COMMAND
 +1 sh
 +2 ps
\$ unshare --map-root-user --fork --pid --mount-proc --uts sh -c 'hostname box; exec sleep 10' &
\$ pid=\$\(pgrep -P \$! -x sleep\)
\$ nsenter --target \$pid --user --preserve-credentials --uts --pid --mount sh -c 'echo "\$\(hostname\): my pid: \$\$"; ps -o pid,comm'
box: my pid: (\d+)
 +PID COMMAND
 +1 sleep
 +\1 sh
 +\d+ ps
\$ kill -TERM \$pid; sleep 0\.2; ps -o stat= -p \$pid
S
\$ kill -KILL \$pid; wait \$!; echo "unshare: \$\?"
unshare: 137

the command as PID 1:
command: my pid is 1
  children of PID 1: pid \d+ \(sleep\) state Z
  SIGTERM to PID 1: ignored, still running 200 ms later
with linuxns-init as PID 1:
command: my pid is 2
  children of PID 1: pid 2 \(sleep\) state S
  SIGTERM to PID 1: exited with code 143

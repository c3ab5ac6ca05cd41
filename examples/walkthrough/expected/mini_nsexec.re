before: (uts:\[\d+\]) (pid:\[\d+\]) (net:\[\d+\])
hostname demo, pid 1
    lo
after:  (?!\1)uts:\[\d+\] (?!\2)pid:\[\d+\] (?!\3)net:\[\d+\]
sh exited with code 3

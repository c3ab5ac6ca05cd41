before: (uts:\[\d+\]) (pid:\[\d+\]) (net:\[\d+\]) (user:\[\d+\])
hostname demo, pid 1
    lo
after:  (?!\1)uts:\[\d+\] (?!\2)pid:\[\d+\] (?!\3)net:\[\d+\] (?!\4)user:\[\d+\]
sh exited with code 3

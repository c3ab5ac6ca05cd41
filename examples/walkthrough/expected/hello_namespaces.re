TYPE +BEFORE +AFTER *
mnt +(mnt:\[\d+\]) +(?!\1 )mnt:\[\d+\] *
uts +(uts:\[\d+\]) +(?!\2 )uts:\[\d+\] *
ipc +(ipc:\[\d+\]) +(?!\3 )ipc:\[\d+\] *
pid +(pid:\[\d+\]) +(?!\4 )pid:\[\d+\] *
net +(net:\[\d+\]) +(?!\5 )net:\[\d+\] *
user +(user:\[\d+\]) +(?!\6 )user:\[\d+\] *
cgroup +(cgroup:\[\d+\]) +(?!\7 )cgroup:\[\d+\] *
time +(time:\[\d+\]) +(?!\8 )time:\[\d+\] *
inside: hostname linuxns-demo, network links: lo

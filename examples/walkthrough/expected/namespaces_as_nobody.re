namespaces of this process \(pid \d+\):
  mnt:\[(\d+)\]
  uts:\[(\d+)\]
  ipc:\[(\d+)\]
  pid:\[(\d+)\]
  net:\[(\d+)\]
  user:\[(\d+)\]
  cgroup:\[(\d+)\]
  time:\[(\d+)\]
a child in a new uts namespace runs hostname:
walkthrough
namespaces of the child:
  mnt:\[\1\]  same as ours
  uts:\[(?!\2\])\d+\]  new
  ipc:\[\3\]  same as ours
  pid:\[\4\]  same as ours
  net:\[\5\]  same as ours
  user:\[(?!\6\])\d+\]  new
  cgroup:\[\7\]  same as ours
  time:\[\8\]  same as ours
our hostname is still (?!walkthrough\n).+

start:   this thread in (uts:\[\d+\]), (.+)
clone:   a child in (?!\1)uts:\[\d+\], cloned
setns:   this thread in (?!\1)(uts:\[\d+\]), joined
setns:   and back in \1, \2
setns:   a child in \3, joined
unshare: this process, now in (?!\1|\3)uts:\[\d+\], unshared

a shared tmpfs on (/tmp/walkthrough-mnt-\w+) in first mnt:\[\d+\], copied to peer, slave and private
mounted \1/a in first, seen in: first peer slave
mounted \1/b in peer, seen in: first peer slave
mounted \1/c in slave, seen in: slave

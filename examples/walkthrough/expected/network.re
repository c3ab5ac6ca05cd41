box1 net:\[\d+\], new: lo down; now eth0 192\.0\.2\.1/24, cabled to br0 in switch (net:\[\d+\])
box2 net:\[\d+\], new: lo down; now eth0 192\.0\.2\.2/24, cabled to br0 in switch \1
box1 connected to 192\.0\.2\.2:80 in box2 through the bridge

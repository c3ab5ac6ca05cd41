// Lists the links of this process's network namespace with linuxns::net
// (no privilege needed). Prints nothing; exits 0 when "lo" is among them.
#include <cstdio>

#include "linuxns/net.h"

int main() {
  absl::StatusOr<linuxns::NetNs> net = linuxns::NetNs::OpenCurrent();
  if (!net.ok()) {
    std::fprintf(stderr, "%s\n", net.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::vector<linuxns::LinkInfo>> links = net->ListLinks();
  if (!links.ok()) {
    std::fprintf(stderr, "%s\n", links.status().ToString().c_str());
    return 1;
  }
  for (const linuxns::LinkInfo& link : *links) {
    if (link.name == "lo") return 0;
  }
  std::fprintf(stderr, "no lo among %zu links\n", links->size());
  return 1;
}

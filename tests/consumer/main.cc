// Spawns `hostname` in a new UTS namespace (with a user namespace, so that it
// works without root) and prints what it said.
#include <unistd.h>

#include <cstdio>

#include "linuxns/child_process.h"

int main() {
  linuxns::SpawnOptions options;
  options.argv = {"hostname"};
  options.new_namespaces = {linuxns::NsType::kUts};
  options.MapCurrentUserToRoot();
  options.hostname = "consumer";
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
  if (!child.ok()) {
    std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
  return status.ok() && status->success() ? 0 : 1;
}

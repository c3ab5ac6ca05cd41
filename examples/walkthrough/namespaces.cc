// Walkthrough 1: what a namespace is.
//
// Every process is in exactly one namespace of each of the eight types, and
// /proc/PID/ns/ names them: two processes share a namespace when the ids
// there are equal. This program prints its own, then starts `hostname` in a
// new UTS namespace with a hostname of its own, and compares: only the uts
// line differs, and our own hostname has not changed.
//
// Works without privilege: a caller that is not root also gets a new user
// namespace (where it is root), which owns the UTS namespace, so the kernel
// lets it create one and set its hostname.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "linuxns/child_process.h"
#include "linuxns/ns_fd.h"
#include "linuxns/spawn_options.h"

int main() {
  using linuxns::NsType;
  std::cout << "namespaces of this process (pid " << ::getpid() << "):\n";
  for (NsType type : linuxns::kAllNsTypes) {
    absl::StatusOr<linuxns::NsFd> mine = linuxns::NsFd::OpenCurrent(type);
    if (!mine.ok()) return std::cerr << mine.status() << "\n", 1;
    std::cout << "  " << mine->id() << "\n";
  }

  linuxns::SpawnOptions options;
  options.argv = {"hostname"};
  options.new_namespaces = {NsType::kUts};
  if (::geteuid() != 0) options.MapCurrentUserToRoot();  // adds NsType::kUser
  options.hostname = "walkthrough";
  options.record_namespaces = true;  // the child notes its ids before its exec
  std::cout << "a child in a new uts namespace runs hostname:" << std::endl;  // flush first
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
  if (!child.ok()) return std::cerr << child.status() << "\n", 1;
  absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
  if (!status.ok()) return std::cerr << status.status() << "\n", 1;

  std::cout << "namespaces of the child:\n";
  for (NsType type : linuxns::kAllNsTypes) {
    std::optional<linuxns::NsId> theirs = child->NamespaceAtExec(type);
    absl::StatusOr<linuxns::NsFd> mine = linuxns::NsFd::OpenCurrent(type);
    if (!theirs || !mine.ok()) continue;
    std::cout << "  " << *theirs << (*theirs == mine->id() ? "  same as ours" : "  new") << "\n";
  }
  char name[65] = {};
  ::gethostname(name, sizeof name - 1);
  std::cout << "our hostname is still " << name << "\n";
  return status->success() ? 0 : 1;
}

// Walkthrough 7: nsexec, the classic, in a page.
//
//   mini_nsexec HOSTNAME COMMAND [ARG]...
//
// Runs COMMAND in new network, PID and UTS namespaces with HOSTNAME, prints
// the namespace ids before (ours) and after (the command's), and the
// command's exit status, which is also ours (128+N for a signal N). The
// command is PID 1 of its namespace, and its only network link is a down
// "lo". examples/nsexec.cc is the full tool (a new mount namespace with a
// fresh /proc and /sys, loopback up, an init, a veth link to the host,
// signals forwarded).
//
// Works without privilege: a caller that is not root also gets a new user
// namespace, in which it is root (`unshare -r`).
#include <unistd.h>

#include <iostream>

#include "linuxns/child_process.h"
#include "linuxns/ns_fd.h"
#include "linuxns/spawn_options.h"

int main(int argc, char** argv) {
  if (argc < 3) return std::cerr << "usage: mini_nsexec HOSTNAME COMMAND [ARG]...\n", 1;
  using linuxns::NsType;
  linuxns::SpawnOptions options;
  options.argv.assign(argv + 2, argv + argc);
  options.new_namespaces = {NsType::kNet, NsType::kPid, NsType::kUts};
  if (::geteuid() != 0) options.MapCurrentUserToRoot();  // adds NsType::kUser
  options.hostname = argv[1];
  options.record_namespaces = true;  // ids as the child saw them before its exec

  const linuxns::NsTypeSet shown = options.new_namespaces;
  std::cout << "before:";
  for (NsType type : shown) {
    absl::StatusOr<linuxns::NsFd> mine = linuxns::NsFd::OpenCurrent(type);
    if (mine.ok()) std::cout << " " << mine->id();
  }
  std::cout << std::endl;  // flushed before the command writes to the same output
  absl::StatusOr<linuxns::ChildProcess> child = linuxns::ChildProcess::Spawn(options);
  if (!child.ok()) return std::cerr << "mini_nsexec: " << child.status() << "\n", 1;
  absl::StatusOr<linuxns::ExitStatus> status = child->Wait();
  if (!status.ok()) return std::cerr << "mini_nsexec: " << status.status() << "\n", 1;
  std::cout << "after: ";
  for (NsType type : shown) {
    if (std::optional<linuxns::NsId> id = child->NamespaceAtExec(type)) std::cout << " " << *id;
  }
  std::cout << "\n" << options.argv[0] << " " << *status << "\n";
  return status->ShellCode();
}

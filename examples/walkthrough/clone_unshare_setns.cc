// Walkthrough 5: the three ways into a namespace: clone, setns, unshare.
//
// clone(2) with CLONE_NEW* flags starts a child in new namespaces;
// setns(2) moves the calling thread into an existing namespace, given as a
// file descriptor (/proc/PID/ns/X, or one linuxns holds); unshare(2) moves
// the calling process into new namespaces (namespaces(7)). In linuxns:
// ChildProcess::Spawn() clones, RunInNamespacesHere() and SpawnOptions::join
// use setns, ExecInPlace() unshares and then runs a command in place. Each
// step shows the uts namespace and the hostname it sees.
//
// Works without privilege: a caller that is not root first moves into a user
// namespace of its own, where it is root (allowed while it is
// single-threaded), so the namespaces it creates belong to it; and into a
// UTS namespace of that user namespace, because setns(2) back into the
// host's, which RunInNamespacesHere() must do, is refused there.
#include <unistd.h>

#include <iostream>
#include <string>

#include "linuxns/child_process.h"
#include "linuxns/exec_in_place.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/status.h"

namespace {

using linuxns::NsType;

// A command that prints its own uts namespace and hostname after `label`.
std::vector<std::string> Show(const std::string& label) {
  return {"sh", "-c", "echo \"" + label + " $(readlink /proc/self/ns/uts), $(hostname)\""};
}

std::string Here() {
  char name[65] = {};
  ::gethostname(name, sizeof name - 1);
  return linuxns::NsFd::OpenCurrent(NsType::kUts)->id().ToString() + ", " + name;
}

absl::Status Run() {
  if (::geteuid() != 0) {
    LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace own,
                             linuxns::Namespace::Create({NsType::kUser, NsType::kUts}));
    LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kUser)->Enter());
    LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kUts)->Enter());
  }
  std::cout << "start:   this thread in " << Here() << std::endl;
  // A namespace held by a descriptor: it outlives the process that made it.
  LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace held, linuxns::Namespace::Create({NsType::kUts}));
  const linuxns::NsFd& uts = *held.Find(NsType::kUts);

  linuxns::SpawnOptions clone;  // clone(2) with CLONE_NEWUTS
  clone.argv = Show("clone:   a child in");
  clone.new_namespaces = {NsType::kUts};
  clone.hostname = "cloned";
  LINUXNS_ASSIGN_OR_RETURN(linuxns::ChildProcess child, linuxns::ChildProcess::Spawn(clone));
  LINUXNS_RETURN_IF_ERROR(child.Wait().status());

  LINUXNS_ASSIGN_OR_RETURN(std::string inside, linuxns::RunInNamespacesHere({&uts}, [] {
                             ::sethostname("joined", 6);
                             return Here();
                           }));
  std::cout << "setns:   this thread in " << inside << "\n";
  std::cout << "setns:   and back in " << Here() << std::endl;
  linuxns::SpawnOptions join;  // setns(2) in the child, before its exec
  join.argv = Show("setns:   a child in");
  join.join = {&uts};
  LINUXNS_ASSIGN_OR_RETURN(linuxns::ChildProcess joined, linuxns::ChildProcess::Spawn(join));
  LINUXNS_RETURN_IF_ERROR(joined.Wait().status());

  linuxns::SpawnOptions in_place;  // unshare(2) in this process, then execve(2)
  in_place.argv = Show("unshare: this process, now in");
  in_place.new_namespaces = {NsType::kUts};
  in_place.hostname = "unshared";
  return linuxns::ExecInPlace(in_place);  // returns only on failure
}

}  // namespace

int main() {
  const absl::Status failed = Run();
  std::cerr << "clone_unshare_setns: " << failed << "\n";
  return 1;
}

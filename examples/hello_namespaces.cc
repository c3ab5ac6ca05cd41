// hello_namespaces: creates one new namespace of each type, prints the
// calling thread's namespace ids beside the new ones, then runs a little code
// inside (on a dedicated thread) to show that it sees a new hostname and no
// network interface but the loopback.
//
// Usage: hello_namespaces [HOSTNAME]
// Works as root and as an ordinary user (where unprivileged user namespaces
// are allowed): the new user namespace owns the others, so the kernel lets
// anyone create them. Entering them is another matter: setns(2) wants
// CAP_SYS_ADMIN in the caller's own user namespace too, which an ordinary
// user does not have in the host's. So a caller that is not root first moves
// the whole process (single-threaded at that point, as the kernel requires)
// into the new user namespace, where it is root; from there a thread may
// enter the namespaces it owns.
#include <net/if.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/ns_fd.h"

namespace {

using linuxns::NsType;

std::string HostnameAndLinks(const std::string& hostname) {
  if (::sethostname(hostname.data(), hostname.size()) != 0) return "sethostname failed";
  char name[65] = {};
  ::gethostname(name, sizeof name - 1);
  std::string links;
  if (struct if_nameindex* list = ::if_nameindex()) {
    for (struct if_nameindex* i = list; i->if_index != 0; ++i) {
      links += std::string(links.empty() ? "" : " ") + i->if_name;
    }
    ::if_freenameindex(list);
  }
  return "hostname " + std::string(name) + ", network links: " + links;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string hostname = argc > 1 ? argv[1] : "linuxns-demo";
  absl::StatusOr<linuxns::Namespace> ns = linuxns::Namespace::Create(linuxns::NsTypeSet::All());
  if (!ns.ok()) {
    std::cerr << "hello_namespaces: " << ns.status().message() << "\n";
    return 1;
  }
  std::printf("%-7s %-20s %-20s\n", "TYPE", "BEFORE", "AFTER");
  for (NsType t : ns->types()) {
    absl::StatusOr<linuxns::NsFd> mine = linuxns::NsFd::OpenCurrent(t);
    std::printf("%-7s %-20s %-20s\n", std::string(linuxns::NsTypeName(t)).c_str(),
                mine.ok() ? mine->id().ToString().c_str() : "?",
                ns->Find(t)->id().ToString().c_str());
  }
  if (::geteuid() != 0) {
    if (absl::Status entered = ns->Find(NsType::kUser)->Enter(); !entered.ok()) {
      std::cerr << "hello_namespaces: " << entered.message() << "\n";
      return 1;
    }
  }
  absl::StatusOr<std::string> inside = linuxns::RunInNamespacesOnThread(
      {ns->Find(NsType::kUts), ns->Find(NsType::kNet)}, [&] { return HostnameAndLinks(hostname); });
  if (!inside.ok()) {
    std::cerr << "hello_namespaces: " << inside.status().message() << "\n";
    return 1;
  }
  std::printf("inside: %s\n", inside->c_str());
  return 0;
}

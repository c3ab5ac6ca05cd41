// Walkthrough 4: the network namespace: only a loopback at first, then
// connected by veth pairs and a bridge.
//
// A new network namespace has its own links, addresses, routes, ports and
// firewall, and starts with one link, "lo", down (network_namespaces(7)). A
// veth pair is a virtual cable whose two ends may lie in two namespaces; a
// bridge is a virtual switch. The program makes two "boxes" and a "switch"
// namespace (which stands for the host, so nothing of the real host
// changes), cables each box to a bridge in the switch, and connects a TCP
// socket in one box to a listening socket in the other.
//
// Works without privilege: a caller that is not root first moves into a user
// namespace of its own and a network namespace of that user namespace (the
// scoped entries of NetNs and RunInNamespacesHere must be able to come back).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "linuxns/namespace.h"
#include "linuxns/net.h"
#include "linuxns/ns_entry.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace {

using linuxns::Namespace;
using linuxns::NsType;

// A TCP socket made inside `ns`, listening on 192.0.2.2:80 or connected to
// it; the errno of the call that failed otherwise.
absl::StatusOr<linuxns::UniqueFd> TcpSocketIn(const Namespace& ns, bool listen) {
  return linuxns::RunInNamespacesHere(
      {ns.Find(NsType::kNet)}, [&]() -> absl::StatusOr<linuxns::UniqueFd> {
        linuxns::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd) return linuxns::ErrnoError(errno, "socket");
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(80);
        ::inet_pton(AF_INET, "192.0.2.2", &to.sin_addr);
        const sockaddr* address = reinterpret_cast<const sockaddr*>(&to);
        if (listen ? ::bind(fd.get(), address, sizeof to) != 0 || ::listen(fd.get(), 1) != 0
                   : ::connect(fd.get(), address, sizeof to) != 0) {
          return linuxns::ErrnoError(errno, listen ? "listen on 192.0.2.2:80" : "connect");
        }
        return fd;
      });
}

absl::Status Run() {
  if (::geteuid() != 0) {
    LINUXNS_ASSIGN_OR_RETURN(Namespace own, Namespace::Create({NsType::kUser, NsType::kNet}));
    LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kUser)->Enter());
    LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kNet)->Enter());
  }
  LINUXNS_ASSIGN_OR_RETURN(Namespace switch_ns, Namespace::Create({NsType::kNet}));
  LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs sw, linuxns::NetNs::Open(switch_ns));
  LINUXNS_RETURN_IF_ERROR(sw.CreateBridge("br0"));
  LINUXNS_RETURN_IF_ERROR(sw.SetLinkUp("br0"));
  std::optional<Namespace> box[2];
  for (int i = 0; i < 2; ++i) {
    LINUXNS_ASSIGN_OR_RETURN(box[i], Namespace::Create({NsType::kNet}));
    LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs net, linuxns::NetNs::Open(*box[i]));
    LINUXNS_ASSIGN_OR_RETURN(std::vector<linuxns::LinkInfo> links, net.ListLinks());
    std::cout << "box" << i + 1 << " " << net.id() << ", new:";
    for (const linuxns::LinkInfo& link : links)
      std::cout << " " << link.name << (link.up ? " up" : " down");
    // One end in the switch, attached to br0; the other created in the box.
    const std::string port = "port" + std::to_string(i + 1);
    LINUXNS_RETURN_IF_ERROR(sw.CreateVethPair(
        {.name = port, .peer_name = "eth0", .peer_namespace = box[i]->Find(NsType::kNet)}));
    LINUXNS_RETURN_IF_ERROR(sw.AttachToBridge(port, "br0"));
    LINUXNS_RETURN_IF_ERROR(sw.SetLinkUp(port));
    const std::string address = "192.0.2." + std::to_string(i + 1) + "/24";
    LINUXNS_RETURN_IF_ERROR(net.AddAddress("eth0", *linuxns::IpPrefix::Parse(address)));
    LINUXNS_RETURN_IF_ERROR(net.SetLinkUp("eth0"));
    std::cout << "; now eth0 " << address << ", cabled to br0 in switch " << sw.id() << "\n";
  }
  LINUXNS_ASSIGN_OR_RETURN(linuxns::UniqueFd server, TcpSocketIn(*box[1], /*listen=*/true));
  LINUXNS_ASSIGN_OR_RETURN(linuxns::UniqueFd client, TcpSocketIn(*box[0], /*listen=*/false));
  std::cout << "box1 connected to 192.0.2.2:80 in box2 through the bridge\n";
  return absl::OkStatus();
}

}  // namespace

int main() {
  const absl::Status status = Run();
  if (!status.ok()) return std::cerr << "network: " << status << "\n", 1;
  return 0;
}

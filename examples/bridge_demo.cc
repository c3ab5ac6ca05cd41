// bridge_demo: the classic "two containers on a bridge", built with
// linuxns::net and no ip(8), then a UDP message from one to the other.
//
//   left  [eth0 192.0.2.1/24] --veth-- [port-left ]
//                                       br0          (in a "switch" namespace)
//   right [eth0 192.0.2.2/24] --veth-- [port-right]
//
// All three network namespaces are new; the bridge lives in the third, not
// on the host, and nothing of the host's network is touched. Run as root, or
// as an ordinary user where unprivileged user namespaces are allowed (the
// program then first enters a user namespace of its own, which owns the
// network namespaces it makes). Everything is gone when it exits.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "linuxns/namespace.h"
#include "linuxns/net.h"
#include "linuxns/ns_entry.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"

namespace {

using linuxns::NsType;

constexpr uint16_t kPort = 5000;

struct Host {
  std::string name;
  const char* address;  // with its prefix
  std::optional<linuxns::Namespace> ns;
  const linuxns::NsFd& net() const { return *ns->Find(NsType::kNet); }
};

// Root of a user namespace of our own, unless we are root already. The
// process also moves to a network namespace of that user namespace: the scoped
// entries of NetNs::Open() come back to it, which they could not do to the
// host's (setns there wants CAP_SYS_ADMIN over the host's user namespace).
absl::Status BecomeRootIfNeeded() {
  if (::geteuid() == 0) return absl::OkStatus();
  LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace own,
                           linuxns::Namespace::Create({NsType::kUser, NsType::kNet}));
  LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kUser)->Enter());
  LINUXNS_RETURN_IF_ERROR(own.Find(NsType::kNet)->Enter());
  std::cout << "bridge_demo: not root: entered " << own.Find(NsType::kUser)->id() << " and "
            << own.Find(NsType::kNet)->id() << " of our own\n";
  return absl::OkStatus();
}

absl::StatusOr<linuxns::UniqueFd> UdpSocketIn(const linuxns::NsFd& net) {
  return linuxns::RunInNamespacesHere({&net}, []() -> absl::StatusOr<linuxns::UniqueFd> {
    linuxns::UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return linuxns::ErrnoError(errno, "socket");
    return fd;
  });
}

sockaddr_in ToSockaddr(const linuxns::IpAddress& address, uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  std::memcpy(&in.sin_addr, address.bytes().data(), 4);
  return in;
}

absl::Status Run() {
  LINUXNS_RETURN_IF_ERROR(BecomeRootIfNeeded());
  const auto start = std::chrono::steady_clock::now();

  // The switch: a namespace holding only a bridge.
  LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace switch_ns,
                           linuxns::Namespace::Create({NsType::kNet}));
  LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs sw, linuxns::NetNs::Open(switch_ns));
  LINUXNS_RETURN_IF_ERROR(sw.CreateBridge("br0"));
  LINUXNS_RETURN_IF_ERROR(sw.SetLinkUp("br0"));
  std::cout << "bridge_demo: switch " << sw.id() << ": bridge br0, up\n";

  Host hosts[] = {{"left", "192.0.2.1/24", std::nullopt}, {"right", "192.0.2.2/24", std::nullopt}};
  for (Host& host : hosts) {
    LINUXNS_ASSIGN_OR_RETURN(host.ns, linuxns::Namespace::Create({NsType::kNet}));
    LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs net, linuxns::NetNs::Open(*host.ns));
    const std::string port = "port-" + host.name;
    // One end in the switch, the other created directly inside the host.
    LINUXNS_RETURN_IF_ERROR(
        sw.CreateVethPair({.name = port, .peer_name = "eth0", .peer_namespace = &host.net()}));
    LINUXNS_RETURN_IF_ERROR(sw.AttachToBridge(port, "br0"));
    LINUXNS_RETURN_IF_ERROR(sw.SetLinkUp(port));
    LINUXNS_ASSIGN_OR_RETURN(linuxns::IpPrefix address, linuxns::IpPrefix::Parse(host.address));
    LINUXNS_RETURN_IF_ERROR(net.AddAddress("eth0", address));
    LINUXNS_RETURN_IF_ERROR(net.SetLinkUp("eth0"));
    LINUXNS_RETURN_IF_ERROR(net.SetLinkUp("lo"));
    std::cout << "bridge_demo: " << host.name << " " << net.id() << ": eth0 " << address
              << ", up, cabled to br0 port " << port << "\n";
  }
  const auto wired = std::chrono::steady_clock::now();
  std::cout << "bridge_demo: three namespaces wired in "
            << std::chrono::duration_cast<std::chrono::microseconds>(wired - start).count()
            << " us\n";

  // A UDP message from left to right, through the bridge.
  const linuxns::IpAddress right_address = *linuxns::IpAddress::Parse("192.0.2.2");
  LINUXNS_ASSIGN_OR_RETURN(linuxns::UniqueFd receiver, UdpSocketIn(hosts[1].net()));
  LINUXNS_ASSIGN_OR_RETURN(linuxns::UniqueFd sender, UdpSocketIn(hosts[0].net()));
  const sockaddr_in to = ToSockaddr(right_address, kPort);
  if (::bind(receiver.get(), reinterpret_cast<const sockaddr*>(&to), sizeof(to)) != 0) {
    return linuxns::ErrnoError(errno, "bind 192.0.2.2:5000 in right");
  }
  const std::string message = "hello from left";
  if (::sendto(sender.get(), message.data(), message.size(), 0,
               reinterpret_cast<const sockaddr*>(&to), sizeof(to)) < 0) {
    return linuxns::ErrnoError(errno, "sendto 192.0.2.2:5000 from left");
  }
  std::cout << "bridge_demo: left sent \"" << message << "\" to " << right_address << ":" << kPort
            << "\n";
  pollfd ready{receiver.get(), POLLIN, 0};
  if (::poll(&ready, 1, 5000) != 1) {
    return absl::DeadlineExceededError("right received nothing in 5 s");
  }
  char buffer[128];
  sockaddr_in from{};
  socklen_t from_size = sizeof(from);
  const ssize_t n = ::recvfrom(receiver.get(), buffer, sizeof(buffer), 0,
                               reinterpret_cast<sockaddr*>(&from), &from_size);
  if (n < 0) return linuxns::ErrnoError(errno, "recvfrom in right");
  char from_text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &from.sin_addr, from_text, sizeof(from_text));
  std::cout << "bridge_demo: right received \"" << std::string(buffer, static_cast<size_t>(n))
            << "\" from " << from_text << ":" << ntohs(from.sin_port) << "\n";
  std::cout << "bridge_demo: done; the namespaces, the bridge and the veth pairs go with us\n";
  return absl::OkStatus();
}

}  // namespace

int main() {
  const absl::Status status = Run();
  if (!status.ok()) {
    std::cerr << "bridge_demo: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

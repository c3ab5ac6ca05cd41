// linuxns/net.h on real network namespaces. Every link and address lives in a
// namespace the test made; only documentation addresses (RFC 5737, RFC 3849)
// are used, so no packet can leave the test's namespaces or mean anything
// elsewhere.
#include "linuxns/net.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "linuxns/child_process.h"
#include "linuxns/namespace.h"
#include "linuxns/ns_entry.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "support/status_matchers.h"
#include "support/test_util.h"

namespace linuxns::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kTimeoutMs = 5000;

IpAddress Ip(const char* text) { return *IpAddress::Parse(text); }
IpPrefix Prefix(const char* text) { return *IpPrefix::Parse(text); }

// A network namespace of the test, with its netlink connection.
struct TestNet {
  Namespace ns;
  NetNs net;
  const NsFd& fd() const { return *ns.Find(NsType::kNet); }
};

absl::StatusOr<TestNet> MakeNet() {
  LINUXNS_ASSIGN_OR_RETURN(Namespace ns, Namespace::Create({NsType::kNet}));
  LINUXNS_ASSIGN_OR_RETURN(NetNs net, NetNs::Open(ns));
  return TestNet{std::move(ns), std::move(net)};
}

socklen_t ToSockaddr(const IpAddress& address, uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof(*out));
  if (address.family() == IpFamily::kIpv4) {
    auto* in = reinterpret_cast<sockaddr_in*>(out);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    std::memcpy(&in->sin_addr, address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(out);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  std::memcpy(&in6->sin6_addr, address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

absl::Status WaitReadable(int fd, const std::string& what) {
  pollfd p{fd, POLLIN, 0};
  const int n = ::poll(&p, 1, kTimeoutMs);
  if (n < 0) return ErrnoError(errno, what);
  if (n == 0) return absl::DeadlineExceededError(absl::StrCat(what, ": nothing in 5 s"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> Receive(int fd, const std::string& what) {
  LINUXNS_RETURN_IF_ERROR(WaitReadable(fd, what));
  char buffer[256];
  const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
  if (n < 0) return ErrnoError(errno, what);
  return std::string(buffer, static_cast<std::size_t>(n));
}

// One UDP datagram from a socket in `from` to `to_address`:`port` in `to`.
absl::Status UdpExchange(const NsFd& from, const NsFd& to, const IpAddress& to_address,
                         uint16_t port) {
  const int domain = to_address.af();
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd receiver, SocketIn(to, domain, SOCK_DGRAM));
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd sender, SocketIn(from, domain, SOCK_DGRAM));
  sockaddr_storage address;
  const socklen_t size = ToSockaddr(to_address, port, &address);
  if (::bind(receiver.get(), reinterpret_cast<sockaddr*>(&address), size) != 0) {
    return ErrnoError(errno, absl::StrCat("bind ", to_address.ToString()));
  }
  const std::string message = absl::StrCat("hello ", to_address.ToString());
  if (::sendto(sender.get(), message.data(), message.size(), 0,
               reinterpret_cast<sockaddr*>(&address), size) < 0) {
    return ErrnoError(errno, absl::StrCat("sendto ", to_address.ToString()));
  }
  LINUXNS_ASSIGN_OR_RETURN(std::string got, Receive(receiver.get(), "udp receive"));
  if (got != message) return absl::InternalError(absl::StrCat("received \"", got, "\""));
  return absl::OkStatus();
}

// A TCP connection from `client` to `server_address`:`port` in `server`,
// carrying data both ways.
absl::Status TcpExchange(const NsFd& client, const NsFd& server, const IpAddress& server_address,
                         uint16_t port) {
  const int domain = server_address.af();
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd listener, SocketIn(server, domain, SOCK_STREAM));
  LINUXNS_ASSIGN_OR_RETURN(UniqueFd connector, SocketIn(client, domain, SOCK_STREAM));
  sockaddr_storage address;
  const socklen_t size = ToSockaddr(server_address, port, &address);
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(listener.get(), 1) != 0) {
    return ErrnoError(errno, absl::StrCat("listen on ", server_address.ToString()));
  }
  timeval timeout{5, 0};
  ::setsockopt(connector.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (::connect(connector.get(), reinterpret_cast<sockaddr*>(&address), size) != 0) {
    return ErrnoError(errno, absl::StrCat("connect to ", server_address.ToString()));
  }
  LINUXNS_RETURN_IF_ERROR(WaitReadable(listener.get(), "accept"));
  UniqueFd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!accepted) return ErrnoError(errno, "accept");
  if (::send(connector.get(), "ping", 4, MSG_NOSIGNAL) != 4) return ErrnoError(errno, "send");
  LINUXNS_ASSIGN_OR_RETURN(std::string ping, Receive(accepted.get(), "server receive"));
  if (::send(accepted.get(), "pong", 4, MSG_NOSIGNAL) != 4) return ErrnoError(errno, "send");
  LINUXNS_ASSIGN_OR_RETURN(std::string pong, Receive(connector.get(), "client receive"));
  if (ping != "ping" || pong != "pong") {
    return absl::InternalError(absl::StrCat("got \"", ping, "\" and \"", pong, "\""));
  }
  return absl::OkStatus();
}

std::vector<std::string> LinkNames(NetNs& net) {
  std::vector<std::string> names;
  absl::StatusOr<std::vector<LinkInfo>> links = net.ListLinks();
  if (!links.ok()) return {absl::StrCat("error: ", links.status().ToString())};
  for (const LinkInfo& link : *links) names.push_back(link.name);
  return names;
}

// Two namespaces joined by a veth pair: "veth-a" 192.0.2.1/24 in a,
// "veth-b" 192.0.2.2/24 in b (created there directly), and the IPv6
// 2001:db8::1/64 and ::2/64 without DAD, all up.
struct Pair {
  TestNet a;
  TestNet b;
};

absl::StatusOr<Pair> MakePair() {
  LINUXNS_ASSIGN_OR_RETURN(TestNet a, MakeNet());
  LINUXNS_ASSIGN_OR_RETURN(TestNet b, MakeNet());
  LINUXNS_RETURN_IF_ERROR(
      a.net.CreateVethPair({.name = "veth-a", .peer_name = "veth-b", .peer_namespace = &b.fd()}));
  LINUXNS_RETURN_IF_ERROR(a.net.AddAddress("veth-a", Prefix("192.0.2.1/24")));
  LINUXNS_RETURN_IF_ERROR(b.net.AddAddress("veth-b", Prefix("192.0.2.2/24")));
  LINUXNS_RETURN_IF_ERROR(a.net.AddAddress("veth-a", Prefix("2001:db8::1/64"), {.no_dad = true}));
  LINUXNS_RETURN_IF_ERROR(b.net.AddAddress("veth-b", Prefix("2001:db8::2/64"), {.no_dad = true}));
  LINUXNS_RETURN_IF_ERROR(a.net.SetLinkUp("veth-a"));
  LINUXNS_RETURN_IF_ERROR(b.net.SetLinkUp("veth-b"));
  return Pair{std::move(a), std::move(b)};
}

class NetTest : public LeakCheckedTest {};

// ------------------------------------------------------------ values

TEST(IpPrefixTest, ParsesIpv4AndIpv6) {
  ASSERT_OK_AND_ASSIGN(IpPrefix v4, IpPrefix::Parse("192.0.2.1/24"));
  EXPECT_EQ(v4.address.family(), IpFamily::kIpv4);
  EXPECT_EQ(v4.length, 24);
  EXPECT_EQ(v4.ToString(), "192.0.2.1/24");
  ASSERT_OK_AND_ASSIGN(IpPrefix v6, IpPrefix::Parse("2001:DB8:0::1/128"));
  EXPECT_EQ(v6.address.family(), IpFamily::kIpv6);
  EXPECT_EQ(v6.ToString(), "2001:db8::1/128");
  EXPECT_EQ(IpAddress::Any(IpFamily::kIpv6).ToString(), "::");
}

TEST(IpPrefixTest, InvalidPrefixesAreRejectedWithTheReason) {
  using absl::StatusCode::kInvalidArgument;
  EXPECT_THAT(IpPrefix::Parse("192.0.2.1"),
              StatusIs(kInvalidArgument, HasSubstr("\"192.0.2.1\" has no prefix length")));
  EXPECT_THAT(IpPrefix::Parse("192.0.2.1/33"),
              StatusIs(kInvalidArgument,
                       "\"192.0.2.1/33\": the prefix length must be a number from 0 to 32"));
  EXPECT_THAT(IpPrefix::Parse("2001:db8::1/129"),
              StatusIs(kInvalidArgument, HasSubstr("from 0 to 128")));
  for (const char* bad : {"192.0.2.1/", "192.0.2.1/-1", "192.0.2.1/2x", "192.0.2.1/+8"}) {
    EXPECT_THAT(IpPrefix::Parse(bad), StatusIs(kInvalidArgument, HasSubstr("prefix length")))
        << bad;
  }
  EXPECT_THAT(IpPrefix::Parse("192.0.2.300/24"),
              StatusIs(kInvalidArgument, "\"192.0.2.300\" is not an IPv4 or IPv6 address"));
  EXPECT_THAT(IpAddress::Parse(std::string("192.0.2.1\0x", 11)), StatusIs(kInvalidArgument));
  EXPECT_THAT(IpAddress::Parse(""), StatusIs(kInvalidArgument));
}

// ------------------------------------------------------------ connections

TEST_F(NetTest, VethPairCarriesUdpBothWays) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  EXPECT_OK(UdpExchange(pair.a.fd(), pair.b.fd(), Ip("192.0.2.2"), 4000));
  EXPECT_OK(UdpExchange(pair.b.fd(), pair.a.fd(), Ip("192.0.2.1"), 4001));
}

TEST_F(NetTest, VethPairCarriesTcpBothWays) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  EXPECT_OK(TcpExchange(pair.a.fd(), pair.b.fd(), Ip("192.0.2.2"), 4002));
  EXPECT_OK(TcpExchange(pair.b.fd(), pair.a.fd(), Ip("192.0.2.1"), 4003));
}

TEST_F(NetTest, Ipv6WithoutDadIsUsableAtOnce) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  ASSERT_OK_AND_ASSIGN(std::vector<AddressInfo> addresses, pair.a.net.ListAddresses());
  EXPECT_THAT(addresses, Contains(AllOf(Field(&AddressInfo::link, "veth-a"),
                                        Field(&AddressInfo::prefix, Prefix("2001:db8::1/64")),
                                        Field(&AddressInfo::tentative, false))));
  EXPECT_OK(UdpExchange(pair.a.fd(), pair.b.fd(), Ip("2001:db8::2"), 4004));
  EXPECT_OK(TcpExchange(pair.b.fd(), pair.a.fd(), Ip("2001:db8::1"), 4005));
}

TEST_F(NetTest, Ipv6WithDadStaysTentativeAtFirst) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  ASSERT_OK(pair.a.net.AddAddress("veth-a", Prefix("2001:db8:1::1/64")));
  ASSERT_OK_AND_ASSIGN(std::vector<AddressInfo> addresses, pair.a.net.ListAddresses());
  EXPECT_THAT(addresses, Contains(AllOf(Field(&AddressInfo::prefix, Prefix("2001:db8:1::1/64")),
                                        Field(&AddressInfo::tentative, true))));
}

TEST_F(NetTest, PeerCreatedHereCanBeMovedAfterwards) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  ASSERT_OK_AND_ASSIGN(TestNet b, MakeNet());
  ASSERT_OK(a.net.CreateVethPair({.name = "one", .peer_name = "two"}));
  EXPECT_THAT(LinkNames(a.net), Contains("two"));
  ASSERT_OK(a.net.MoveLink("two", b.fd()));
  EXPECT_THAT(LinkNames(a.net), Not(Contains("two")));
  EXPECT_THAT(LinkNames(b.net), Contains("two"));
  ASSERT_OK(a.net.AddAddress("one", Prefix("198.51.100.1/24")));
  ASSERT_OK(b.net.AddAddress("two", Prefix("198.51.100.2/24")));
  ASSERT_OK(a.net.SetLinkUp("one"));
  ASSERT_OK(b.net.SetLinkUp("two"));
  EXPECT_OK(UdpExchange(a.fd(), b.fd(), Ip("198.51.100.2"), 4006));
}

TEST_F(NetTest, ThreeNamespacesOnABridgeReachEachOther) {
  LINUXNS_SKIP_UNLESS_ROOT();
  // The bridge lives in a namespace of its own, like a switch.
  ASSERT_OK_AND_ASSIGN(TestNet sw, MakeNet());
  ASSERT_OK(sw.net.CreateBridge("br0"));
  std::vector<TestNet> hosts;
  const char* const addresses[] = {"203.0.113.1", "203.0.113.2", "203.0.113.3"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(TestNet host, MakeNet());
    const std::string port = absl::StrCat("port", i);
    ASSERT_OK(
        sw.net.CreateVethPair({.name = port, .peer_name = "eth0", .peer_namespace = &host.fd()}));
    ASSERT_OK(sw.net.AttachToBridge(port, "br0"));
    ASSERT_OK(sw.net.SetLinkUp(port));
    ASSERT_OK(host.net.AddAddress("eth0", Prefix(absl::StrCat(addresses[i], "/24").c_str())));
    ASSERT_OK(host.net.SetLinkUp("eth0"));
    hosts.push_back(std::move(host));
  }
  ASSERT_OK(sw.net.SetLinkUp("br0"));
  ASSERT_OK_AND_ASSIGN(LinkInfo port0, sw.net.FindLink("port0"));
  EXPECT_EQ(port0.master, "br0");
  EXPECT_EQ(port0.kind, "veth");
  uint16_t port = 4100;
  for (int from = 0; from < 3; ++from) {
    for (int to = 0; to < 3; ++to) {
      if (from == to) continue;
      EXPECT_OK(UdpExchange(hosts[from].fd(), hosts[to].fd(), Ip(addresses[to]), port++))
          << from << " -> " << to;
    }
  }
}

TEST_F(NetTest, DefaultRouteAndRouteChooseTheWayOut) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  // UDP connect() only looks the route up: nothing is sent.
  auto route_to = [&](const char* target) -> absl::Status {
    LINUXNS_ASSIGN_OR_RETURN(UniqueFd probe, SocketIn(pair.a.fd(), AF_INET, SOCK_DGRAM));
    sockaddr_storage address;
    const socklen_t size = ToSockaddr(Ip(target), 9, &address);
    if (::connect(probe.get(), reinterpret_cast<sockaddr*>(&address), size) != 0) {
      return ErrnoError(errno, absl::StrCat("connect ", target));
    }
    return absl::OkStatus();
  };
  EXPECT_THAT(route_to("198.51.100.7"), ErrnoIs(ENETUNREACH));
  ASSERT_OK(pair.a.net.AddRoute(
      {.destination = Prefix("198.51.100.0/24"), .gateway = Ip("192.0.2.2"), .link = "veth-a"}));
  EXPECT_OK(route_to("198.51.100.7"));
  EXPECT_THAT(route_to("203.0.113.7"), ErrnoIs(ENETUNREACH));
  ASSERT_OK(pair.a.net.AddDefaultRoute(Ip("192.0.2.2")));
  EXPECT_OK(route_to("203.0.113.7"));
  EXPECT_THAT(pair.a.net.AddDefaultRoute(Ip("192.0.2.2")),
              AllOf(StatusIs(absl::StatusCode::kAlreadyExists), ErrnoIs(EEXIST)));
  // IPv6 default route, through the peer's address.
  EXPECT_OK(pair.a.net.AddDefaultRoute(Ip("2001:db8::2"), "veth-a"));
}

TEST_F(NetTest, RouteErrorsComeFromTheKernelWithItsExplanation) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  const absl::Status unreachable = pair.a.net.AddDefaultRoute(Ip("203.0.113.1"));
  EXPECT_THAT(unreachable, ErrnoIs(ENETUNREACH));
  EXPECT_THAT(unreachable.message(),
              HasSubstr(absl::StrCat("add route default via 203.0.113.1 in ",
                                     pair.a.net.id().ToString(), ": Network is unreachable")));
  // Host bits set in a destination: EINVAL, and the kernel says why.
  const absl::Status host_bits = pair.a.net.AddRoute(
      {.destination = Prefix("198.51.100.1/24"), .gateway = std::nullopt, .link = "veth-a"});
  EXPECT_THAT(host_bits, ErrnoIs(EINVAL));
  EXPECT_THAT(host_bits.message(), HasSubstr("kernel: "));
  EXPECT_THAT(pair.a.net.AddRoute(
                  {.destination = Prefix("198.51.100.0/24"), .gateway = std::nullopt, .link = ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a gateway or a link")));
  EXPECT_THAT(
      pair.a.net.AddRoute(
          {.destination = Prefix("198.51.100.0/24"), .gateway = Ip("2001:db8::2"), .link = ""}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mix IPv4 and IPv6")));
}

// ------------------------------------------------------------ lifetimes

TEST_F(NetTest, DeletingANamespaceRemovesItsEndOfThePair) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  std::optional<Namespace> b;
  {
    ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
    b.emplace(std::move(ns));
  }
  ASSERT_OK(a.net.CreateVethPair(
      {.name = "veth-a", .peer_name = "veth-b", .peer_namespace = b->Find(NsType::kNet)}));
  ASSERT_OK(a.net.FindLink("veth-a"));
  b.reset();  // the last reference: the kernel dismantles the namespace in a worker
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  absl::StatusOr<LinkInfo> link = a.net.FindLink("veth-a");
  while (link.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    link = a.net.FindLink("veth-a");
  }
  EXPECT_THAT(link, AllOf(StatusIs(absl::StatusCode::kNotFound), ErrnoIs(ENODEV)));
}

TEST_F(NetTest, DeletingOneEndDeletesBoth) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  ASSERT_OK(pair.b.net.DeleteLink("veth-b"));
  EXPECT_THAT(pair.a.net.FindLink("veth-a"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(LinkNames(pair.a.net), ::testing::ElementsAre("lo"));
  EXPECT_THAT(LinkNames(pair.b.net), ::testing::ElementsAre("lo"));
}

TEST_F(NetTest, ListsLinksAndAddresses) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  ASSERT_OK(pair.a.net.SetLinkUp("lo"));
  ASSERT_OK_AND_ASSIGN(std::vector<LinkInfo> links, pair.a.net.ListLinks());
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].name, "lo");
  EXPECT_EQ(links[0].kind, "");
  EXPECT_TRUE(links[0].up);
  EXPECT_EQ(links[1].name, "veth-a");
  EXPECT_EQ(links[1].kind, "veth");
  EXPECT_TRUE(links[1].up);
  EXPECT_EQ(links[1].mac.size(), 17u) << links[1].mac;
  EXPECT_GT(links[1].mtu, 0u);
  EXPECT_EQ(links[1].master, "");
  ASSERT_OK_AND_ASSIGN(std::vector<AddressInfo> addresses, pair.a.net.ListAddresses());
  EXPECT_THAT(addresses, Contains(AllOf(Field(&AddressInfo::link, "lo"),
                                        Field(&AddressInfo::prefix, Prefix("127.0.0.1/8")))));
  EXPECT_THAT(addresses, Contains(AllOf(Field(&AddressInfo::link, "veth-a"),
                                        Field(&AddressInfo::prefix, Prefix("192.0.2.1/24")))));
}

TEST_F(NetTest, LinkGoesUpAndDown) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  ASSERT_OK_AND_ASSIGN(LinkInfo link, pair.a.net.FindLink("veth-a"));
  EXPECT_TRUE(link.up);
  ASSERT_OK(pair.b.net.SetLinkDown("veth-b"));
  ASSERT_OK_AND_ASSIGN(link, pair.a.net.FindLink("veth-a"));
  EXPECT_TRUE(link.up);
  EXPECT_FALSE(link.lower_up) << "a veth has carrier only while its peer is up";
  ASSERT_OK(pair.a.net.SetLinkDown("veth-a"));
  ASSERT_OK_AND_ASSIGN(link, pair.a.net.FindLink("veth-a"));
  EXPECT_FALSE(link.up);
}

// ------------------------------------------------------------ errors

TEST_F(NetTest, LinkNameTakenIsAlreadyExistsAndLeavesNoLinkBehind) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  const absl::Status here = pair.a.net.CreateVethPair({.name = "veth-a", .peer_name = "fresh"});
  EXPECT_THAT(here, AllOf(StatusIs(absl::StatusCode::kAlreadyExists), ErrnoIs(EEXIST)));
  EXPECT_THAT(here.message(), HasSubstr(absl::StrCat("create veth pair \"veth-a\" / \"fresh\" in ",
                                                     pair.a.net.id().ToString(),
                                                     ": File exists (\"veth-a\" exists here)")));
  // The peer's name is taken in the peer's namespace.
  const absl::Status there = pair.a.net.CreateVethPair(
      {.name = "fresh", .peer_name = "veth-b", .peer_namespace = &pair.b.fd()});
  EXPECT_THAT(there, AllOf(StatusIs(absl::StatusCode::kAlreadyExists), ErrnoIs(EEXIST)));
  EXPECT_THAT(there.message(), HasSubstr(absl::StrCat(": File exists (\"veth-b\" exists in ",
                                                      pair.b.net.id().ToString(), ")")));
  EXPECT_THAT(pair.a.net.CreateBridge("veth-a"), ErrnoIs(EEXIST));
  EXPECT_THAT(LinkNames(pair.a.net), ::testing::ElementsAre("lo", "veth-a"));
  EXPECT_THAT(LinkNames(pair.b.net), ::testing::ElementsAre("lo", "veth-b"));
  EXPECT_THAT(pair.a.net.AddAddress("veth-a", Prefix("192.0.2.1/24")), ErrnoIs(EEXIST));
  // Moving a link into a namespace that has one of that name: it stays here.
  ASSERT_OK(pair.a.net.CreateVethPair({.name = "x1", .peer_name = "veth-b"}));
  const absl::Status moved = pair.a.net.MoveLink("veth-b", pair.b.fd());
  EXPECT_THAT(moved, AllOf(StatusIs(absl::StatusCode::kAlreadyExists), ErrnoIs(EEXIST)));
  EXPECT_THAT(moved.message(),
              HasSubstr(absl::StrCat("move link \"veth-b\" to ", pair.b.net.id().ToString())));
  EXPECT_THAT(LinkNames(pair.a.net),
              ::testing::UnorderedElementsAre("lo", "veth-a", "x1", "veth-b"));
  ASSERT_OK(pair.a.net.DeleteLink("x1"));
  EXPECT_THAT(LinkNames(pair.b.net), ::testing::ElementsAre("lo", "veth-b"));
}

TEST_F(NetTest, NameTooLongOrMalformedIsRefusedBeforeTheKernel) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  const std::string sixteen(16, 'x');
  EXPECT_THAT(a.net.CreateVethPair({.name = sixteen, .peer_name = "p"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("link name \"xxxxxxxxxxxxxxxx\" is 16 bytes long; at most 15 "
                                 "are allowed (IFNAMSIZ)")));
  EXPECT_THAT(a.net.CreateBridge(sixteen), StatusIs(absl::StatusCode::kInvalidArgument));
  for (const char* bad : {"", "a/b", "a:b", "a b", ".", ".."}) {
    EXPECT_THAT(a.net.CreateBridge(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(a.net.CreateVethPair({.name = "same", .peer_name = "same"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("same name")));
  EXPECT_THAT(LinkNames(a.net), ::testing::ElementsAre("lo"));
  // Fifteen bytes is the most a name can have, and works.
  const std::string fifteen(15, 'y');
  EXPECT_OK(a.net.CreateVethPair({.name = fifteen, .peer_name = "p"}));
}

TEST_F(NetTest, InvalidPrefixIsRefusedAndChangesNothing) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(Pair pair, MakePair());
  IpPrefix bad = Prefix("192.0.2.9/24");
  bad.length = 33;
  EXPECT_THAT(pair.a.net.AddAddress("veth-a", bad),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("0..32")));
  ASSERT_OK_AND_ASSIGN(std::vector<AddressInfo> addresses, pair.a.net.ListAddresses());
  EXPECT_THAT(
      addresses,
      Not(Contains(Field(&AddressInfo::prefix, Field(&IpPrefix::address, Ip("192.0.2.9"))))));
}

TEST_F(NetTest, MissingLinkNamesTheLinkTheNamespaceAndTheErrno) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  const absl::Status status = a.net.SetLinkUp("nosuch");
  EXPECT_THAT(status, AllOf(StatusIs(absl::StatusCode::kNotFound), ErrnoIs(ENODEV)));
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("link \"nosuch\" in ", a.net.id().ToString(),
                                                       ": No such device")));
  EXPECT_THAT(a.net.DeleteLink("nosuch"), ErrnoIs(ENODEV));
  EXPECT_THAT(a.net.AttachToBridge("lo", "nosuch"), ErrnoIs(ENODEV));
  EXPECT_THAT(a.net.AddAddress("nosuch", Prefix("192.0.2.1/24")), ErrnoIs(ENODEV));
}

TEST_F(NetTest, NamespaceGoneIsAnErrorAndCreatesNothing) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  // A process whose network namespace was to receive the peer has exited.
  SpawnOptions options;
  options.argv = {"true"};
  options.new_namespaces = {NsType::kNet};
  ASSERT_OK_AND_ASSIGN(ChildProcess child, ChildProcess::Spawn(options));
  ASSERT_OK(child.Wait());
  EXPECT_THAT(child.OpenNamespace(NsType::kNet), StatusIs(absl::StatusCode::kNotFound));
  // A Namespace that no longer holds one (moved from).
  ASSERT_OK_AND_ASSIGN(Namespace ns, Namespace::Create({NsType::kNet}));
  Namespace taken = std::move(ns);
  EXPECT_THAT(NetNs::Open(ns), StatusIs(absl::StatusCode::kInvalidArgument,
                                        HasSubstr("holds no network namespace")));
  EXPECT_THAT(LinkNames(a.net), ::testing::ElementsAre("lo"));
}

TEST_F(NetTest, OpenRefusesOtherNamespaceTypes) {
  ASSERT_OK_AND_ASSIGN(NsFd uts, NsFd::OpenCurrent(NsType::kUts));
  EXPECT_THAT(NetNs::Open(uts), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("is not a network namespace")));
}

TEST_F(NetTest, OpenCurrentWorksWithoutPrivilegeAndNeedsNoSetns) {
  ASSERT_OK_AND_ASSIGN(NetNs here, NetNs::OpenCurrent());
  ASSERT_OK_AND_ASSIGN(NsFd current, NsFd::OpenCurrent(NsType::kNet));
  EXPECT_EQ(here.id(), current.id());
  ASSERT_OK_AND_ASSIGN(std::vector<LinkInfo> links, here.ListLinks());
  EXPECT_THAT(links, Contains(Field(&LinkInfo::name, "lo")));
}

// The kernel takes a name with '%' as a template and makes up another
// ("v%d" became "v0"), so the link could not be found by the name asked for;
// and its isspace() counts 0xa0 as white space, which came back as a bare
// EINVAL from the kernel rather than InvalidArgument with the reason.
TEST_F(NetTest, NameTheKernelWouldRewriteOrRefuseIsRefusedBeforeIt) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  EXPECT_THAT(a.net.CreateVethPair({.name = "v%d", .peer_name = "p"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("link name \"v%d\" contains '%', which the kernel takes as a "
                                 "template")));
  EXPECT_THAT(a.net.CreateVethPair({.name = "v", .peer_name = "p%d"}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("\"p%d\" contains '%'")));
  EXPECT_THAT(a.net.CreateBridge("br%d"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(a.net.SetLinkUp("lo%d"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(a.net.CreateBridge("b\xa0r"),
              AllOf(StatusIs(absl::StatusCode::kInvalidArgument,
                             HasSubstr("contains a character the kernel refuses")),
                    Not(ErrnoIs(EINVAL))));
  EXPECT_THAT(LinkNames(a.net), ::testing::ElementsAre("lo"));
  // UTF-8 and other bytes the kernel takes are still fine.
  EXPECT_OK(a.net.CreateBridge("br\xc3\xa9"));
}

// A prefix length of 0 lies in the documented range, and the kernel takes
// it; libnl's rtnl_addr_add() took 0 for "no prefix length" and failed with
// Internal ("netlink: Missing attribute").
TEST_F(NetTest, AddressWithPrefixLengthZeroIsAdded) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  ASSERT_OK(a.net.CreateVethPair({.name = "v0", .peer_name = "v1"}));
  ASSERT_OK(a.net.AddAddress("v0", Prefix("192.0.2.7/0")));
  ASSERT_OK(a.net.AddAddress("v0", Prefix("2001:db8::7/0"), {.no_dad = true}));
  ASSERT_OK_AND_ASSIGN(std::vector<AddressInfo> addresses, a.net.ListAddresses());
  EXPECT_THAT(addresses, Contains(AllOf(Field(&AddressInfo::link, "v0"),
                                        Field(&AddressInfo::prefix, Prefix("192.0.2.7/0")))));
  EXPECT_THAT(addresses, Contains(AllOf(Field(&AddressInfo::link, "v0"),
                                        Field(&AddressInfo::prefix, Prefix("2001:db8::7/0")),
                                        Field(&AddressInfo::tentative, false))));
  const absl::Status again = a.net.AddAddress("v0", Prefix("192.0.2.7/0"));
  EXPECT_THAT(again, AllOf(StatusIs(absl::StatusCode::kAlreadyExists), ErrnoIs(EEXIST)));
  EXPECT_THAT(again.message(), HasSubstr(absl::StrCat("add address 192.0.2.7/0 to link \"v0\" in ",
                                                      a.net.id().ToString(), ": File exists")));
}

// With every descriptor in use, Open() fails with the errno of the call that
// found none, EMFILE; nl_connect() made the netlink socket's "Unspecific
// failure" (Internal) of it.
TEST_F(NetTest, OutOfDescriptorsIsResourceExhaustedWithEmfile) {
  const ForkedReport report = RunForkedAndReport([]() -> std::string {
    const rlimit limit{32, 32};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return "setrlimit failed";
    std::vector<UniqueFd> taken;
    for (;;) {
      UniqueFd fd(::dup(STDIN_FILENO));
      if (!fd) break;
      taken.push_back(std::move(fd));
    }
    // Free one descriptor at a time until Open() has all it needs; each
    // failure on the way must say EMFILE, the socket's one included.
    std::string out;
    while (!taken.empty()) {
      taken.pop_back();
      absl::StatusOr<NetNs> net = NetNs::OpenCurrent();
      if (net.ok()) return out;
      if (net.status().code() != absl::StatusCode::kResourceExhausted ||
          ErrnoOf(net.status()) != EMFILE) {
        return absl::StrCat("not EMFILE: ", net.status().ToString());
      }
      if (absl::StrContains(net.status().message(),
                            "netlink socket (NETLINK_ROUTE): Too many open files")) {
        out = "socket: EMFILE";
      }
    }
    return "never opened";
  });
  EXPECT_EQ(report.code, 0);
  EXPECT_EQ(report.text, "socket: EMFILE");
}

// ------------------------------------------------------------ threads

TEST_F(NetTest, OpenLeavesTheCallingThreadAtHome) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(NsFd home, NsFd::OpenCurrent(NsType::kNet));
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  ASSERT_OK_AND_ASSIGN(NsFd after, NsFd::OpenCurrent(NsType::kNet));
  EXPECT_EQ(after.id(), home.id());
  EXPECT_NE(a.net.id(), home.id());
  EXPECT_EQ(a.net.id(), a.fd().id());
  // Working through the socket needs no entry at all.
  ASSERT_OK(a.net.CreateBridge("br0"));
  ASSERT_OK_AND_ASSIGN(after, NsFd::OpenCurrent(NsType::kNet));
  EXPECT_EQ(after.id(), home.id());
}

TEST_F(NetTest, OneNetNsPerThreadWorksConcurrentlyOnOneNamespace) {
  LINUXNS_SKIP_UNLESS_ROOT();
  ASSERT_OK_AND_ASSIGN(TestNet a, MakeNet());
  constexpr int kThreads = 4;
  constexpr int kPairsEach = 10;
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      absl::StatusOr<NetNs> net = NetNs::Open(a.fd());
      if (!net.ok()) {
        results[t] = net.status();
        return;
      }
      for (int i = 0; i < kPairsEach && results[t].ok(); ++i) {
        results[t] = net->CreateVethPair({.name = absl::StrCat("t", t, "-", i),
                                          .peer_name = absl::StrCat("t", t, "-", i, "p"),
                                          .peer_namespace = nullptr});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& result : results) EXPECT_OK(result);
  EXPECT_EQ(LinkNames(a.net).size(), 1u + 2u * kThreads * kPairsEach);
}

// ------------------------------------------------------------ unprivileged

// An ordinary user is root of the network namespaces its own user namespace
// owns: the whole veth exchange works there, in a process that has entered
// that user namespace.
TEST_F(NetTest, OrdinaryUserConnectsNamespacesOfItsOwnUserNamespace) {
  constexpr int kSkip = 77;
  constexpr int kSkipThreads = 78;
  const int code = RunInForkedChild([] {
    if (!DropToNobody()) return 2;
    absl::StatusOr<Namespace> own = Namespace::Create({NsType::kUser, NsType::kNet});
    if (!own.ok()) {
      std::fprintf(stderr, "%s\n", own.status().ToString().c_str());
      return kSkip;  // unprivileged user namespaces are off here
    }
    auto fail = [](const absl::Status& status) {
      std::fprintf(stderr, "%s\n", status.ToString().c_str());
      return 3;
    };
    // Without entering the user namespace, setns says EPERM.
    absl::StatusOr<NetNs> refused = NetNs::Open(*own);
    if (refused.ok() || ErrnoOf(refused.status()) != EPERM) {
      std::fprintf(stderr, "expected EPERM: %s\n", refused.status().ToString().c_str());
      return 4;
    }
    if (absl::Status s = own->Find(NsType::kUser)->Enter(); !s.ok()) {
      // ThreadSanitizer's own thread lives on in a forked child.
      if (s.code() == absl::StatusCode::kFailedPrecondition) return kSkipThreads;
      return fail(s);
    }
    if (absl::Status s = own->Find(NsType::kNet)->Enter(); !s.ok()) return fail(s);
    absl::StatusOr<NetNs> here = NetNs::OpenCurrent();
    absl::StatusOr<TestNet> other = MakeNet();
    if (!here.ok()) return fail(here.status());
    if (!other.ok()) return fail(other.status());
    for (absl::Status s : {
             here->CreateVethPair(
                 {.name = "mine", .peer_name = "theirs", .peer_namespace = &other->fd()}),
             here->AddAddress("mine", Prefix("192.0.2.1/24")),
             other->net.AddAddress("theirs", Prefix("192.0.2.2/24")),
             here->SetLinkUp("mine"),
             other->net.SetLinkUp("theirs"),
         }) {
      if (!s.ok()) return fail(s);
    }
    absl::StatusOr<NsFd> mine = NsFd::OpenCurrent(NsType::kNet);
    if (!mine.ok()) return fail(mine.status());
    if (absl::Status s = UdpExchange(*mine, other->fd(), Ip("192.0.2.2"), 4200); !s.ok()) {
      return fail(s);
    }
    if (absl::Status s = TcpExchange(other->fd(), *mine, Ip("192.0.2.1"), 4201); !s.ok()) {
      return fail(s);
    }
    return 0;
  });
  if (code == kSkip) GTEST_SKIP() << "unprivileged user namespaces are not available";
  if (code == kSkipThreads) {
    GTEST_SKIP() << "the forked child has more than one thread (a sanitizer's), and only a "
                    "single-threaded process can enter a user namespace";
  }
  EXPECT_EQ(code, 0);
}

TEST_F(NetTest, WithoutPrivilegeOpeningAnotherNamespaceIsPermissionDenied) {
  if (IsRoot()) GTEST_SKIP() << "checks the unprivileged path; see the forked test for root";
  // As uid 65534: a network namespace needs a user namespace to be made at
  // all, and entering it from here needs CAP_SYS_ADMIN here too.
  absl::StatusOr<Namespace> own = Namespace::Create({NsType::kUser, NsType::kNet});
  if (!own.ok()) GTEST_SKIP() << own.status();
  EXPECT_THAT(NetNs::Open(*own),
              AllOf(StatusIs(absl::StatusCode::kPermissionDenied), ErrnoIs(EPERM)));
}

}  // namespace
}  // namespace linuxns::testing

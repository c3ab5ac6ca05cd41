// linuxns/net.h: connect network namespaces: links, veth pairs, bridges,
// addresses and routes, without shelling out to ip(8).
//
// A new network namespace has only a loopback link, and it is down. NetNs is
// a route-netlink connection (rtnetlink(7)) into one network namespace, given
// as an NsFd or a Namespace, through which links are created, configured and
// listed there. Part of the separate `linuxns::net` library (CMake:
// `find_package(linuxns COMPONENTS net)`, `target_link_libraries(... linuxns::net)`;
// pkg-config: `linuxns-net`), so that users of the core library do not inherit
// its netlink dependency (libnl-route-3). Addresses and prefixes are the
// values of linuxns/net_address.h.
//
//   // Two namespaces joined by a veth pair, 192.0.2.1/24 <-> 192.0.2.2/24.
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace a, linuxns::Namespace::Create({NsType::kNet}));
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::Namespace b, linuxns::Namespace::Create({NsType::kNet}));
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs net_a, linuxns::NetNs::Open(a));
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::NetNs net_b, linuxns::NetNs::Open(b));
//   LINUXNS_RETURN_IF_ERROR(net_a.CreateVethPair(
//       {.name = "veth-a", .peer_name = "veth-b", .peer_namespace = b.Find(NsType::kNet)}));
//   LINUXNS_RETURN_IF_ERROR(net_a.AddAddress("veth-a", *linuxns::IpPrefix::Parse("192.0.2.1/24")));
//   LINUXNS_RETURN_IF_ERROR(net_b.AddAddress("veth-b", *linuxns::IpPrefix::Parse("192.0.2.2/24")));
//   LINUXNS_RETURN_IF_ERROR(net_a.SetLinkUp("veth-a"));
//   LINUXNS_RETURN_IF_ERROR(net_b.SetLinkUp("veth-b"));
//
// How: NetNs::Open() creates a NETLINK_ROUTE socket inside the target
// namespace through a scoped entry on the calling thread (linuxns/ns_entry.h:
// setns there, socket(2), setns back), then uses it from wherever it is
// called: a netlink socket stays bound to the namespace it was created in, so
// no thread of the program stays in a foreign namespace. When the target is
// the calling thread's own network namespace no setns happens at all. The
// socket keeps the namespace alive for as long as the NetNs exists.
//
// Privilege: the operations need CAP_NET_ADMIN in the user namespace that owns
// the network namespace; Open() needs what setns(2) needs, CAP_SYS_ADMIN both
// there and in the caller's own user namespace, unless the target is the
// caller's own namespace. An ordinary user therefore works from a
// (single-threaded) process that has entered a user namespace of its own,
// which owns the network namespaces it then creates, and a network namespace
// of that user namespace too: the scoped entry must return the thread to its
// network namespace, and setns(2) back into the host's would be refused. The
// command of `nsexec -Un` is such a process; so is a child that called
// NsFd::Enter() on both namespaces of a Namespace::Create({kUser, kNet}). A
// veth end created in, or a link moved to, another namespace needs
// CAP_NET_ADMIN there too.
//
// Errors: InvalidArgument before any system call for a link name that is
// empty, longer than 15 bytes (IFNAMSIZ) or has characters the kernel refuses
// ('/', ':', NUL, white space, the kernel's included: byte 0xa0) or takes as
// a template for a name of its own choosing ('%': "veth%d" would become
// "veth0"), for a prefix length out of range, and for a route whose
// addresses mix IPv4 and IPv6. A socket(2) failure keeps its errno too
// (EMFILE: ResourceExhausted). A netlink error keeps the kernel's errno
// (linuxns::ErrnoOf()), and its message names the operation, the link, the
// namespace and the errno's text, plus the kernel's own explanation when it
// gives one (extended ack):
//   create veth pair "veth-a" / "veth-b" (in net:[4026532302]) in
//   net:[4026532301]: File exists ("veth-b" exists in net:[4026532302])
//   add route 198.51.100.1/24 dev "veth-a" in net:[4026532301]: Invalid
//   argument (kernel: Invalid prefix for given prefix length)
// Common errnos: EEXIST (AlreadyExists) for a name taken, ENODEV (NotFound)
// for a link that does not exist, EPERM (PermissionDenied) without
// CAP_NET_ADMIN, EADDRNOTAVAIL, ENETUNREACH (a gateway with no route to it).
// A failed request changes nothing: each operation is one netlink request,
// which the kernel applies whole or not at all (a veth pair is created with
// both ends, or not at all).
//
// Thread-safety: one NetNs is not thread-safe (it holds one socket with its
// sequence numbers): use it from one thread at a time, or one NetNs per
// thread. Different NetNs objects, on the same namespace or not, may be used
// concurrently. Not async-signal-safe. Nothing here needs more than the core
// library's Linux 5.3 (veth peers created in another namespace with
// IFLA_NET_NS_FD date from 3.0); the kernel's extended acks (4.12) are used
// when it sends them.
#ifndef LINUXNS_NET_H_
#define LINUXNS_NET_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "linuxns/export.h"
#include "linuxns/namespace.h"
#include "linuxns/net_address.h"
#include "linuxns/ns_fd.h"

namespace linuxns {

// A veth pair to create (veth(4)): two links joined like the two ends of a
// cable.
struct VethPair {
  // The end created in the NetNs's own namespace.
  std::string name;
  // The other end.
  std::string peer_name;
  // Where the other end is created, directly (IFLA_NET_NS_FD in the same
  // request, so it never appears in the NetNs's namespace); borrowed, only
  // for the call. nullptr: the NetNs's own namespace (move it later with
  // NetNs::MoveLink() if wanted).
  const NsFd* peer_namespace = nullptr;
};

// Options of NetNs::AddAddress().
struct AddressOptions {
  // IFA_F_NODAD: no IPv6 duplicate address detection, so the address is
  // usable at once instead of "tentative" for a second or more. Ignored for
  // IPv4. Off by default, as in the kernel.
  bool no_dad = false;
};

// A route of the main table (RTPROT_STATIC).
struct Route {
  // The destination; std::nullopt for the default route (0.0.0.0/0 or ::/0,
  // of the gateway's family: without a gateway, give 0.0.0.0/0 or ::/0
  // explicitly). Host bits must be zero (198.51.100.0/24, not .1/24): the
  // kernel refuses them with EINVAL.
  std::optional<IpPrefix> destination;
  // The next hop; std::nullopt for a route to a directly connected link.
  std::optional<IpAddress> gateway;
  // The link to send through; empty to let the kernel find it from the
  // gateway. A route needs a gateway, a link, or both.
  std::string link;
};

// What NetNs::ListLinks() reports of one link.
struct LinkInfo {
  int index = 0;     // the ifindex, unique within the namespace
  std::string name;  // the link's name, at most 15 bytes
  // The IFLA_INFO_KIND: "veth", "bridge", ...; empty for links without one
  // (the loopback, physical devices).
  std::string kind;
  bool up = false;        // administratively up (IFF_UP)
  bool lower_up = false;  // carrier (IFF_LOWER_UP): for a veth, the peer is up too
  unsigned mtu = 0;       // the maximum transmission unit, bytes
  // The hardware address, "02:42:ac:11:00:02"; empty when the link has none.
  std::string mac;
  // The bridge (or other master) this link is attached to; empty when none.
  std::string master;
};

// What NetNs::ListAddresses() reports of one address.
struct AddressInfo {
  std::string link;    // the name of the link that has the address
  int link_index = 0;  // its ifindex
  IpPrefix prefix;     // the address with its prefix length
  // IPv6 duplicate address detection has not finished: the address cannot be
  // used yet (IFA_F_TENTATIVE).
  bool tentative = false;
};

// NetNs: a route-netlink connection into one network namespace.
class LINUXNS_EXPORT NetNs {
 public:
  // Open()
  //
  // Opens a connection into the network namespace `net` (InvalidArgument if
  // it is of another type). The socket is made inside it by a scoped entry of
  // the calling thread, as described at the top of this file; errors of that
  // entry are those of NsFd::Enter() (PermissionDenied without CAP_SYS_ADMIN).
  static absl::StatusOr<NetNs> Open(const NsFd& net);

  // Open()
  //
  // The network namespace of `ns`; InvalidArgument when it holds none.
  static absl::StatusOr<NetNs> Open(const Namespace& ns);

  // OpenCurrent()
  //
  // The calling thread's network namespace, with no setns at all.
  static absl::StatusOr<NetNs> OpenCurrent();

  // Moves the connection; the source holds none afterwards.
  NetNs(NetNs&&) noexcept;
  // Closes this connection's socket and takes the other's.
  NetNs& operator=(NetNs&&) noexcept;
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;
  // Closes the socket (which may let the namespace go).
  ~NetNs();

  // The namespace this connection works in.
  const NsId& id() const;

  // SetLinkUp(), SetLinkDown()
  //
  // Sets or clears IFF_UP on `link` (`ip link set LINK up|down`). NotFound
  // (ENODEV) when there is no such link.
  absl::Status SetLinkUp(absl::string_view link);
  // As SetLinkUp(), clearing IFF_UP.
  absl::Status SetLinkDown(absl::string_view link);

  // CreateVethPair()
  //
  // Creates both ends of a veth pair in one request, `pair.name` here and
  // `pair.peer_name` in `pair.peer_namespace` (or here). Both start down.
  // AlreadyExists (EEXIST) when either name is taken in its namespace (the
  // message says which: `File exists ("veth-b" exists in net:[...])`); then
  // neither end exists.
  absl::Status CreateVethPair(const VethPair& pair);

  // MoveLink()
  //
  // Moves `link` into the network namespace `target` (IFLA_NET_NS_FD, as
  // `ip link set LINK netns NS`). The link goes down and loses its addresses,
  // as the kernel does. AlreadyExists when `target` has a link of that name.
  absl::Status MoveLink(absl::string_view link, const NsFd& target);

  // CreateBridge()
  //
  // Creates a bridge (`ip link add NAME type bridge`), down, with the kernel's
  // defaults (no STP: a port forwards as soon as it is up).
  absl::Status CreateBridge(absl::string_view name);

  // AttachToBridge()
  //
  // Makes `link` a port of `bridge` (IFLA_MASTER, `ip link set LINK master
  // BRIDGE`). NotFound when either is missing.
  absl::Status AttachToBridge(absl::string_view link, absl::string_view bridge);

  // DeleteLink()
  //
  // Deletes `link`. Deleting one end of a veth pair deletes the other, in
  // whatever namespace it lives. NotFound (ENODEV) when there is no such link.
  absl::Status DeleteLink(absl::string_view link);

  // AddAddress()
  //
  // Adds `address` (with its prefix length, 0 included, which also adds the
  // route to its subnet, as `ip address add` does) to `link`. AlreadyExists (EEXIST) when
  // the link has it already.
  absl::Status AddAddress(absl::string_view link, const IpPrefix& address,
                          AddressOptions options = {});

  // AddRoute()
  //
  // Adds `route` to the main table. InvalidArgument when it has neither a
  // gateway nor a link, or mixes families; AlreadyExists (EEXIST) when the
  // table has that destination already; Unavailable (ENETUNREACH; EHOSTUNREACH
  // for IPv6) when no link reaches the gateway (add the address of its subnet and bring the
  // link up first).
  absl::Status AddRoute(const Route& route);

  // AddDefaultRoute()
  //
  // AddRoute() of the default route of `gateway`'s family through `gateway`
  // (and `link` when given).
  absl::Status AddDefaultRoute(const IpAddress& gateway, absl::string_view link = "");

  // ListLinks()
  //
  // Every link of the namespace, ordered by index.
  absl::StatusOr<std::vector<LinkInfo>> ListLinks();

  // FindLink()
  //
  // The link named `name`; NotFound (ENODEV) when there is none.
  absl::StatusOr<LinkInfo> FindLink(absl::string_view name);

  // ListAddresses()
  //
  // Every IPv4 and IPv6 address of the namespace, IPv6 link-local ones
  // included, ordered by link index.
  absl::StatusOr<std::vector<AddressInfo>> ListAddresses();

 private:
  struct Impl;
  explicit NetNs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace linuxns

#endif  // LINUXNS_NET_H_

#include "linuxns/net.h"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "linuxns/ns_entry.h"
#include "linuxns/status.h"
#include "linuxns/unique_fd.h"
#include "net/netlink_error.h"

namespace linuxns {

// ---------------------------------------------------------------- NetNs

namespace {

using internal::KernelError;
using internal::NetlinkError;

struct SocketDeleter {
  void operator()(nl_sock* sock) const { nl_socket_free(sock); }
};
using SocketPtr = std::unique_ptr<nl_sock, SocketDeleter>;

struct LinkDeleter {
  void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;

struct AddrDeleter {
  void operator()(nl_addr* addr) const { nl_addr_put(addr); }
};
using AddrPtr = std::unique_ptr<nl_addr, AddrDeleter>;

struct CacheDeleter {
  void operator()(nl_cache* cache) const { nl_cache_free(cache); }
};
using CachePtr = std::unique_ptr<nl_cache, CacheDeleter>;

// dev_valid_name() in net/core/dev.c, checked before the kernel sees it.
absl::Status ValidateLinkName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("a link name must not be empty");
  if (name.size() >= IFNAMSIZ) {
    return absl::InvalidArgumentError(absl::StrCat("link name \"", name, "\" is ", name.size(),
                                                   " bytes long; at most ", IFNAMSIZ - 1,
                                                   " are allowed (IFNAMSIZ)"));
  }
  if (name == "." || name == "..") {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a valid link name"));
  }
  for (const char c : name) {
    // The kernel's isspace() counts Latin-1's no-break space (0xa0) as white
    // space too (lib/ctype.c).
    if (c == '/' || c == ':' || c == '\0' || c == ' ' || (c >= '\t' && c <= '\r') ||
        static_cast<unsigned char>(c) == 0xa0) {
      return absl::InvalidArgumentError(
          absl::StrCat("link name \"", name,
                       "\" contains a character the kernel refuses ('/', ':', "
                       "NUL or white space)"));
    }
    // The kernel takes a name with '%' as a template ("veth%d" becomes
    // "veth0"), so the link would not have the name asked for, and no link
    // ever has a '%' in its name to be found by.
    if (c == '%') {
      return absl::InvalidArgumentError(
          absl::StrCat("link name \"", name,
                       "\" contains '%', which the kernel takes as a template for a "
                       "name of its choice (\"veth%d\" becomes \"veth0\")"));
    }
  }
  return absl::OkStatus();
}

AddrPtr ToNlAddr(const IpAddress& address, int prefix_length) {
  AddrPtr addr(nl_addr_build(address.af(), address.bytes().data(), address.size()));
  if (addr != nullptr) nl_addr_set_prefixlen(addr.get(), prefix_length);
  return addr;
}

absl::StatusOr<SocketPtr> ConnectRouteSocket() {
  // The socket is made and bound here and handed to libnl rather than made
  // by nl_connect(), which turns errnos such as EMFILE into NLE_FAILURE
  // ("Unspecific failure") and loses them.
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd) return ErrnoError(errno, "netlink socket (NETLINK_ROUTE)");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel picks a free port
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
    return ErrnoError(errno, "bind the netlink socket (NETLINK_ROUTE)");
  }
  // The kernel's explanation of an error (Linux 4.12); harmless where missing.
  const int one = 1;
  ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
  SocketPtr sock(nl_socket_alloc());
  if (sock == nullptr) return ErrnoError(ENOMEM, "netlink socket");
  if (const int rc = nl_socket_set_fd(sock.get(), NETLINK_ROUTE, fd.get()); rc < 0) {
    KernelError none;
    return NetlinkError(rc, none, "netlink socket (NETLINK_ROUTE)");
  }
  static_cast<void>(fd.release());  // nl_socket_free() closes it now
  return sock;
}

std::string Quoted(absl::string_view name) { return absl::StrCat("\"", name, "\""); }

}  // namespace

struct NetNs::Impl {
  SocketPtr sock;
  NsId id;
  KernelError kernel;  // written by RecordKernelError during a request

  std::string Where() const { return absl::StrCat(" in ", id.ToString()); }

  absl::Status Check(int rc, absl::string_view what) {
    if (rc >= 0) {
      kernel = KernelError{};
      return absl::OkStatus();
    }
    return NetlinkError(rc, kernel, absl::StrCat(what, Where()));
  }

  absl::StatusOr<LinkPtr> GetLink(absl::string_view name) {
    LINUXNS_RETURN_IF_ERROR(ValidateLinkName(name));
    rtnl_link* link = nullptr;
    const std::string copy(name);
    const int rc = rtnl_link_get_kernel(sock.get(), 0, copy.c_str(), &link);
    LINUXNS_RETURN_IF_ERROR(Check(rc, absl::StrCat("link ", Quoted(name))));
    return LinkPtr(link);
  }

  // RTM_NEWLINK on `name` with the attributes set in `changes`.
  absl::Status ChangeLink(absl::string_view name, rtnl_link* changes, absl::string_view what) {
    absl::StatusOr<LinkPtr> link = GetLink(name);
    if (!link.ok()) return WithContext(link.status(), what);
    return Check(rtnl_link_change(sock.get(), link->get(), changes, 0), what);
  }

  absl::StatusOr<CachePtr> LinkCache() {
    nl_cache* cache = nullptr;
    LINUXNS_RETURN_IF_ERROR(
        Check(rtnl_link_alloc_cache(sock.get(), AF_UNSPEC, &cache), "list links"));
    return CachePtr(cache);
  }
};

NetNs::NetNs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetNs::NetNs(NetNs&&) noexcept = default;
NetNs& NetNs::operator=(NetNs&&) noexcept = default;
NetNs::~NetNs() = default;

const NsId& NetNs::id() const { return impl_->id; }

absl::StatusOr<NetNs> NetNs::Open(const NsFd& net) {
  if (net.type() != NsType::kNet) {
    return absl::InvalidArgumentError(
        absl::StrCat("NetNs::Open: ", net.id().ToString(), " is not a network namespace"));
  }
  auto impl = std::make_unique<Impl>();
  impl->id = net.id();
  LINUXNS_ASSIGN_OR_RETURN(NsFd current, NsFd::OpenCurrent(NsType::kNet));
  absl::StatusOr<SocketPtr> sock =
      current.id() == net.id() ? ConnectRouteSocket()
                               : RunInNamespacesHere({&net}, [] { return ConnectRouteSocket(); });
  if (!sock.ok()) {
    return WithContext(sock.status(), absl::StrCat("open netlink in ", net.id().ToString()));
  }
  impl->sock = *std::move(sock);
  nl_socket_modify_err_cb(impl->sock.get(), NL_CB_CUSTOM, internal::RecordKernelError,
                          &impl->kernel);
  return NetNs(std::move(impl));
}

absl::StatusOr<NetNs> NetNs::Open(const Namespace& ns) {
  const NsFd* net = ns.Find(NsType::kNet);
  if (net == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("NetNs::Open: the Namespace holds no network namespace (it holds: ",
                     ns.types().ToString().empty() ? "nothing" : ns.types().ToString(), ")"));
  }
  return Open(*net);
}

absl::StatusOr<NetNs> NetNs::OpenCurrent() {
  LINUXNS_ASSIGN_OR_RETURN(NsFd current, NsFd::OpenCurrent(NsType::kNet));
  return Open(current);
}

absl::Status NetNs::SetLinkUp(absl::string_view link) {
  LinkPtr changes(rtnl_link_alloc());
  if (changes == nullptr) return ErrnoError(ENOMEM, "set link up");
  rtnl_link_set_flags(changes.get(), IFF_UP);
  return impl_->ChangeLink(link, changes.get(), absl::StrCat("set link ", Quoted(link), " up"));
}

absl::Status NetNs::SetLinkDown(absl::string_view link) {
  LinkPtr changes(rtnl_link_alloc());
  if (changes == nullptr) return ErrnoError(ENOMEM, "set link down");
  rtnl_link_unset_flags(changes.get(), IFF_UP);
  return impl_->ChangeLink(link, changes.get(), absl::StrCat("set link ", Quoted(link), " down"));
}

absl::Status NetNs::CreateVethPair(const VethPair& pair) {
  const std::string what =
      absl::StrCat("create veth pair ", Quoted(pair.name), " / ", Quoted(pair.peer_name),
                   pair.peer_namespace == nullptr
                       ? ""
                       : absl::StrCat(" (in ", pair.peer_namespace->id().ToString(), ")"));
  LINUXNS_RETURN_IF_ERROR(WithContext(ValidateLinkName(pair.name), what));
  LINUXNS_RETURN_IF_ERROR(WithContext(ValidateLinkName(pair.peer_name), what));
  if (pair.peer_namespace != nullptr && pair.peer_namespace->type() != NsType::kNet) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", pair.peer_namespace->id().ToString(),
                                                   " is not a network namespace"));
  }
  if (pair.name == pair.peer_name &&
      (pair.peer_namespace == nullptr || pair.peer_namespace->id() == impl_->id)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": both ends would have the same name in one namespace"));
  }
  LinkPtr link(rtnl_link_veth_alloc());
  if (link == nullptr) return ErrnoError(ENOMEM, what);
  rtnl_link_set_name(link.get(), pair.name.c_str());
  LinkPtr peer(rtnl_link_veth_get_peer(link.get()));  // a reference of our own
  rtnl_link_set_name(peer.get(), pair.peer_name.c_str());
  if (pair.peer_namespace != nullptr) rtnl_link_set_ns_fd(peer.get(), pair.peer_namespace->get());
  absl::Status created =
      impl_->Check(rtnl_link_add(impl_->sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL), what);
  if (ErrnoOf(created) != EEXIST) return created;
  // The kernel does not say which name is taken; one look here tells.
  const bool here_taken = impl_->GetLink(pair.name).ok();
  const std::string peer_place =
      pair.peer_namespace == nullptr ? "here" : "in " + pair.peer_namespace->id().ToString();
  return ErrnoError(EEXIST, absl::StrCat(what, impl_->Where()),
                    here_taken ? Quoted(pair.name) + " exists here"
                               : absl::StrCat(Quoted(pair.peer_name), " exists ", peer_place));
}

absl::Status NetNs::MoveLink(absl::string_view link, const NsFd& target) {
  const std::string what = absl::StrCat("move link ", Quoted(link), " to ", target.id().ToString());
  if (target.type() != NsType::kNet) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not a network namespace"));
  }
  LinkPtr changes(rtnl_link_alloc());
  if (changes == nullptr) return ErrnoError(ENOMEM, what);
  rtnl_link_set_ns_fd(changes.get(), target.get());
  return impl_->ChangeLink(link, changes.get(), what);
}

absl::Status NetNs::CreateBridge(absl::string_view name) {
  const std::string what = absl::StrCat("create bridge ", Quoted(name));
  LINUXNS_RETURN_IF_ERROR(WithContext(ValidateLinkName(name), what));
  LinkPtr link(rtnl_link_alloc());
  if (link == nullptr) return ErrnoError(ENOMEM, what);
  const std::string copy(name);
  rtnl_link_set_name(link.get(), copy.c_str());
  if (const int rc = rtnl_link_set_type(link.get(), "bridge"); rc < 0) {
    return impl_->Check(rc, what);
  }
  // NLM_F_EXCL: without it an existing bridge of that name would be modified.
  return impl_->Check(rtnl_link_add(impl_->sock.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL),
                      what);
}

absl::Status NetNs::AttachToBridge(absl::string_view link, absl::string_view bridge) {
  const std::string what =
      absl::StrCat("attach link ", Quoted(link), " to bridge ", Quoted(bridge));
  absl::StatusOr<LinkPtr> master = impl_->GetLink(bridge);
  if (!master.ok()) return WithContext(master.status(), what);
  LinkPtr changes(rtnl_link_alloc());
  if (changes == nullptr) return ErrnoError(ENOMEM, what);
  rtnl_link_set_master(changes.get(), rtnl_link_get_ifindex(master->get()));
  return impl_->ChangeLink(link, changes.get(), what);
}

absl::Status NetNs::DeleteLink(absl::string_view link) {
  const std::string what = absl::StrCat("delete link ", Quoted(link));
  LINUXNS_RETURN_IF_ERROR(WithContext(ValidateLinkName(link), what));
  LinkPtr request(rtnl_link_alloc());
  if (request == nullptr) return ErrnoError(ENOMEM, what);
  const std::string copy(link);
  rtnl_link_set_name(request.get(), copy.c_str());
  return impl_->Check(rtnl_link_delete(impl_->sock.get(), request.get()), what);
}

absl::Status NetNs::AddAddress(absl::string_view link, const IpPrefix& address,
                               AddressOptions options) {
  const std::string what =
      absl::StrCat("add address ", address.ToString(), " to link ", Quoted(link));
  if (address.length < 0 || address.length > address.address.max_prefix_length()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": the prefix length must lie in 0..",
                                                   address.address.max_prefix_length()));
  }
  absl::StatusOr<LinkPtr> target = impl_->GetLink(link);
  if (!target.ok()) return WithContext(target.status(), what);
  // The request is built here rather than with rtnl_addr_add(): libnl takes a
  // prefix length of 0 for "none" and refuses the request (NLE_MISSING_ATTR),
  // where the kernel takes 192.0.2.1/0 as `ip address add` gives it.
  ifaddrmsg header{};
  header.ifa_family = static_cast<unsigned char>(address.address.af());
  header.ifa_prefixlen = static_cast<unsigned char>(address.length);
  header.ifa_index = static_cast<unsigned>(rtnl_link_get_ifindex(target->get()));
  // The scope libnl gives: host for IPv4 loopback addresses (127/8), else
  // universe (the kernel sets IPv6 scopes itself).
  header.ifa_scope =
      address.address.family() == IpFamily::kIpv4 && address.address.bytes()[0] == 127
          ? RT_SCOPE_HOST
          : RT_SCOPE_UNIVERSE;
  if (options.no_dad && address.address.family() == IpFamily::kIpv6) {
    header.ifa_flags = IFA_F_NODAD;
  }
  std::unique_ptr<nl_msg, void (*)(nl_msg*)> request(
      nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL), nlmsg_free);
  if (request == nullptr) return ErrnoError(ENOMEM, what);
  // IFA_ADDRESS as well as IFA_LOCAL: the same address, as ip(8) sends it
  // for an address without a peer.
  if (nlmsg_append(request.get(), &header, sizeof(header), NLMSG_ALIGNTO) < 0 ||
      nla_put(request.get(), IFA_LOCAL, static_cast<int>(address.address.size()),
              address.address.bytes().data()) < 0 ||
      nla_put(request.get(), IFA_ADDRESS, static_cast<int>(address.address.size()),
              address.address.bytes().data()) < 0) {
    return ErrnoError(EMSGSIZE, what);
  }
  // nl_send_sync() frees the request, whatever it returns.
  return impl_->Check(nl_send_sync(impl_->sock.get(), request.release()), what);
}

absl::Status NetNs::AddRoute(const Route& route) {
  const std::string destination =
      route.destination ? route.destination->ToString() : std::string("default");
  std::string what = absl::StrCat("add route ", destination);
  if (route.gateway) absl::StrAppend(&what, " via ", route.gateway->ToString());
  if (!route.link.empty()) absl::StrAppend(&what, " dev ", Quoted(route.link));
  if (!route.gateway && route.link.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": needs a gateway or a link"));
  }
  if (route.destination && route.gateway &&
      route.destination->address.family() != route.gateway->family()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the destination and the gateway mix IPv4 and IPv6"));
  }
  if (!route.destination && !route.gateway) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": a default route needs a gateway (it tells the family)"));
  }
  const IpPrefix dst =
      route.destination ? *route.destination : IpPrefix{IpAddress::Any(route.gateway->family()), 0};
  if (dst.length < 0 || dst.length > dst.address.max_prefix_length()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": prefix length out of range"));
  }
  int ifindex = 0;
  if (!route.link.empty()) {
    absl::StatusOr<LinkPtr> link = impl_->GetLink(route.link);
    if (!link.ok()) return WithContext(link.status(), what);
    ifindex = rtnl_link_get_ifindex(link->get());
  }
  std::unique_ptr<rtnl_route, void (*)(rtnl_route*)> request(rtnl_route_alloc(), rtnl_route_put);
  AddrPtr dst_addr = ToNlAddr(dst.address, dst.length);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (request == nullptr || dst_addr == nullptr || hop == nullptr) {
    if (hop != nullptr) rtnl_route_nh_free(hop);
    return ErrnoError(ENOMEM, what);
  }
  rtnl_route_set_family(request.get(), static_cast<uint8_t>(dst.address.af()));
  rtnl_route_set_table(request.get(), RT_TABLE_MAIN);
  rtnl_route_set_protocol(request.get(), RTPROT_STATIC);
  rtnl_route_set_type(request.get(), RTN_UNICAST);
  rtnl_route_set_scope(request.get(), route.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  LINUXNS_RETURN_IF_ERROR(impl_->Check(rtnl_route_set_dst(request.get(), dst_addr.get()), what));
  if (ifindex != 0) rtnl_route_nh_set_ifindex(hop, ifindex);
  if (route.gateway) {
    AddrPtr gateway = ToNlAddr(*route.gateway, route.gateway->max_prefix_length());
    if (gateway == nullptr) {
      rtnl_route_nh_free(hop);
      return ErrnoError(ENOMEM, what);
    }
    rtnl_route_nh_set_gateway(hop, gateway.get());
  }
  rtnl_route_add_nexthop(request.get(), hop);  // the route owns it now
  return impl_->Check(rtnl_route_add(impl_->sock.get(), request.get(), NLM_F_EXCL), what);
}

absl::Status NetNs::AddDefaultRoute(const IpAddress& gateway, absl::string_view link) {
  return AddRoute(Route{std::nullopt, gateway, std::string(link)});
}

namespace {

LinkInfo ToLinkInfo(rtnl_link* link, nl_cache* cache) {
  LinkInfo info;
  info.index = rtnl_link_get_ifindex(link);
  if (const char* name = rtnl_link_get_name(link)) info.name = name;
  if (const char* kind = rtnl_link_get_type(link)) info.kind = kind;
  const unsigned flags = rtnl_link_get_flags(link);
  info.up = (flags & IFF_UP) != 0;
  info.lower_up = (flags & IFF_LOWER_UP) != 0;
  info.mtu = rtnl_link_get_mtu(link);
  if (nl_addr* mac = rtnl_link_get_addr(link); mac != nullptr && nl_addr_get_len(mac) > 0) {
    char text[64] = {};
    nl_addr2str(mac, text, sizeof(text));
    info.mac = text;
  }
  if (const int master = rtnl_link_get_master(link); master > 0) {
    char name[IFNAMSIZ] = {};
    if (rtnl_link_i2name(cache, master, name, sizeof(name)) != nullptr) info.master = name;
  }
  return info;
}

}  // namespace

absl::StatusOr<std::vector<LinkInfo>> NetNs::ListLinks() {
  LINUXNS_ASSIGN_OR_RETURN(CachePtr cache, impl_->LinkCache());
  std::vector<LinkInfo> links;
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    links.push_back(ToLinkInfo(reinterpret_cast<rtnl_link*>(o), cache.get()));
  }
  std::ranges::sort(links, {}, &LinkInfo::index);
  return links;
}

absl::StatusOr<LinkInfo> NetNs::FindLink(absl::string_view name) {
  LINUXNS_ASSIGN_OR_RETURN(LinkPtr link, impl_->GetLink(name));
  if (rtnl_link_get_master(link.get()) <= 0) return ToLinkInfo(link.get(), nullptr);
  LINUXNS_ASSIGN_OR_RETURN(CachePtr cache, impl_->LinkCache());
  return ToLinkInfo(link.get(), cache.get());
}

absl::StatusOr<std::vector<AddressInfo>> NetNs::ListAddresses() {
  LINUXNS_ASSIGN_OR_RETURN(CachePtr links, impl_->LinkCache());
  nl_cache* raw = nullptr;
  LINUXNS_RETURN_IF_ERROR(
      impl_->Check(rtnl_addr_alloc_cache(impl_->sock.get(), &raw), "list addresses"));
  CachePtr cache(raw);
  std::vector<AddressInfo> addresses;
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    auto* addr = reinterpret_cast<rtnl_addr*>(o);
    nl_addr* local = rtnl_addr_get_local(addr);
    if (local == nullptr) continue;
    const int family = nl_addr_get_family(local);
    const unsigned size = nl_addr_get_len(local);
    if (!((family == AF_INET && size == 4) || (family == AF_INET6 && size == 16))) continue;
    AddressInfo info;
    info.link_index = rtnl_addr_get_ifindex(addr);
    char name[IFNAMSIZ] = {};
    if (rtnl_link_i2name(links.get(), info.link_index, name, sizeof(name)) != nullptr) {
      info.link = name;
    }
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(family, nl_addr_get_binary_addr(local), text, sizeof(text));
    absl::StatusOr<IpAddress> parsed = IpAddress::Parse(text);
    if (!parsed.ok()) continue;
    info.prefix = IpPrefix{*parsed, rtnl_addr_get_prefixlen(addr)};
    info.tentative = (rtnl_addr_get_flags(addr) & IFA_F_TENTATIVE) != 0;
    addresses.push_back(std::move(info));
  }
  std::ranges::stable_sort(addresses, {}, &AddressInfo::link_index);
  return addresses;
}

}  // namespace linuxns

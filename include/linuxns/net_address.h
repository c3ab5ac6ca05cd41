// linuxns/net_address.h: IPv4 and IPv6 addresses and prefixes, as values.
//
// The addresses linuxns/net.h (linuxns::net) takes and reports. This header
// is self-contained (everything inline, no library to link), so that code
// that only parses or prints addresses, such as nsexec's option parser,
// needs nothing of linuxns::net.
//
//   LINUXNS_ASSIGN_OR_RETURN(linuxns::IpPrefix p, linuxns::IpPrefix::Parse("192.0.2.1/24"));
//   p.address.family();   // IpFamily::kIpv4
//   p.ToString();         // "192.0.2.1/24"
//
// Errors: Parse() returns InvalidArgument naming the text. Thread-safety:
// values; nothing here makes a system call.
#ifndef LINUXNS_NET_ADDRESS_H_
#define LINUXNS_NET_ADDRESS_H_

#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace linuxns {

// The family of an IpAddress: AF_INET or AF_INET6.
enum class IpFamily { kIpv4, kIpv6 };

// IpAddress: an IPv4 or IPv6 address, a value.
class IpAddress {
 public:
  // Parse()
  //
  // Parses dotted IPv4 ("192.0.2.1") or IPv6 ("2001:db8::1") text, as
  // inet_pton(3) accepts it. InvalidArgument otherwise.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text) {
    IpAddress address(text.find(':') == absl::string_view::npos ? IpFamily::kIpv4
                                                                : IpFamily::kIpv6);
    const std::string copy(text);  // inet_pton wants a C string
    if (text.find('\0') != absl::string_view::npos ||
        ::inet_pton(address.af(), copy.c_str(), address.bytes_.data()) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", text, "\" is not an IPv4 or IPv6 address"));
    }
    return address;
  }

  // The unspecified address of a family: 0.0.0.0 or ::.
  static IpAddress Any(IpFamily family) { return IpAddress(family); }

  // IPv4 or IPv6.
  IpFamily family() const { return family_; }
  // AF_INET or AF_INET6.
  int af() const { return family_ == IpFamily::kIpv4 ? AF_INET : AF_INET6; }
  // The address in network byte order: 4 bytes for IPv4, 16 for IPv6 (the
  // first size() bytes of bytes()).
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  // How many bytes of bytes() are the address: 4 or 16.
  std::size_t size() const { return family_ == IpFamily::kIpv4 ? 4 : 16; }
  // The largest prefix length of the family: 32 or 128.
  int max_prefix_length() const { return family_ == IpFamily::kIpv4 ? 32 : 128; }

  // "192.0.2.1", "2001:db8::1" (inet_ntop(3)).
  std::string ToString() const {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(af(), bytes_.data(), text, sizeof(text));
    return text;
  }

  // Same family and same bytes.
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  explicit IpAddress(IpFamily family) : family_(family) {}
  IpFamily family_ = IpFamily::kIpv4;
  std::array<std::uint8_t, 16> bytes_{};
};

// Writes address.ToString() to `os`.
inline std::ostream& operator<<(std::ostream& os, const IpAddress& address) {
  return os << address.ToString();
}

// IpPrefix: an address with a prefix length, "192.0.2.1/24": an interface
// address with its subnet, or a route's destination.
struct IpPrefix {
  // Parse()
  //
  // Parses "ADDRESS/LENGTH"; the length is required and must lie in 0..32 for
  // IPv4 and 0..128 for IPv6. InvalidArgument naming the text otherwise.
  static absl::StatusOr<IpPrefix> Parse(absl::string_view text);

  // "192.0.2.1/24".
  std::string ToString() const { return absl::StrCat(address.ToString(), "/", length); }

  // Same address and same length (192.0.2.1/24 differs from 192.0.2.0/24).
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;

  // The address itself; its host bits may be set (an interface address).
  IpAddress address = IpAddress::Any(IpFamily::kIpv4);
  // The prefix length: 0..32 for IPv4, 0..128 for IPv6 (the operations
  // check it again, since the fields can be set directly).
  int length = 0;
};

inline absl::StatusOr<IpPrefix> IpPrefix::Parse(absl::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" has no prefix length (ADDRESS/LENGTH, e.g. 192.0.2.1/24)"));
  }
  absl::StatusOr<IpAddress> parsed = IpAddress::Parse(text.substr(0, slash));
  if (!parsed.ok()) return parsed.status();
  const absl::string_view digits = text.substr(slash + 1);
  int bits = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || bits < 0 ||
      bits > parsed->max_prefix_length()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\": the prefix length must be a number from 0 to ",
                     parsed->max_prefix_length()));
  }
  return IpPrefix{*parsed, bits};
}

// Writes prefix.ToString() to `os`.
inline std::ostream& operator<<(std::ostream& os, const IpPrefix& prefix) {
  return os << prefix.ToString();
}

}  // namespace linuxns

#endif  // LINUXNS_NET_ADDRESS_H_

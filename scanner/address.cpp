#include "scanner/address.h"

#include <arpa/inet.h>

#include <string>

namespace bindscan {
namespace {

constexpr AllInterfaces kIPv4Any{AddressFamily::kIPv4, "INADDR_ANY (0.0.0.0)", "127.0.0.1"};
constexpr AllInterfaces kIPv6Any{AddressFamily::kIPv6, "in6addr_any (::)", "::1"};

// glibc's getaddrinfo accepts exactly what inet_aton accepts for IPv4
// (decimal, octal and hex parts, one to four of them); inet_aton itself also
// tolerates trailing white space and text, which getaddrinfo does not.
bool is_ipv4_any(const std::string& host) {
  if (host.find_first_not_of("0123456789abcdefABCDEFxX.") != std::string::npos) return false;
  in_addr address{};
  return inet_aton(host.c_str(), &address) != 0 && address.s_addr == 0;
}

constexpr AllInterfaces kIPv4MappedAny{AddressFamily::kIPv6, "INADDR_ANY through its IPv4-mapped form (::ffff:0.0.0.0)",
                                       "::ffff:127.0.0.1"};

// The unspecified IPv6 address, or the IPv4-mapped 0.0.0.0, which Linux binds
// as INADDR_ANY on an IPv6 socket (the bind probe checks it in a namespace).
std::optional<AllInterfaces> ipv6_any(std::string host) {
  // A scope id ("::%eth0") selects an interface for link-local addresses; it
  // does not make the unspecified address specific.
  if (auto percent = host.find('%'); percent != std::string::npos) host.resize(percent);
  in6_addr address{};
  if (inet_pton(AF_INET6, host.c_str(), &address) != 1) return std::nullopt;
  bool mapped = address.s6_addr[10] == 0xff && address.s6_addr[11] == 0xff;
  for (int i = 0; i < 16; ++i)
    if (address.s6_addr[i] != 0 && !(mapped && (i == 10 || i == 11))) return std::nullopt;
  return mapped ? kIPv4MappedAny : kIPv6Any;
}

}  // namespace

std::optional<AllInterfaces> all_interfaces(std::string_view host) {
  if (host.empty()) return kIPv4Any;
  if (host.size() > 64 || host.find('\0') != std::string_view::npos) return std::nullopt;
  std::string text(host);
  if (is_ipv4_any(text)) return kIPv4Any;
  return ipv6_any(text);
}

}  // namespace bindscan

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

bool is_ipv6_any(std::string host) {
  // A scope id ("::%eth0") selects an interface for link-local addresses; it
  // does not make the unspecified address specific.
  if (auto percent = host.find('%'); percent != std::string::npos) host.resize(percent);
  in6_addr address{};
  if (inet_pton(AF_INET6, host.c_str(), &address) != 1) return false;
  for (unsigned char byte : address.s6_addr)
    if (byte != 0) return false;
  return true;
}

}  // namespace

std::optional<AllInterfaces> all_interfaces(std::string_view host) {
  if (host.empty()) return kIPv4Any;
  if (host.size() > 64 || host.find('\0') != std::string_view::npos) return std::nullopt;
  std::string text(host);
  if (is_ipv4_any(text)) return kIPv4Any;
  if (is_ipv6_any(text)) return kIPv6Any;
  return std::nullopt;
}

}  // namespace bindscan

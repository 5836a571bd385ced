// Deciding whether a host string means "every interface", by parsing it the
// way the operating system will, not by comparing with a list of spellings.
#pragma once

#include <optional>
#include <string_view>

namespace bindscan {

enum class AddressFamily { kIPv4, kIPv6 };

struct AllInterfaces {
  AddressFamily family;
  // What the OS turns the host into, for messages: "INADDR_ANY (0.0.0.0)".
  std::string_view meaning;
  // The loopback address of the same family, for fixes.
  std::string_view loopback;
};

// Set when binding to `host` listens on every interface: the empty host,
// any inet_aton spelling of 0.0.0.0 ("0", "0.0", "0x0", "000.0.0.0", ...)
// and any spelling of the IPv6 unspecified address ("::", "0::0",
// "0:0:0:0:0:0:0:0", "::%eth0", ...), and the IPv4-mapped 0.0.0.0
// ("::ffff:0.0.0.0"), INADDR_ANY on an IPv6 socket. Pure; no name resolution.
std::optional<AllInterfaces> all_interfaces(std::string_view host);

}  // namespace bindscan

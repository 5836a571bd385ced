// Sinks of RPyC. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and its
// default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

// rpyc/utils/server.py Server(service, hostname=None, ipv6=False, port=0, ..., socket_path=None):
// getaddrinfo(hostname, port, AI_PASSIVE)[0] then bind; None is the wildcard address. A
// socket_path makes it a Unix server: listed so that such a call is not a default.
constexpr Sink rpyc_server(std::string_view name) {
  return {.name = name,
          .kind = CalleeKind::kConstructor,
          .address = {{1, "hostname"}, AddressShape::kHost},
          .other_address = Address{{-1, "socket_path"}, AddressShape::kHost},
          .wildcards = kNoneHost,
          .default_host = "0.0.0.0"};
}

constexpr Sink kSinks[] = {
    rpyc_server("rpyc.utils.server.ThreadedServer"),
    rpyc_server("rpyc.utils.server.ThreadPoolServer"),
    rpyc_server("rpyc.utils.server.ForkingServer"),
    rpyc_server("rpyc.utils.server.OneShotServer"),
};

}  // namespace

extern const SinkTable kRpycSinks{"RPyC", kSinks, {}};

}  // namespace bindscan::rules::sinks

// Sinks of AnyIO. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // anyio/_core/_sockets.py create_tcp_listener(*, local_host=None, local_port=0, ...):
    // getaddrinfo(local_host, local_port, AI_PASSIVE); None is every interface ("" fails to resolve)
    {.name = "anyio.create_tcp_listener",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "local_host"}, AddressShape::kHost},
     .wildcards = kNoneHost,
     .default_host = "0.0.0.0 and ::"},
};

}  // namespace

extern const SinkTable kAnyioSinks{"AnyIO", kSinks, {}};

}  // namespace bindscan::rules::sinks

// Sinks of Trio. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and its
// default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // trio/_highlevel_open_tcp_listeners.py open_tcp_listeners(port, *, host=None, ...):
    // getaddrinfo(host, port, AI_PASSIVE); None is every interface ("" fails to resolve)
    {.name = "trio.open_tcp_listeners",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost},
     .wildcards = kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // serve_tcp(handler, port, *, host=None, ...): open_tcp_listeners(port, host=host, ...)
    {.name = "trio.serve_tcp",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost},
     .wildcards = kNoneHost,
     .default_host = "0.0.0.0 and ::"},
};

}  // namespace

extern const SinkTable kTrioSinks{"Trio", kSinks, {}};

}  // namespace bindscan::rules::sinks

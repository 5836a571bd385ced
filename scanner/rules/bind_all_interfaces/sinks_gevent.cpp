// Sinks of gevent. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // gevent/baseserver.py BaseServer(listener, ...): a (host, port) tuple, "host:port" or ":port"
    // (parse_address: "" host), or a socket; _tcp_listener binds the address; "" is INADDR_ANY
    {.name = "gevent.pywsgi.WSGIServer",
     .kind = CalleeKind::kConstructor,
     .address = {{0, "listener"}, AddressShape::kHostPortTuple},
     .other_address = Address{{0, "listener"}, AddressShape::kHostPort}},
    {.name = "gevent.server.StreamServer",
     .kind = CalleeKind::kConstructor,
     .address = {{0, "listener"}, AddressShape::kHostPortTuple},
     .other_address = Address{{0, "listener"}, AddressShape::kHostPort}},
    {.name = "gevent.server.DatagramServer",
     .kind = CalleeKind::kConstructor,
     .address = {{0, "listener"}, AddressShape::kHostPortTuple},
     .other_address = Address{{0, "listener"}, AddressShape::kHostPort}},
};

}  // namespace

extern const SinkTable kGeventSinks{"gevent", kSinks, {}};

}  // namespace bindscan::rules::sinks

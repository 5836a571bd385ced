// Sinks of Tornado. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // tornado/netutil.py bind_sockets(port, address=None, ...): address "" -> None, and None ->
    // getaddrinfo(None, port, AI_PASSIVE): every interface, IPv4 and IPv6
    {.name = "tornado.netutil.bind_sockets",
     .kind = CalleeKind::kFunction,
     .address = {{1, "address"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // tornado/tcpserver.py TCPServer.listen/bind(port, address=None, ...): bind_sockets(port, address, ...)
    {.name = "tornado.tcpserver.TCPServer.listen",
     .kind = CalleeKind::kMethod,
     .address = {{1, "address"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    {.name = "tornado.tcpserver.TCPServer.bind",
     .kind = CalleeKind::kMethod,
     .address = {{1, "address"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // tornado/httpserver.py HTTPServer(TCPServer, ...): listen and bind inherited
    {.name = "tornado.httpserver.HTTPServer.listen",
     .kind = CalleeKind::kMethod,
     .address = {{1, "address"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    {.name = "tornado.httpserver.HTTPServer.bind",
     .kind = CalleeKind::kMethod,
     .address = {{1, "address"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // tornado/web.py Application.listen(port, address=None, ...): HTTPServer(self).listen(port, address)
    {.name = "tornado.web.Application.listen",
     .kind = CalleeKind::kMethod,
     .address = {{1, "address"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
};

}  // namespace

extern const SinkTable kTornadoSinks{"Tornado", kSinks, {}};

}  // namespace bindscan::rules::sinks

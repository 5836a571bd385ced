// Sinks of Tornado. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

// Every Tornado sink takes (port, address=None, ...).
constexpr Sink tornado_sink(std::string_view name, CalleeKind kind) {
  return {.name = name,
          .kind = kind,
          .address = {{1, "address"}, AddressShape::kHost},
          .wildcards = kEmptyHost | kNoneHost,
          .default_host = "0.0.0.0 and ::"};
}

constexpr Sink kSinks[] = {
    // tornado/netutil.py bind_sockets(port, address=None, ...): address "" -> None, and None ->
    // getaddrinfo(None, port, AI_PASSIVE): every interface, IPv4 and IPv6. tornado/tcpserver.py
    // TCPServer.listen/bind(port, address=None, ...) and web.py Application.listen(port, address=None)
    // (HTTPServer(self).listen) pass it on; httpserver.py HTTPServer inherits listen and bind.
    tornado_sink("tornado.netutil.bind_sockets", CalleeKind::kFunction),
    tornado_sink("tornado.tcpserver.TCPServer.listen", CalleeKind::kMethod),
    tornado_sink("tornado.tcpserver.TCPServer.bind", CalleeKind::kMethod),
    tornado_sink("tornado.httpserver.HTTPServer.listen", CalleeKind::kMethod),
    tornado_sink("tornado.httpserver.HTTPServer.bind", CalleeKind::kMethod),
    tornado_sink("tornado.web.Application.listen", CalleeKind::kMethod),
};

}  // namespace

extern const SinkTable kTornadoSinks{"Tornado", kSinks, {}};

}  // namespace bindscan::rules::sinks

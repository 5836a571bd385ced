// Sinks of the Python standard library. Evidence: CPython 3.11 as Debian 12
// ships it (/usr/lib/python3.11), read for each line.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

// socketserver.py TCPServer.__init__(server_address, ...): server_bind()
// binds server_address as given; "" is INADDR_ANY (socketmodule.c
// setipaddr: an empty name means INADDR_ANY).
constexpr Address kServerAddress{{0, "server_address"}, AddressShape::kHostPortTuple};

constexpr Sink kSinks[] = {
    {"socketserver.TCPServer", CalleeKind::kConstructor, kServerAddress},
    {"socketserver.UDPServer", CalleeKind::kConstructor, kServerAddress},
    {"socketserver.ForkingTCPServer", CalleeKind::kConstructor, kServerAddress},
    {"socketserver.ForkingUDPServer", CalleeKind::kConstructor, kServerAddress},
    {"socketserver.ThreadingTCPServer", CalleeKind::kConstructor, kServerAddress},
    {"socketserver.ThreadingUDPServer", CalleeKind::kConstructor, kServerAddress},
    // http/server.py HTTPServer(socketserver.TCPServer)
    {"http.server.HTTPServer", CalleeKind::kConstructor, kServerAddress},
    {"http.server.ThreadingHTTPServer", CalleeKind::kConstructor, kServerAddress},
    // xmlrpc/server.py SimpleXMLRPCServer(socketserver.TCPServer, ...): addr first
    {"xmlrpc.server.SimpleXMLRPCServer", CalleeKind::kConstructor, {{0, "addr"}, AddressShape::kHostPortTuple}},
    {"xmlrpc.server.DocXMLRPCServer", CalleeKind::kConstructor, {{0, "addr"}, AddressShape::kHostPortTuple}},
    {"xmlrpc.server.MultiPathXMLRPCServer", CalleeKind::kConstructor, {{0, "addr"}, AddressShape::kHostPortTuple}},
    // wsgiref/simple_server.py WSGIServer(HTTPServer)
    {"wsgiref.simple_server.WSGIServer", CalleeKind::kConstructor, kServerAddress},
    // wsgiref/simple_server.py make_server(host, port, app, server_class=WSGIServer, ...):
    // server_class((host, port), handler_class); host has no default
    {.name = "wsgiref.simple_server.make_server",
     .kind = CalleeKind::kFunction,
     .address = {{0, "host"}, AddressShape::kHost},
     .server_class = Slot{3, "server_class"}},
    // socketmodule.c sock_bind -> getsockaddrarg: AF_INET(6) takes (host, port[, ...]); "" is INADDR_ANY
    {.name = "socket.socket.bind",
     .kind = CalleeKind::kMethod,
     .address = {{0, "address"}, AddressShape::kHostPortTuple},
     .filter = InstanceFilter::kInetFamily},
    // socket.py create_server(address, *, family=AF_INET, ...): sock.bind(address)
    {"socket.create_server", CalleeKind::kFunction, {{0, "address"}, AddressShape::kHostPortTuple}},
    // asyncio/streams.py start_server(client_connected_cb, host=None, port=None, ...)
    // -> loop.create_server(factory, host, port); base_events.py create_server:
    // host '' or None -> getaddrinfo(None, port, AI_PASSIVE): every interface; sock= serves a
    // socket bound elsewhere (listed so that such a call is not a default)
    {.name = "asyncio.start_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "host"}, AddressShape::kHost, true},
     .other_address = sinks::Address{{-1, "sock"}, AddressShape::kHost},
     .addresses_exclusive = true,
     .port = Slot{2, "port"},
     .wildcards = sinks::kEmptyHost | sinks::kNoneHost,
     .default_host = "None"},
};

// socket.py socket.__enter__ returns self.
constexpr Factory kFactories[] = {
    {"socket.socket.__enter__", CalleeKind::kMethod, "socket.socket"},
};

constexpr ModuleAlias kModuleAliases[] = {
    {"SocketServer", "socketserver"},
    {"six.moves.socketserver", "socketserver"},
    {"BaseHTTPServer", "http.server"},
    {"six.moves.BaseHTTPServer", "http.server"},
    {"SimpleXMLRPCServer", "xmlrpc.server"},
    {"DocXMLRPCServer", "xmlrpc.server"},
    {"six.moves.xmlrpc_server", "xmlrpc.server"},
};

}  // namespace

extern const SinkTable kStdlibSinks{"Python standard library", kSinks, kFactories, {}, kModuleAliases};

}  // namespace bindscan::rules::sinks

// Sinks of Trio. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and its
// default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // trio/_highlevel_open_tcp_listeners.py open_tcp_listeners(port, *, host=None, ...):
    // getaddrinfo(host, port, AI_PASSIVE); None is every interface ("" fails to resolve);
    // `if not isinstance(port, int): raise TypeError` first
    {.name = "trio.open_tcp_listeners",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost},
     .port = Slot{0, "port"},
     .int_port = true,
     .wildcards = kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // serve_tcp(handler, port, *, host=None, ...): open_tcp_listeners(port, host=host, ...)
    {.name = "trio.serve_tcp",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost},
     .port = Slot{1, "port"},
     .int_port = true,
     .wildcards = kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // trio/_socket.py SocketType.bind(address): _resolve_address_nocp(local=True): host "" -> None
    // with AI_PASSIVE (every interface), then the stdlib socket's bind. No family filter: the rule
    // cannot read the family of a factory's instance yet; AF_UNIX binds take a path, never a tuple.
    {.name = "trio.socket.SocketType.bind",
     .kind = CalleeKind::kMethod,
     .address = {{0, "address"}, AddressShape::kHostPortTuple}},
};

constexpr Factory kFactories[] = {
    // trio/_socket.py socket(family=-1, type=-1, proto=-1, fileno=None) returns a SocketType
    {"trio.socket.socket", CalleeKind::kFunction, "trio.socket.SocketType"},
};

}  // namespace

extern const SinkTable kTrioSinks{"Trio", kSinks, kFactories};

}  // namespace bindscan::rules::sinks

// Sinks of asyncio (standard library). Evidence: CPython 3.11 as Debian 12 ships it (/usr/lib/python3.11/asyncio),
// defaults confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // base_events.py create_server: host None or "" -> getaddrinfo(None, port, AI_PASSIVE) on every
    // family (0.0.0.0 and ::); a host may be a sequence of hosts; sock= serves a socket bound elsewhere
    // (listed so that such a call is not a default). `if host is not None or port is not None: if sock
    // is not None: raise ValueError`; `else: if sock is None: raise ValueError` (neither host/port nor sock).
    {.name = "asyncio.event_loop.create_server",
     .kind = CalleeKind::kMethod,
     .address = {{1, "host"}, AddressShape::kHost, true},
     .other_address = Address{{-1, "sock"}, AddressShape::kHost},
     .addresses_exclusive = true,
     .port = Slot{2, "port"},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // (asyncio.start_server: sinks_stdlib.cpp)
    // streams.py start_server(cb, host=None, port=None, **kwds): loop.create_server(factory, host, port, **kwds)
    {.name = "asyncio.streams.start_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "host"}, AddressShape::kHost, true},
     .other_address = Address{{-1, "sock"}, AddressShape::kHost},
     .addresses_exclusive = true,
     .port = Slot{2, "port"},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // base_events.py create_datagram_endpoint(factory, local_addr=None, ...): sock.bind(local_addr);
    // no local_addr binds nothing (a client)
    {.name = "asyncio.event_loop.create_datagram_endpoint",
     .kind = CalleeKind::kMethod,
     .address = {{1, "local_addr"}, AddressShape::kHostPortTuple}},
};

constexpr Factory kFactories[] = {
    // events.py: each returns a running event loop. Its class is named "asyncio.event_loop", a name
    // no code can call: asyncio.AbstractEventLoop() itself raises NotImplementedError on create_server.
    {"asyncio.get_running_loop", CalleeKind::kFunction, "asyncio.event_loop"},
    {"asyncio.get_event_loop", CalleeKind::kFunction, "asyncio.event_loop"},
    {"asyncio.new_event_loop", CalleeKind::kFunction, "asyncio.event_loop"},
    // Concrete loops, made by calling the class: unix_events.py `SelectorEventLoop = _UnixSelectorEventLoop`
    // (windows_events.py: _WindowsSelectorEventLoop), and windows_events.py ProactorEventLoop; both derive
    // from base_events.BaseEventLoop, whose create_server is the one above.
    {"asyncio.SelectorEventLoop", CalleeKind::kFunction, "asyncio.event_loop"},
    {"asyncio.ProactorEventLoop", CalleeKind::kFunction, "asyncio.event_loop"},
};

}  // namespace

extern const SinkTable kAsyncioSinks{"asyncio (standard library)", kSinks, kFactories};

}  // namespace bindscan::rules::sinks

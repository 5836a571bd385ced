// Sinks of asyncio (standard library). Evidence: CPython 3.11 as Debian 12 ships it (/usr/lib/python3.11/asyncio),
// defaults confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // base_events.py create_server: host None or "" -> getaddrinfo(None, port, AI_PASSIVE) on every
    // family (0.0.0.0 and ::); a host may be a sequence of hosts.
    {.name = "asyncio.AbstractEventLoop.create_server",
     .kind = CalleeKind::kMethod,
     .address = {{1, "host"}, AddressShape::kHost, true},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // (asyncio.start_server: sinks_stdlib.cpp)
    // streams.py start_server(cb, host=None, port=None): loop.create_server(factory, host, port)
    {.name = "asyncio.streams.start_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "host"}, AddressShape::kHost, true},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0 and ::"},
    // base_events.py create_datagram_endpoint(factory, local_addr=None, ...): sock.bind(local_addr);
    // no local_addr binds nothing (a client)
    {.name = "asyncio.AbstractEventLoop.create_datagram_endpoint",
     .kind = CalleeKind::kMethod,
     .address = {{1, "local_addr"}, AddressShape::kHostPortTuple}},
};

constexpr Factory kFactories[] = {
    // events.py: each returns the event loop (an AbstractEventLoop)
    {"asyncio.get_running_loop", CalleeKind::kFunction, "asyncio.AbstractEventLoop"},
    {"asyncio.get_event_loop", CalleeKind::kFunction, "asyncio.AbstractEventLoop"},
    {"asyncio.new_event_loop", CalleeKind::kFunction, "asyncio.AbstractEventLoop"},
};

}  // namespace

extern const SinkTable kAsyncioSinks{"asyncio (standard library)", kSinks, kFactories};

}  // namespace bindscan::rules::sinks

// Sinks of pyzmq. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // zmq/sugar/socket.py Socket.bind(addr): libzmq zmq_bind; tcp://*:port is every interface
    // (libzmq tcp_address: "*" is INADDR_ANY)
    {.name = "zmq.Socket.bind",
     .kind = CalleeKind::kMethod,
     .address = {{0, "addr"}, AddressShape::kUrl},
     .wildcards = kStar},
    // Socket.bind_to_random_port(addr, ...): self.bind(f"{addr}:{port}")
    {.name = "zmq.Socket.bind_to_random_port",
     .kind = CalleeKind::kMethod,
     .address = {{0, "addr"}, AddressShape::kUrl},
     .wildcards = kStar},
};

constexpr Factory kFactories[] = {
    // zmq/sugar/context.py Context.socket(socket_type) returns a Socket; Context.instance() a Context
    {"zmq.Context.socket", CalleeKind::kMethod, "zmq.Socket"},
    {"zmq.Context.instance", CalleeKind::kFunction, "zmq.Context"},
};

}  // namespace

extern const SinkTable kZmqSinks{"pyzmq", kSinks, kFactories};

}  // namespace bindscan::rules::sinks

// Sinks of Twisted. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

// twisted/internet/testing.py: MemoryReactor.listenTCP/listenUDP record their arguments and bind nothing,
// MemoryReactorClock is a MemoryReactor, RaisingMemoryReactor raises; twisted/test/proto_helpers.py re-exports them.
constexpr std::string_view kFakeReactors[] = {
    "twisted.internet.testing.MemoryReactor",        "twisted.internet.testing.MemoryReactorClock",
    "twisted.internet.testing.RaisingMemoryReactor", "twisted.test.proto_helpers.MemoryReactor",
    "twisted.test.proto_helpers.MemoryReactorClock", "twisted.test.proto_helpers.RaisingMemoryReactor",
};
constexpr Listener kEndpointReactor{{0, "reactor"}, kFakeReactors};

constexpr Sink kSinks[] = {
    // twisted/internet/posixbase.py listenTCP(port, factory, backlog=50, interface=""): tcp.Port binds
    // (interface, port); "" is INADDR_ANY
    {.name = "twisted.internet.reactor.listenTCP",
     .kind = CalleeKind::kFunction,
     .address = {{3, "interface"}, AddressShape::kHost},
     .default_host = "0.0.0.0"},
    // posixbase.py listenUDP(port, protocol, interface="", maxPacketSize=8192)
    {.name = "twisted.internet.reactor.listenUDP",
     .kind = CalleeKind::kFunction,
     .address = {{2, "interface"}, AddressShape::kHost},
     .default_host = "0.0.0.0"},
    // twisted/internet/endpoints.py TCP4ServerEndpoint(reactor, port, backlog=50, interface=""):
    // listen() -> reactor.listenTCP(port, factory, backlog, interface)
    {.name = "twisted.internet.endpoints.TCP4ServerEndpoint",
     .kind = CalleeKind::kConstructor,
     .address = {{3, "interface"}, AddressShape::kHost},
     .default_host = "0.0.0.0",
     .listener = kEndpointReactor},
    // endpoints.py TCP6ServerEndpoint(reactor, port, backlog=50, interface="::")
    {.name = "twisted.internet.endpoints.TCP6ServerEndpoint",
     .kind = CalleeKind::kConstructor,
     .address = {{3, "interface"}, AddressShape::kHost},
     .default_host = "::",
     .listener = kEndpointReactor},
};

}  // namespace

extern const SinkTable kTwistedSinks{"Twisted", kSinks, {}};

}  // namespace bindscan::rules::sinks

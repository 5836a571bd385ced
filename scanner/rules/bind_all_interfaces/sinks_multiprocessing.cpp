// Sinks of multiprocessing (standard library). Evidence: CPython 3.11 as Debian 12 ships it
// (/usr/lib/python3.11/multiprocessing).
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // connection.py Listener(address=None, ...): a tuple -> SocketListener binds
    // it; no address is a Unix socket on Linux (default_family AF_UNIX)
    {"multiprocessing.connection.Listener", CalleeKind::kConstructor, {{0, "address"}, AddressShape::kHostPortTuple}},
};

}  // namespace

extern const SinkTable kMultiprocessingSinks{"multiprocessing (standard library)", kSinks, {}};

}  // namespace bindscan::rules::sinks

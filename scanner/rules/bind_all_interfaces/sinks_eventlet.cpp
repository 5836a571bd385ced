// Sinks of eventlet. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // eventlet/convenience.py listen(addr, family=AF_INET, ...): sock.bind(addr)
    {"eventlet.listen", CalleeKind::kFunction, {{0, "addr"}, AddressShape::kHostPortTuple}},
    {"eventlet.convenience.listen", CalleeKind::kFunction, {{0, "addr"}, AddressShape::kHostPortTuple}},
};

}  // namespace

extern const SinkTable kEventletSinks{"eventlet", kSinks, {}};

}  // namespace bindscan::rules::sinks

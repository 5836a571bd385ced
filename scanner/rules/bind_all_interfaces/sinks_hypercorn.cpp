// Sinks of Hypercorn. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages/hypercorn),
// read for each line, and confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr AssignmentSink kAssignments[] = {
    // config.py Config.bind setter: a string becomes [value]; default ["127.0.0.1:8000"].
    // _create_sockets: "unix:" and "fd://" are no TCP address; otherwise "[" and "]" are dropped and
    // rsplit(":", 1) gives host and port (no port: the whole is the host), then sock.bind((host, port)):
    // ":8000" -> host "" (INADDR_ANY); "*:8000" raises (not a wildcard here).
    {.target = "hypercorn.config.Config.bind",
     .file = ConfigFile::kAny,
     .shape = AddressShape::kHostPort,
     .or_list = true,
     .wildcards = kEmptyHost},
};

}  // namespace

extern const SinkTable kHypercornSinks{"Hypercorn", {}, {}, kAssignments};

}  // namespace bindscan::rules::sinks

// Sinks of CherryPy. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages/cherrypy),
// read for each line, and confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr AssignmentSink kAssignments[] = {
    // _cpserver.py Server.socket_host (default "127.0.0.1"): the setter raises ValueError on "" ("Use
    // '0.0.0.0' (IPv4) or '::' (IPv6) instead"); the address goes to cheroot's server, which binds it.
    {.target = "cherrypy.server.socket_host",
     .file = ConfigFile::kAny,
     .shape = AddressShape::kHost,
     .wildcards = 0},
};

}  // namespace

extern const SinkTable kCherryPySinks{"CherryPy", {}, {}, kAssignments};

}  // namespace bindscan::rules::sinks

// Sinks of CherryPy. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages/cherrypy),
// read for each line, and confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // _cpconfig.py Config.update/_apply: `if isinstance(config.get('global'), dict): config = config['global']`,
    // then the "server" namespace handler does setattr(cherrypy.server, 'socket_host', v).
    {.name = "cherrypy.config.update",
     .kind = CalleeKind::kFunction,
     .address = {{0, "config"}, AddressShape::kHost, false, DictEntry{"server.socket_host", "global"}},
     .wildcards = 0},
    // __init__.py quickstart(root=None, script_name='', config=None): _global_conf_alias.update(config) (the
    // same Config), then tree.mount(root, script_name, config), whose _cpconfig.merge raises ValueError
    // unless every value is a section dict: only a config with its "global" section starts a server.
    {.name = "cherrypy.quickstart",
     .kind = CalleeKind::kFunction,
     .address = {{2, "config"}, AddressShape::kHost, false, DictEntry{"server.socket_host", "global", true}},
     .wildcards = 0},
};

constexpr AssignmentSink kAssignments[] = {
    // _cpserver.py Server.socket_host (default "127.0.0.1"): the setter raises ValueError on "" ("Use
    // '0.0.0.0' (IPv4) or '::' (IPv6) instead"); the address goes to cheroot's server, which binds it.
    {.target = "cherrypy.server.socket_host",
     .file = ConfigFile::kAny,
     .shape = AddressShape::kHost,
     .wildcards = 0},
};

}  // namespace

extern const SinkTable kCherryPySinks{"CherryPy", kSinks, {}, kAssignments};

}  // namespace bindscan::rules::sinks

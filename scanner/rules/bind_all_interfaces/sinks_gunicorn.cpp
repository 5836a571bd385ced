// Sinks of gunicorn: its Python config file. Evidence: the Debian 12 package's source
// (/usr/lib/python3/dist-packages/gunicorn), read for each line, and confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr AssignmentSink kAssignments[] = {
    // config.py Bind: `bind` of the config file (-c, default ./gunicorn.conf.py), a string or a list of them
    // (validate_list_string); default ['127.0.0.1:8000'] (0.0.0.0 only when $PORT is set). util.py
    // parse_address: "unix:PATH" and "fd://N" are no TCP address; "[::]:8000" -> "::"; "HOST:PORT";
    // ":8000" -> host "" (INADDR_ANY at sock.bind); "" -> "0.0.0.0".
    {.target = "bind",
     .file = ConfigFile::kGunicorn,
     .shape = AddressShape::kHostPort,
     .or_list = true,
     .wildcards = kEmptyHost},
};

}  // namespace

extern const SinkTable kGunicornSinks{"gunicorn (config file)", {}, {}, kAssignments};

}  // namespace bindscan::rules::sinks

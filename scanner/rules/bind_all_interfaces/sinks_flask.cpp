// Sinks of Flask. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // flask/app.py Flask.run(host=None, ...): host = host or SERVER_NAME's host or "127.0.0.1",
    // so "" is the default, not every interface; then werkzeug run_simple(host, ...)
    {.name = "flask.Flask.run",
     .kind = CalleeKind::kMethod,
     .address = {{0, "host"}, AddressShape::kHost},
     .wildcards = 0},
};

}  // namespace

extern const SinkTable kFlaskSinks{"Flask", kSinks, {}};

}  // namespace bindscan::rules::sinks

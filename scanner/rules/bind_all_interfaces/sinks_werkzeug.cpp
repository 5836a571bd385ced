// Sinks of Werkzeug. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // werkzeug/serving.py run_simple(hostname, port, application, ...): make_server(hostname, ...);
    // hostname is required; "" reaches socket.bind as INADDR_ANY
    {.name = "werkzeug.serving.run_simple",
     .kind = CalleeKind::kFunction,
     .address = {{0, "hostname"}, AddressShape::kHost}},
    {.name = "werkzeug.run_simple", .kind = CalleeKind::kFunction, .address = {{0, "hostname"}, AddressShape::kHost}},
    // werkzeug/serving.py make_server(host, port, app, ...): BaseWSGIServer(host, port, ...) binds (host, port)
    {.name = "werkzeug.serving.make_server",
     .kind = CalleeKind::kFunction,
     .address = {{0, "host"}, AddressShape::kHost}},
};

}  // namespace

extern const SinkTable kWerkzeugSinks{"Werkzeug", kSinks, {}};

}  // namespace bindscan::rules::sinks

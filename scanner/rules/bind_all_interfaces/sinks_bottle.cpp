// Sinks of Bottle. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // bottle.py run(app=None, server="wsgiref", host="127.0.0.1", port=8080, ...):
    // WSGIRefServer -> wsgiref make_server(host, ...); "" is INADDR_ANY
    {.name = "bottle.run", .kind = CalleeKind::kFunction, .address = {{2, "host"}, AddressShape::kHost}},
    // bottle.py Bottle.run(**kwargs): run(self, **kwargs)
    {.name = "bottle.Bottle.run", .kind = CalleeKind::kMethod, .address = {{-1, "host"}, AddressShape::kHost}},
};

}  // namespace

extern const SinkTable kBottleSinks{"Bottle", kSinks, {}};

}  // namespace bindscan::rules::sinks

// Sinks of waitress. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // waitress/__init__.py serve(app, **kw) -> create_server(app, **kw) -> Adjustments(**kw);
    // adjustments.py: host = "0.0.0.0", listen = [f"{host}:{port}"]; a listen host "*" -> None ->
    // getaddrinfo(None, AI_PASSIVE), every interface; "" is rejected ("Invalid host/port specified")
    {.name = "waitress.serve",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost},
     .other_address = Address{{-1, "listen"}, AddressShape::kHostPort},
     .wildcards = kStar,
     .default_host = "0.0.0.0"},
    {.name = "waitress.server.create_server",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost},
     .other_address = Address{{-1, "listen"}, AddressShape::kHostPort},
     .wildcards = kStar,
     .default_host = "0.0.0.0"},
};

}  // namespace

extern const SinkTable kWaitressSinks{"waitress", kSinks, {}};

}  // namespace bindscan::rules::sinks

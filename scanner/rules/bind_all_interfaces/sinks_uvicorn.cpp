// Sinks of uvicorn. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // uvicorn/main.py run(app, **kwargs): Config(app, **kwargs); config.py Config(app, host="127.0.0.1",
    // ...); server.py: loop.create_server(host=config.host), so "" is every interface (asyncio)
    {.name = "uvicorn.run", .kind = CalleeKind::kFunction, .address = {{-1, "host"}, AddressShape::kHost}},
    {.name = "uvicorn.Config", .kind = CalleeKind::kConstructor, .address = {{1, "host"}, AddressShape::kHost}},
    {.name = "uvicorn.config.Config", .kind = CalleeKind::kConstructor, .address = {{1, "host"}, AddressShape::kHost}},
};

}  // namespace

extern const SinkTable kUvicornSinks{"uvicorn", kSinks, {}};

}  // namespace bindscan::rules::sinks

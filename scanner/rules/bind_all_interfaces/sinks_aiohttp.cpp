// Sinks of aiohttp. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each line, and
// its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

// aiohttp/web.py _run_app: `elif path is None and sock is None or port is not None:` TCPSite(runner, port=port)
constexpr Slot kUnixPathOrSocket[] = {{-1, "path"}, {-1, "sock"}};

constexpr Sink kSinks[] = {
    // aiohttp/web.py run_app(app, *, host=None, path=None, sock=None, port=None, ...): no host ->
    // TCPSite(runner, port=...) unless a Unix `path` or a `sock` is given without a port; a host
    // sequence -> one TCPSite each.
    {.name = "aiohttp.web.run_app",
     .kind = CalleeKind::kFunction,
     .address = {{-1, "host"}, AddressShape::kHost, true},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0",
     .served_instead = ServedInstead{kUnixPathOrSocket, Slot{-1, "port"}}},
    // aiohttp/web_runner.py TCPSite(runner, host=None, port=None): loop.create_server(host=self._host),
    // None -> every interface (its name: host = "0.0.0.0" if self._host is None)
    {.name = "aiohttp.web.TCPSite",
     .kind = CalleeKind::kConstructor,
     .address = {{1, "host"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0"},
    {.name = "aiohttp.web_runner.TCPSite",
     .kind = CalleeKind::kConstructor,
     .address = {{1, "host"}, AddressShape::kHost},
     .wildcards = kEmptyHost | kNoneHost,
     .default_host = "0.0.0.0"},
};

}  // namespace

extern const SinkTable kAiohttpSinks{"aiohttp", kSinks, {}};

}  // namespace bindscan::rules::sinks

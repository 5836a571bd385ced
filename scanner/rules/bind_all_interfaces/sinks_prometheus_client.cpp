// Sinks of prometheus_client. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each
// line, and its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

constexpr Sink kSinks[] = {
    // prometheus_client/exposition.py start_wsgi_server(port, addr="0.0.0.0", ...):
    // make_server(addr, port, ...) after _get_best_family(addr, port) (getaddrinfo: "" fails);
    // start_http_server = start_wsgi_server
    {.name = "prometheus_client.start_http_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "addr"}, AddressShape::kHost},
     .wildcards = 0,
     .default_host = "0.0.0.0"},
    {.name = "prometheus_client.start_wsgi_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "addr"}, AddressShape::kHost},
     .wildcards = 0,
     .default_host = "0.0.0.0"},
    {.name = "prometheus_client.exposition.start_http_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "addr"}, AddressShape::kHost},
     .wildcards = 0,
     .default_host = "0.0.0.0"},
    {.name = "prometheus_client.exposition.start_wsgi_server",
     .kind = CalleeKind::kFunction,
     .address = {{1, "addr"}, AddressShape::kHost},
     .wildcards = 0,
     .default_host = "0.0.0.0"},
};

}  // namespace

extern const SinkTable kPrometheusClientSinks{"prometheus_client", kSinks, {}};

}  // namespace bindscan::rules::sinks

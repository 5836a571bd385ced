// Sinks of prometheus_client. Evidence: the Debian 12 package's source (/usr/lib/python3/dist-packages), read for each
// line, and its default confirmed by tests/probe/bind_probe.py.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

// prometheus_client/exposition.py start_wsgi_server(port, addr="0.0.0.0", ...):
// make_server(addr, port, ...) after _get_best_family(addr, port) (getaddrinfo: "" fails);
// start_http_server = start_wsgi_server
constexpr Sink metrics_server(std::string_view name) {
  return {.name = name,
          .kind = CalleeKind::kFunction,
          .address = {{1, "addr"}, AddressShape::kHost},
          .wildcards = 0,
          .default_host = "0.0.0.0"};
}

constexpr Sink kSinks[] = {
    metrics_server("prometheus_client.start_http_server"),
    metrics_server("prometheus_client.start_wsgi_server"),
    metrics_server("prometheus_client.exposition.start_http_server"),
    metrics_server("prometheus_client.exposition.start_wsgi_server"),
};

}  // namespace

extern const SinkTable kPrometheusClientSinks{"prometheus_client", kSinks, {}};

}  // namespace bindscan::rules::sinks

// The list of sink tables (one per sinks_<library>.cpp) and the prefilter's
// gate needles.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {

std::span<const SinkTable *const> tables() {
  static const SinkTable *const kTables[] = {
      &kStdlibSinks,           &kAiohttpSinks,  &kAnyioSinks,    &kAsyncioSinks, &kAsyncoreSinks,
      &kBottleSinks,           &kEventletSinks, &kFlaskSinks,    &kGeventSinks,  &kMultiprocessingSinks,
      &kPrometheusClientSinks, &kRpycSinks,     &kTornadoSinks,  &kTrioSinks,    &kTwistedSinks,
      &kUvicornSinks,          &kWaitressSinks, &kWerkzeugSinks, &kZmqSinks,
  };
  return kTables;
}

std::span<const std::string_view> gate_needles() {
  // "erver": the socketserver family and its aliases, and most frameworks'
  // servers; "socket": raw sockets; "isten": listen, listenTCP, Listener,
  // open_tcp_listeners; then the libraries whose sinks name none of those.
  // Each needle costs one memchr pass over files that lack the ones before it.
  static constexpr std::string_view kNeedles[] = {"erver",   "socket",  "isten",    "asyncio",  "flask",
                                                  "uvicorn", "aiohttp", "werkzeug", "waitress", "bottle",
                                                  "trio",    "zmq",     "asyncore"};
  return kNeedles;
}

}  // namespace bindscan::rules::sinks

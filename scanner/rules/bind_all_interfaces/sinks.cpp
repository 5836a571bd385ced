// The list of sink tables (one per sinks_<library>.cpp) and the prefilter's
// gate needles.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {

std::span<const SinkTable *const> tables() {
  static const SinkTable* const kTables[] = {
      &kStdlibSinks,           &kAiohttpSinks,  &kAnyioSinks,    &kAsyncioSinks, &kAsyncoreSinks,
      &kBottleSinks,           &kDjangoSinks,   &kEventletSinks, &kFlaskSinks,   &kGunicornSinks,
      &kHypercornSinks,        &kCherryPySinks, &kJupyterSinks,  &kGeventSinks,  &kMultiprocessingSinks,
      &kPrometheusClientSinks, &kRpycSinks,     &kTornadoSinks,  &kTrioSinks,    &kTwistedSinks,
      &kUvicornSinks,          &kWaitressSinks, &kWerkzeugSinks, &kZmqSinks,
  };
  return kTables;
}

std::span<const std::string_view> gate_needles() {
  // "erver": the socketserver family and its aliases, and most frameworks'
  // servers; "socket": raw sockets; then, for the sinks that name neither,
  // the library (its import name) or the class (multiprocessing's Listener);
  // last, the assignment sinks' targets: "hypercorn", "NotebookApp" (Jupyter's
  // ServerApp has "erver"), and gunicorn's "bind", which a config file may
  // hold alone.
  // Each needle costs one memchr pass over files that lack the ones before
  // it: a needle that is common in Python source ("listen" is in 7% of the
  // standard library's files) doubles the files that reach the finer check.
  static constexpr std::string_view kNeedles[] = {
      "erver",   "socket",   "asyncio", "Listener", "trio",      "werkzeug",    "flask",
      "bottle",  "asyncore", "tornado", "twisted",  "eventlet",  "anyio",       "uvicorn",
      "aiohttp", "waitress", "zmq",     "django",   "hypercorn", "NotebookApp", "bind"};
  return kNeedles;
}

}  // namespace bindscan::rules::sinks

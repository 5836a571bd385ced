// The list of sink tables (one per sinks_<library>.cpp).
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

}  // namespace bindscan::rules::sinks

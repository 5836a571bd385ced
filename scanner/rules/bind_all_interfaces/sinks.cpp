// The list of sink tables (one per sinks_<library>.cpp) and the prefilter's
// gate needles.
#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {

std::span<const SinkTable* const> tables() {
  static const SinkTable* const kTables[] = {
      &kStdlibSinks,
  };
  return kTables;
}

std::span<const std::string_view> gate_needles() {
  // "erver": the socketserver family and its aliases; "socket": raw sockets.
  // Each needle costs one memchr pass over files that lack the ones before it.
  static constexpr std::string_view kNeedles[] = {"erver", "socket"};
  return kNeedles;
}

}  // namespace bindscan::rules::sinks

// The sink tables are data; these tests hold the data to its contract:
// unique names, addresses that say where they are, and a prefilter gate that
// covers every line (a sink the gate misses would have its files skipped).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "scanner/rules/bind_all_interfaces/sinks.h"

namespace bindscan::rules::sinks {
namespace {

bool gated(std::string_view name) {
  for (std::string_view needle : gate_needles())
    if (name.find(needle) != std::string_view::npos) return true;
  return false;
}

TEST(SinkTables, NamesAreUniqueAndQualified) {
  std::set<std::string_view> seen;
  for (const SinkTable* table : tables()) {
    EXPECT_FALSE(table->library.empty());
    for (const Sink& sink : table->sinks) {
      EXPECT_TRUE(seen.insert(sink.name).second) << sink.name << " is listed twice";
      EXPECT_NE(sink.name.find('.'), std::string_view::npos) << sink.name << ": not a qualified name";
    }
  }
  EXPECT_GT(seen.size(), 10u);
}

TEST(SinkTables, EveryAddressHasAPositionOrAKeyword) {
  for (const SinkTable* table : tables())
    for (const Sink& sink : table->sinks) {
      EXPECT_TRUE(sink.address.slot.position >= 0 || !sink.address.slot.keyword.empty()) << sink.name;
      if (sink.other_address) {
        EXPECT_TRUE(sink.other_address->slot.position >= 0 || !sink.other_address->slot.keyword.empty())
            << sink.name;
      }
    }
}

// A method sink is reached through an instance: the gate must see either its
// qualified name or the factory call that makes the instance.
TEST(SinkTables, PrefilterGateCoversEverySink) {
  for (const SinkTable* table : tables())
    for (const Sink& sink : table->sinks) {
      bool covered = gated(sink.name);
      if (sink.kind == CalleeKind::kMethod) {
        std::string_view cls = sink.name.substr(0, sink.name.rfind('.'));
        for (const SinkTable* other : tables())
          for (const Factory& factory : other->factories)
            if (factory.returns == cls && !gated(factory.callee)) covered = false;
      }
      EXPECT_TRUE(covered) << sink.name << " contains none of the gate needles (sinks.cpp gate_needles)";
    }
}

// bind-all-interfaces-by-default names the keyword in its message and adds it as the fix.
TEST(SinkTables, EveryDefaultHasTheAddressKeyword) {
  for (const SinkTable* table : tables())
    for (const Sink& sink : table->sinks)
      if (sink.default_host) {
        EXPECT_FALSE(sink.address.slot.keyword.empty()) << sink.name;
      }
}

TEST(SinkTables, PrefilterGateCoversEveryAssignmentSink) {
  for (const SinkTable* table : tables())
    for (const AssignmentSink& assignment : table->assignments)
      EXPECT_TRUE(gated(assignment.target))
          << assignment.target << " contains none of the gate needles (sinks.cpp gate_needles)";
}

}  // namespace
}  // namespace bindscan::rules::sinks

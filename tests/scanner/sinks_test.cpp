// The sink tables are data; these tests hold the data to its contract:
// unique names, addresses that say where they are, and a prefilter that
// passes every line's calls (a sink it misses would have its files skipped).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "scanner/rules/bind_all_interfaces/binds.h"
#include "scanner/rules/bind_all_interfaces/sinks.h"
#include "scanner/words.h"

namespace bindscan::rules::sinks {
namespace {

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

// The prefilter is derived from the tables: for every sink, the plainest
// code that calls it passes, and the same code with the name only in a
// string or a comment does not.
TEST(SinkTables, PrefilterPassesEverySinkCall) {
  const WordSieve& sieve = binds::sieve();
  auto import_and_call = [](std::string_view qualified) {
    size_t dot = qualified.rfind('.');
    return "import " + std::string(qualified.substr(0, dot)) + "\n" + std::string(qualified) + " (('', 0))\n";
  };
  for (const SinkTable* table : tables())
    for (const Sink& sink : table->sinks) {
      std::string code;
      if (sink.kind == CalleeKind::kMethod) {
        std::string_view cls = sink.name.substr(0, sink.name.rfind('.'));
        code = import_and_call(cls) + "x = " + std::string(cls) + " \\\n  ()\nx  .  " +
               std::string(sink.name.substr(sink.name.rfind('.') + 1)) + "(('', 0))\n";
      } else {
        code = import_and_call(sink.name);
      }
      EXPECT_TRUE(sieve.passes(code)) << sink.name << ":\n" << code;
      std::string quoted = R"(s = ''')" + code + R"('''  # )" + std::string(sink.name) + "\n";
      EXPECT_FALSE(sieve.passes(quoted)) << sink.name << ": names in strings and comments are not code\n" << quoted;
    }
  for (const SinkTable* table : tables())
    for (const AssignmentSink& assignment : table->assignments) {
      std::string code = std::string(assignment.target) + " = '0.0.0.0'\n";
      EXPECT_TRUE(sieve.passes(code)) << assignment.target;
      EXPECT_FALSE(sieve.passes("s = \"" + code.substr(0, code.size() - 1) + "\"\n")) << assignment.target;
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

}  // namespace
}  // namespace bindscan::rules::sinks

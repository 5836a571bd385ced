// Reading the expectations that rule fixtures carry in comments:
//
//   srv = TCPServer(("", 80), H)   # expect: bind-all-interfaces
//   # expect: 17 bind-all-interfaces        (own line: applies to the next code line;
//   srv = TCPServer(("", 80), H)             17 is the 1-based column)
//   # expect-suppressed: bind-all-interfaces   a finding silenced by the line's comment
//   # todo-expect: bind-all-interfaces         a known miss: allowed, not required
//   # todo-ok: bind-all-interfaces             a known false positive: allowed
//
// Comments are found by parsing the fixture, so a string that contains
// "# expect:" cannot fool the harness. Defined in fixture.cpp, free of
// GoogleTest, so that fuzz/expectation_comment_fuzzer.cpp compiles it too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan::testing {

enum class ExpectKind { kFinding, kSuppressed, kTodoFinding, kTodoOk };

struct Expectation {
  ExpectKind kind;
  uint32_t row;                  // 0-based
  std::optional<uint32_t> column;  // 1-based byte column, when given
  std::string rule_id;
};

// The expectations of one fixture, or an error message for a malformed one.
std::vector<Expectation> read_expectations(std::string_view source, std::string& error);

}  // namespace bindscan::testing

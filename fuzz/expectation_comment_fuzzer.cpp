// The comments bindscan reads: suppression_for on arbitrary comment text for
// every rule, and the fixture harness's read_expectations on arbitrary files.
// Neither may crash or throw; a suppression keeps the comment it came from,
// and an expectation names a known rule on a row of the file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scanner/rule.h"
#include "scanner/suppression.h"
#include "tests/scanner/fixture.h"

namespace {

void fail(const char* what) {
  std::fprintf(stderr, "expectation_comment_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // A comment as module.h hands it over: from '#' to the end of the line.
  std::string comment = "#" + std::string(bytes.substr(0, bytes.find('\n')));
  for (const bindscan::Rule& rule : bindscan::all_rules()) {
    auto suppression = bindscan::suppression_for(rule.info, comment);
    if (suppression && suppression->comment.empty()) fail("a suppression without its comment");
    if (suppression && comment.find(suppression->comment) == std::string::npos) fail("the comment was rewritten");
  }

  std::string error;
  auto expectations = bindscan::testing::read_expectations(bytes, error);
  if (!error.empty() && !expectations.empty()) fail("an error and expectations at once");
  uint32_t rows = 0;
  for (char c : bytes) rows += c == '\n';
  for (const auto& e : expectations) {
    if (bindscan::find_rule(e.rule_id) == nullptr) fail("an expectation of an unknown rule");
    if (e.row > rows) fail("an expectation past the last row");
    if (e.column && *e.column == 0) fail("a column that is not 1-based");
  }
  return 0;
}

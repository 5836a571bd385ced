// read_expectations, kept apart from the GoogleTest code so that the fixture
// test and fuzz/expectation_comment_fuzzer.cpp compile the same parser.
#include "tests/scanner/fixture.h"

#include <charconv>
#include <sstream>

#include "scanner/module.h"
#include "scanner/python.h"
#include "scanner/rule.h"

namespace bindscan::testing {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The row of the first line after `row` that holds code (not blank, not only a comment).
uint32_t next_code_row(std::string_view source, uint32_t row) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= source.size();) {
    size_t end = source.find('\n', start);
    lines.push_back(source.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  for (uint32_t r = row + 1; r < lines.size(); ++r) {
    std::string_view line = trim(lines[r]);
    if (!line.empty() && line.front() != '#') return r;
  }
  return row;
}

}  // namespace

std::vector<Expectation> read_expectations(std::string_view source, std::string& error) {
  static constexpr std::pair<std::string_view, ExpectKind> kMarkers[] = {
      {"expect:", ExpectKind::kFinding},
      {"expect-suppressed:", ExpectKind::kSuppressed},
      {"todo-expect:", ExpectKind::kTodoFinding},
      {"todo-ok:", ExpectKind::kTodoOk},
  };
  Parser parser;
  auto tree = parser.parse(source, std::chrono::seconds(10));
  if (!tree) {
    error = "fixture did not parse in time";
    return {};
  }
  Module module(*tree);
  std::vector<Expectation> out;
  for (const Comment& comment : module.comments()) {
    std::string_view text = trim(comment.text.substr(1));
    for (auto [marker, kind] : kMarkers) {
      if (!text.starts_with(marker)) continue;
      uint32_t row = comment.own_line ? next_code_row(source, comment.row) : comment.row;
      std::stringstream items{std::string(text.substr(marker.size()))};
      for (std::string item; std::getline(items, item, ',');) {
        std::stringstream words(item);
        std::string first, second;
        words >> first >> second;
        Expectation e{kind, row, std::nullopt, first};
        if (!second.empty()) {
          // from_chars, not stoul: a column too large for uint32_t is a
          // malformed fixture, not an exception (found by the fuzzer).
          uint32_t column = 0;
          auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), column);
          if (ec != std::errc() || end != first.data() + first.size() || column == 0) {
            error = "row " + std::to_string(comment.row + 1) +
                    ": expected '[COLUMN] RULE' with a 1-based COLUMN, got '" + item + "'";
            return {};
          }
          e.column = column;
          e.rule_id = second;
        }
        if (e.rule_id.empty() || find_rule(e.rule_id) == nullptr) {
          error = "row " + std::to_string(comment.row + 1) + ": unknown rule '" + e.rule_id + "'";
          return {};
        }
        out.push_back(e);
      }
    }
  }
  return out;
}

}  // namespace bindscan::testing

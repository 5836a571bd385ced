// One parametrised test over every fixture of every rule: the fixtures'
// comments say what must be found; anything else found fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scanner/module.h"
#include "scanner/python.h"
#include "scanner/scan.h"
#include "tests/scanner/fixture.h"

namespace bindscan::testing {

namespace fs = std::filesystem;

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
          if (first.find_first_not_of("0123456789") != std::string::npos) {
            error = "row " + std::to_string(comment.row + 1) + ": expected '[COLUMN] RULE', got '" + item + "'";
            return {};
          }
          e.column = static_cast<uint32_t>(std::stoul(first));
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

struct Fixture {
  std::string rule_folder;
  fs::path path;
};

void PrintTo(const Fixture& fixture, std::ostream* out) { *out << fixture.path.string(); }

std::vector<Fixture> all_fixtures() {
  std::vector<Fixture> out;
  fs::path rules = fs::path(BINDSCAN_SOURCE_DIR) / "scanner" / "rules";
  for (const auto& rule : fs::directory_iterator(rules)) {
    if (!fs::is_directory(rule.path() / "fixtures")) continue;
    for (const auto& file : fs::directory_iterator(rule.path() / "fixtures"))
      if (file.path().extension() == ".py") out.push_back({rule.path().filename().string(), file.path()});
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.path < b.path; });
  return out;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class FixtureTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(FixtureTest, FindsExactlyWhatTheCommentsExpect) {
  const Fixture& fixture = GetParam();
  std::string source = read(fixture.path);
  std::string error;
  std::vector<Expectation> expected = read_expectations(source, error);
  ASSERT_TRUE(error.empty()) << fixture.path << ": " << error;

  ScanResult result = Scanner().scan(source);
  std::vector<bool> used(expected.size(), false);
  for (const Finding& finding : result.findings) {
    bool matched = false;
    for (size_t i = 0; i < expected.size() && !matched; ++i) {
      const Expectation& e = expected[i];
      if (used[i] || e.row != finding.span.start.row || e.rule_id != finding.rule_id) continue;
      if (e.column && *e.column != finding.span.start.column + 1) continue;
      bool suppressed = finding.suppression.has_value();
      if ((e.kind == ExpectKind::kFinding && suppressed) || (e.kind == ExpectKind::kSuppressed && !suppressed))
        continue;
      used[i] = matched = true;
    }
    EXPECT_TRUE(matched) << fixture.path.filename().string() << ":" << finding << "\n  unexpected finding";
  }
  for (size_t i = 0; i < expected.size(); ++i) {
    const Expectation& e = expected[i];
    bool required = e.kind == ExpectKind::kFinding || e.kind == ExpectKind::kSuppressed;
    EXPECT_TRUE(used[i] || !required) << fixture.path.filename().string() << ":" << e.row + 1 << ": expected "
                                      << (e.kind == ExpectKind::kSuppressed ? "a suppressed " : "") << e.rule_id
                                      << (e.column ? " at column " + std::to_string(*e.column) : "")
                                      << ", found nothing";
  }
}

TEST_P(FixtureTest, PrefilterLosesNothing) {
  std::string source = read(GetParam().path);
  ScanOptions unfiltered;
  unfiltered.prefilter = false;
  EXPECT_EQ(Scanner(all_rules(), unfiltered).scan(source).findings, Scanner().scan(source).findings);
}

INSTANTIATE_TEST_SUITE_P(Rules, FixtureTest, ::testing::ValuesIn(all_fixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& param) {
                           std::string name = param.param.rule_folder + "_" + param.param.path.stem().string();
                           std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

TEST(FixtureHarness, ReadsColumnsSuppressionsAndOwnLineComments) {
  std::string error;
  auto e = read_expectations(
      "x = 1  # expect: bind-all-interfaces\n"
      "# expect: 5 bind-all-interfaces, bind-all-interfaces\n"
      "\n"
      "y = 2\n"
      "s = '# expect: bind-all-interfaces'\n"
      "z = 3  # expect-suppressed: bind-all-interfaces\n",
      error);
  ASSERT_TRUE(error.empty()) << error;
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].row, 0u);
  EXPECT_EQ(e[1].row, 3u);
  EXPECT_EQ(e[1].column, 5u);
  EXPECT_EQ(e[2].row, 3u);
  EXPECT_EQ(e[3].kind, ExpectKind::kSuppressed);
  EXPECT_EQ(e[3].row, 5u);
}

TEST(FixtureHarness, RejectsUnknownRules) {
  std::string error;
  read_expectations("x = 1  # expect: no-such-rule\n", error);
  EXPECT_NE(error.find("unknown rule"), std::string::npos);
}

}  // namespace bindscan::testing

// One parametrised test over every fixture of every rule: the fixtures'
// comments say what must be found; anything else found fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include "scanner/scan.h"
#include "tests/scanner/fixture.h"
#include "tests/scanner/linked.h"

namespace bindscan::testing {

namespace fs = std::filesystem;

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

// A fixture file is scanned as `bindscan scan FILE` scans it: a project of one
// file under its own name (config files are recognised by name).
ScanResult scan_file(const fs::path& path, const std::string& source, ScanOptions options = {}) {
  return Scanner(all_rules(), options)
      .scan_project({path.filename().string()}, [&](size_t) { return std::optional<std::string_view>(source); })
      .front();
}

TEST_P(FixtureTest, FindsExactlyWhatTheCommentsExpect) {
  const Fixture& fixture = GetParam();
  std::string source = read(fixture.path);
  std::string error;
  std::vector<Expectation> expected = read_expectations(source, error);
  ASSERT_TRUE(error.empty()) << fixture.path << ": " << error;

  ScanResult result = scan_file(fixture.path, source);
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
  EXPECT_EQ(scan_file(GetParam().path, source, unfiltered).findings, scan_file(GetParam().path, source).findings);
}

// The service's way (a summary per file, then the link) gives for a file
// alone exactly what a scan of the file gives: an imported name that no
// other file defines is judged as the scan judges it.
TEST_P(FixtureTest, ASummaryLinkedAloneGivesWhatAScanGives) {
  std::string source = read(GetParam().path);
  std::vector<Finding> scanned = Scanner().scan(source).findings;
  std::sort(scanned.begin(), scanned.end());
  EXPECT_EQ(summarize_and_link({GetParam().path.filename().string()}, {source})[0], scanned);
}

// A folder of fixtures is one project (module names from paths inside it),
// scanned with Scanner::scan_project; each file's comments say what must be
// found in it.
std::vector<Fixture> all_folder_fixtures() {
  std::vector<Fixture> out;
  fs::path rules = fs::path(BINDSCAN_SOURCE_DIR) / "scanner" / "rules";
  for (const auto& rule : fs::directory_iterator(rules)) {
    if (!fs::is_directory(rule.path() / "fixtures")) continue;
    for (const auto& entry : fs::directory_iterator(rule.path() / "fixtures"))
      if (entry.is_directory()) out.push_back({rule.path().filename().string(), entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.path < b.path; });
  return out;
}

struct Project {
  std::vector<std::string> paths;  // relative to the folder
  std::vector<std::string> sources;
};

Project read_project(const fs::path& folder) {
  Project project;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".py")
      project.paths.push_back(entry.path().lexically_relative(folder).generic_string());
  std::sort(project.paths.begin(), project.paths.end());
  for (const std::string& path : project.paths) project.sources.push_back(read(folder / path));
  return project;
}

std::vector<ScanResult> scan_project(const Project& project, ScanOptions options = {}) {
  return Scanner(all_rules(), options)
      .scan_project(project.paths, [&](size_t i) { return std::optional<std::string_view>(project.sources[i]); });
}

class FolderFixtureTest : public ::testing::TestWithParam<Fixture> {};

TEST_P(FolderFixtureTest, FindsExactlyWhatTheCommentsExpectInEachFile) {
  Project project = read_project(GetParam().path);
  ASSERT_FALSE(project.paths.empty());
  std::vector<ScanResult> results = scan_project(project);
  size_t expectations = 0;
  for (size_t f = 0; f < project.paths.size(); ++f) {
    std::string error;
    std::vector<Expectation> expected = read_expectations(project.sources[f], error);
    ASSERT_TRUE(error.empty()) << project.paths[f] << ": " << error;
    expectations += expected.size();
    std::vector<bool> used(expected.size(), false);
    for (const Finding& finding : results[f].findings) {
      bool matched = false;
      for (size_t i = 0; i < expected.size() && !matched; ++i) {
        const Expectation& e = expected[i];
        if (used[i] || e.row != finding.span.start.row || e.rule_id != finding.rule_id) continue;
        if (e.column && *e.column != finding.span.start.column + 1) continue;
        if (e.kind != ExpectKind::kFinding && e.kind != ExpectKind::kTodoOk && e.kind != ExpectKind::kTodoFinding)
          continue;
        used[i] = matched = true;
      }
      EXPECT_TRUE(matched) << project.paths[f] << ":" << finding << "\n  unexpected finding";
      // Related locations in other files name a file of the project.
      for (const RelatedLocation& related : finding.related) {
        if (!related.path.empty()) {
          EXPECT_NE(std::find(project.paths.begin(), project.paths.end(), related.path), project.paths.end())
              << related.path;
        }
      }
    }
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(used[i] || expected[i].kind != ExpectKind::kFinding)
          << project.paths[f] << ":" << expected[i].row + 1 << ": expected " << expected[i].rule_id
          << ", found nothing";
  }
}

// Precision of the service's way: every finding that linked summaries give
// is one the project scan gives, exactly (message, level, hops, fix).
TEST_P(FolderFixtureTest, LinkedSummariesReportNothingTheProjectScanDoesNot) {
  Project project = read_project(GetParam().path);
  std::vector<ScanResult> results = scan_project(project);
  std::vector<std::vector<Finding>> linked = summarize_and_link(project.paths, project.sources);
  for (size_t f = 0; f < project.paths.size(); ++f)
    for (const Finding& finding : linked[f])
      EXPECT_NE(std::find(results[f].findings.begin(), results[f].findings.end(), finding), results[f].findings.end())
          << project.paths[f] << ": " << finding << "\n  found by linked summaries, not by the project scan";
}

TEST_P(FolderFixtureTest, PrefilterLosesNothing) {
  Project project = read_project(GetParam().path);
  ScanOptions unfiltered;
  unfiltered.prefilter = false;
  std::vector<ScanResult> with = scan_project(project), without = scan_project(project, unfiltered);
  for (size_t f = 0; f < project.paths.size(); ++f)
    EXPECT_EQ(with[f].findings, without[f].findings) << project.paths[f];
}

INSTANTIATE_TEST_SUITE_P(Rules, FolderFixtureTest, ::testing::ValuesIn(all_folder_fixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& param) {
                           std::string name = param.param.rule_folder + "_" + param.param.path.filename().string();
                           std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return name;
                         });

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

// Found by fuzz/expectation_comment_fuzzer.cpp: std::stoul threw on a column
// too large for unsigned long, and column 0 was accepted but never matched.
TEST(FixtureHarness, RejectsColumnsThatAreNotOneBasedUint32) {
  for (std::string_view column : {"0", "4294967296", "99999999999999999999", "-1", "+5", "5x"}) {
    std::string error;
    auto e = read_expectations("x = 1  # expect: " + std::string(column) + " bind-all-interfaces\n", error);
    EXPECT_NE(error.find("1-based COLUMN"), std::string::npos) << column;
    EXPECT_TRUE(e.empty()) << column;
  }
  std::string error;
  auto e = read_expectations("x = 1  # expect: 4294967295 bind-all-interfaces\n", error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(e.at(0).column, 4294967295u);
}

TEST(FixtureHarness, RejectsUnknownRules) {
  std::string error;
  read_expectations("x = 1  # expect: no-such-rule\n", error);
  EXPECT_NE(error.find("unknown rule"), std::string::npos);
}

}  // namespace bindscan::testing

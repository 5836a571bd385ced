// --baseline / --write-baseline: matching by fingerprint, baselineState on
// every result, exit status from new findings only, and clear errors for
// files that are not bindscan's SARIF.
#include "sarif/baseline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "tests/cli/run_command.h"
#include "tests/report/report_validator.h"
#include "tests/sarif/sarif_validator.h"

namespace bindscan::sarif {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::sarif_validation_errors;

using cli::testing::Ran;
using cli::testing::scan;
using cli::testing::run_command;

constexpr const char* kOld = "import socketserver\nsocketserver.TCPServer(('', 80), H)\n";

class BaselineScan : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bindscan-baseline-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "src");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative, std::ios::binary) << text;
  }
  std::string read(const std::string& relative) {
    std::ifstream in(dir_ / relative, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::vector<std::string> args(std::vector<std::string> more) {
    std::vector<std::string> all = {"--root", dir_.string(), "--isolated"};
    all.insert(all.end(), more.begin(), more.end());
    all.push_back((dir_ / "src").string());
    return all;
  }
  fs::path dir_;
};

TEST_F(BaselineScan, MovedFindingsStayUnchangedNewOnesFailGoneOnesAreAbsent) {
  write("src/old.py", kOld);
  write("src/gone.py", kOld);
  const std::string baseline = (dir_ / "baseline.sarif").string();
  const Ran first = scan(args({"--write-baseline", baseline}));
  EXPECT_EQ(first.status, cli::kExitFindings);
  EXPECT_THAT(sarif_validation_errors(read("baseline.sarif")), IsEmpty());

  // Lines added above the old finding, a new finding, a fixed file.
  write("src/old.py", "\n\n# a comment\n" + std::string(kOld));
  write("src/new.py", "import http.server\nhttp.server.HTTPServer(('0.0.0.0', 8000), H)\n");
  fs::remove(dir_ / "src/gone.py");
  const Ran compared = scan(args({"--baseline", baseline, "--format", "sarif"}));
  EXPECT_EQ(compared.status, cli::kExitFindings);
  EXPECT_THAT(sarif_validation_errors(compared.out), IsEmpty());
  std::map<std::string, std::string> states;
  const auto log = nlohmann::json::parse(compared.out);
  for (const auto& result : log["runs"][0]["results"]) {
    const std::string uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    states[uri] = result["baselineState"].get<std::string>();
  }
  EXPECT_EQ(states, (std::map<std::string, std::string>{
                        {"src/gone.py", "absent"}, {"src/new.py", "new"}, {"src/old.py", "unchanged"}}));

  // Text lists only the new finding; the summary tells the rest.
  const Ran text = scan(args({"--baseline", baseline}));
  EXPECT_THAT(text.out, HasSubstr("src/new.py:2"));
  EXPECT_THAT(text.out, ::testing::Not(HasSubstr("old.py")));
  EXPECT_THAT(text.err, HasSubstr("against the baseline: 1 new, 1 unchanged, 1 absent"));

  // JSON carries the states and the counts, and stays valid.
  const Ran json = scan(args({"--baseline", baseline, "--format", "json"}));
  const auto check = report::testing::check_report("json", json.out);
  EXPECT_THAT(check.errors, IsEmpty());
  EXPECT_EQ(check.parsed["summary"]["new"], 1);
  EXPECT_EQ(check.parsed["summary"]["absent"], 1);

  // Only new findings count: without the new file the scan passes.
  fs::remove(dir_ / "src/new.py");
  EXPECT_EQ(scan(args({"--baseline", baseline})).status, cli::kExitClean);
}

TEST_F(BaselineScan, BadBaselinesAreClearErrorsAndNothingIsScanned) {
  write("src/a.py", kOld);
  const auto fails = [&](const std::string& content, const std::string& expected) {
    write("bad.sarif", content);
    const Ran ran = scan(args({"--baseline", (dir_ / "bad.sarif").string()}));
    EXPECT_EQ(ran.status, cli::kExitError) << content;
    EXPECT_THAT(ran.err, HasSubstr((dir_ / "bad.sarif").string() + ": " + expected)) << content;
    EXPECT_THAT(ran.out, IsEmpty());
  };
  fails("not json at all", "not JSON");
  fails(R"({"version": "2.0.0", "runs": []})", "not a SARIF 2.1.0 log");
  fails(R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL"}}, "results": []}]})",
        "from another tool (CodeQL), not bindscan");
  fails(R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "bindscan"}}, "results": [{"ruleId": "x"}]}]})",
        "a result without ruleId, a location uri or partialFingerprints.primaryLocationLineHash");
  const Ran missing = scan(args({"--baseline", (dir_ / "missing.sarif").string()}));
  EXPECT_EQ(missing.status, cli::kExitError);
  EXPECT_THAT(missing.err, HasSubstr("cannot read the baseline"));
}

TEST(Baseline, EmptyBaselineMakesEverythingNew) {
  auto parsed = parse_baseline(
      R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "bindscan"}}, "results": []}]})", "b.sarif");
  ASSERT_TRUE(parsed);
  SarifLog log;
  LocatedFinding located;
  located.finding.rule_id = "bind-all-interfaces";
  located.line_hash = "abc:1";
  log.files.push_back({"a.py", {located}});
  const BaselineCounts counts = compare_with_baseline(log, *parsed);
  EXPECT_EQ(counts.new_findings, 1);
  EXPECT_EQ(log.files[0].findings[0].baseline_state, "new");
}

}  // namespace
}  // namespace bindscan::sarif

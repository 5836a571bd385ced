// Every report format, checked by its consumer's schema or parser
// (report_validator.h), on findings whose text tries to break out of each
// format's quoting; plus what each consumer must read back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "tests/cli/run_command.h"
#include "report/report.h"
#include "tests/report/report_validator.h"
#include "tests/sarif/sarif_test_util.h"
#include "tests/sarif/sarif_validator.h"

namespace bindscan::report {
namespace {

using testing::check_report;
using ::testing::IsEmpty;

constexpr std::string_view kSource = "import socketserver\nsocketserver.TCPServer((\"\", 80), H)\n";
// "é" is 2 bytes and 1 UTF-16 unit: byte and UTF-16 columns differ after it.
constexpr std::string_view kAccented =
    "import socketserver\nx = 'é'; socketserver.TCPServer((\"0.0.0.0\", 80), "
    "H)\n";
// Characters each format must escape: Azure's % ; ], GitHub's % : ,, XML's < &
// " ', a line break, a tab, a control character and a byte that is not UTF-8.
const std::string kHostileMessage =
    "100% of ; interfaces ] <all> & \"quoted\" "
    "'x', a:b\nnext\tline \x01 \xff end";

RuleInfo rule_with_level(Level level) {
  RuleInfo rule = sarif::testing::test_rule();
  rule.default_level = level;
  return rule;
}

Report sample_report(bool show_suppressed) {
  using sarif::testing::finding_at;
  Report report;
  report.log.rules.push_back(rule_with_level(Level::kError));
  Finding hostile = finding_at(kSource, "\"\"", kHostileMessage);
  hostile.related.push_back({sarif::testing::span_of(kSource, "80"), "the port <here>"});
  hostile.fix = Fix{"Bind to loopback", {{hostile.span, "\"127.0.0.1\""}}};
  Finding allowed = finding_at(kAccented, "\"0.0.0.0\"", "bound to 0.0.0.0");
  allowed.suppression = Suppression{SuppressionKind::kConfig, "container entrypoint; see ]docs[ 100%"};
  Finding accented = finding_at(kAccented, "\"0.0.0.0\"", "bound to 0.0.0.0 again");
  accented.fix = Fix{"Bind to loopback", {{accented.span, "\"127.0.0.1\""}}};
  report.log.files.push_back({"app/my server, one.py", sarif::locate(kSource, std::vector{hostile})});
  report.log.files.push_back({"ünï/côde.py", sarif::locate(kAccented, std::vector{allowed, accented})});
  report.log.notifications.push_back({"big.py", "skipped big.py: too large", Level::kWarning});
  report.files_scanned = 3;
  report.show_suppressed = show_suppressed;
  return report;
}

std::string write(std::string_view format, const Report& report) {
  const Format* f = find_format(format);
  if (f == nullptr) throw std::invalid_argument("no format " + std::string(format));
  return f->write(report);
}

TEST(ReportFormats, RegistryIsSortedUniqueAndComplete) {
  std::vector<std::string_view> names;
  for (const Format& f : all_formats()) {
    names.push_back(f.name);
    EXPECT_NE(f.write, nullptr) << f.name;
    EXPECT_FALSE(f.summary.empty()) << f.name;
  }
  EXPECT_TRUE(std::ranges::is_sorted(names));
  EXPECT_EQ(std::ranges::adjacent_find(names), names.end());
  EXPECT_THAT(names,
              ::testing::IsSupersetOf({"azure", "github", "gitlab", "json", "junit", "rdjson", "sarif", "text"}));
  EXPECT_EQ(find_format("xml"), nullptr);
}

class ValidatedFormat : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidatedFormat, HostileTextAndEmptyReportsPassTheConsumersCheck) {
  for (bool show_suppressed : {false, true}) {
    SCOPED_TRACE(show_suppressed ? "with suppressed" : "without suppressed");
    const auto check = check_report(GetParam(), write(GetParam(), sample_report(show_suppressed)));
    EXPECT_THAT(check.errors, IsEmpty());
  }
  Report empty;
  empty.log.rules.push_back(sarif::testing::test_rule());
  EXPECT_THAT(check_report(GetParam(), write(GetParam(), empty)).errors, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Consumers, ValidatedFormat, ::testing::Values("azure", "gitlab", "json", "junit", "rdjson"));

TEST(ReportFormats, SarifWithExternalSuppressionPassesTheSarifValidator) {
  const std::string sarif = write("sarif", sample_report(true));
  EXPECT_THAT(sarif::testing::sarif_validation_errors(sarif), IsEmpty());
  const auto log = nlohmann::json::parse(sarif);
  std::vector<std::string> kinds;
  for (const auto& result : log["runs"][0]["results"])
    for (const auto& s : result["suppressions"])
      kinds.push_back(s["kind"].get<std::string>() + ": " + s["justification"].get<std::string>());
  EXPECT_THAT(kinds, ::testing::ElementsAre("external: container entrypoint; see ]docs[ 100%"));
  // Without --show-suppressed the allowed finding is not in the upload at all.
  EXPECT_EQ(nlohmann::json::parse(write("sarif", sample_report(false)))["runs"][0]["results"].size(), 2u);
}

TEST(ReportFormats, AzureParserReadsBackEveryFieldUnchanged) {
  const auto check = check_report("azure", write("azure", sample_report(true)));
  ASSERT_THAT(check.errors, IsEmpty());
  ASSERT_EQ(check.parsed.size(), 3u);
  const auto& first = check.parsed[0];
  EXPECT_EQ(first["properties"]["sourcepath"], "app/my server, one.py");
  EXPECT_EQ(first["properties"]["type"], "error");  // the rule's level
  EXPECT_EQ(first["properties"]["linenumber"], "2");
  EXPECT_EQ(first["properties"]["columnnumber"], "25");
  EXPECT_EQ(first["properties"]["code"], "bind-all-interfaces");
  // The parser turns the escapes back into the message (invalid UTF-8 became
  // U+FFFD).
  std::string expected = kHostileMessage;
  expected.replace(expected.find('\xff'), 1, "\xEF\xBF\xBD");
  EXPECT_EQ(first["message"], expected);
  EXPECT_THAT(check.parsed[1]["plain"].get<std::string>(),
              ::testing::StartsWith("suppressed: ünï/côde.py:2:34: bind-all-interfaces bound to 0.0.0.0 "
                                    "[suppressed: container entrypoint; see ]docs[ 100%]"));
}

TEST(ReportFormats, RdjsonColumnsAreUtf8BytesAndFixesAreSuggestions) {
  const auto check = check_report("rdjson", write("rdjson", sample_report(false)));
  ASSERT_THAT(check.errors, IsEmpty());
  const auto& diagnostics = check.parsed["diagnostics"];
  ASSERT_EQ(diagnostics.size(), 2u);
  const auto& accented = diagnostics[1];
  EXPECT_EQ(accented["location"]["path"], "ünï/côde.py");
  // `x = 'é'; socketserver.TCPServer((` is 34 bytes (33 UTF-16 units) before
  // the host.
  EXPECT_EQ(accented["location"]["range"]["start"], (nlohmann::json{{"line", 2}, {"column", 35}}));
  EXPECT_EQ(accented["location"]["range"]["end"], (nlohmann::json{{"line", 2}, {"column", 44}}));
  EXPECT_EQ(accented["suggestions"][0]["text"], "\"127.0.0.1\"");
  EXPECT_EQ(accented["suggestions"][0]["range"], accented["location"]["range"]);
  EXPECT_EQ(diagnostics[0]["severity"], "ERROR");
}

TEST(ReportFormats, JunitHasAFailurePerFindingAndSkipsSuppressedOnes) {
  const auto check = check_report("junit", write("junit", sample_report(true)));
  ASSERT_THAT(check.errors, IsEmpty());
  ASSERT_EQ(check.parsed["suites"].size(), 2u);
  EXPECT_EQ(check.parsed["suites"][0]["cases"].size() + check.parsed["suites"][1]["cases"].size(), 3u);
  EXPECT_EQ(check.parsed["failed"], 2);
  EXPECT_EQ(check.parsed["suites"][1]["cases"][0]["status"], "SKIP");
  EXPECT_EQ(check.parsed["suites"][0]["name"], "app/my server, one.py");
  Report empty;
  const auto clean = check_report("junit", write("junit", empty));
  EXPECT_EQ(clean.parsed["total"], 1);
  EXPECT_EQ(clean.parsed["status"], "PASS");
}

TEST(ReportFormats, GitlabFingerprintsSurviveLineMovesAndTellFindingsApart) {
  const auto issues = nlohmann::json::parse(write("gitlab", sample_report(true)));
  ASSERT_EQ(issues.size(),
            2u);  // the allowed finding is never in a GitLab report
  EXPECT_EQ(issues[0]["severity"], "critical");
  EXPECT_EQ(issues[0]["location"]["lines"]["begin"], 2);
  // Two blank lines added above: the lines move, the fingerprint stays.
  const std::string moved_source = "\n\n" + std::string(kSource);
  Report moved;
  moved.log.rules.push_back(sarif::testing::test_rule());
  moved.log.files.push_back(
      {"app/my server, one.py",
       sarif::locate(moved_source, std::vector{sarif::testing::finding_at(moved_source, "\"\"", kHostileMessage)})});
  const auto moved_issues = nlohmann::json::parse(write("gitlab", moved));
  EXPECT_EQ(moved_issues[0]["location"]["lines"]["begin"], 4);
  EXPECT_EQ(moved_issues[0]["fingerprint"], issues[0]["fingerprint"]);
  EXPECT_NE(issues[0]["fingerprint"], issues[1]["fingerprint"]);
}

TEST(ReportFormats, JsonCarriesSuppressionsNotificationsAndSummary) {
  const auto check = check_report("json", write("json", sample_report(true)));
  ASSERT_THAT(check.errors, IsEmpty());
  const auto& doc = check.parsed;
  EXPECT_EQ(doc["schema_version"], 1);
  EXPECT_EQ(doc["summary"]["findings"], 2);
  EXPECT_EQ(doc["summary"]["suppressed"], 1);
  EXPECT_EQ(doc["findings"][1]["suppression"]["kind"], "external");
  EXPECT_EQ(doc["findings"][1]["suppression"]["justification"], "container entrypoint; see ]docs[ 100%");
  EXPECT_EQ(doc["notifications"][0]["path"], "big.py");
}

TEST(ReportFormats, GithubCommandsUseTheRulesLevel) {
  const std::string out = write("github", sample_report(false));
  EXPECT_THAT(out, ::testing::StartsWith("::error file=app/my server%2C one.py,line=2,col=25,"));
  EXPECT_THAT(out, ::testing::HasSubstr("::100%25 of ; interfaces ] <all>"));
}

// ---- Through `bindscan scan` ----

namespace fs = std::filesystem;

using cli::testing::Ran;
using cli::testing::scan;
using cli::testing::run_command;

class ScanFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bindscan-formats-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "app");
    std::ofstream(dir_ / "app/server.py") << kSource;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::ranges::sort(names);
    return names;
  }
  fs::path dir_;
};

TEST_F(ScanFormats, EveryFormatWritesItsFileWhole) {
  for (const Format& format : all_formats()) {
    SCOPED_TRACE(format.name);
    const fs::path output = dir_ / "out" / ("report." + std::string(format.name));
    fs::create_directories(output.parent_path());
    const Ran ran =
        scan({"--format", std::string(format.name), "--root", dir_.string(), "-o", output.string(), dir_.string()});
    EXPECT_EQ(ran.status, cli::kExitFindings) << ran.err;
    EXPECT_TRUE(ran.out.empty());
    std::ifstream in(output);
    std::ostringstream text;
    text << in.rdbuf();
    EXPECT_THAT(text.str(), ::testing::HasSubstr("server.py"));
    if (format.name != "text" && format.name != "github" && format.name != "sarif") {
      EXPECT_THAT(check_report(std::string(format.name), text.str()).errors, IsEmpty());
    }
  }
  // No temporary files are left next to the reports.
  EXPECT_EQ(files_in(dir_ / "out").size(), all_formats().size());
}

TEST_F(ScanFormats, UnwritableOutputIsAClearErrorBeforeScanning) {
  // A folder that cannot be created: a file stands where it would be.
  const fs::path blocked = dir_ / "app" / "server.py" / "report.json";
  const Ran ran = scan({"--format", "json", "-o", blocked.string(), dir_.string()});
  EXPECT_EQ(ran.status, cli::kExitError);
  EXPECT_THAT(ran.err, ::testing::HasSubstr("cannot create the folder of " + blocked.string()));
  EXPECT_THAT(ran.err, ::testing::Not(::testing::HasSubstr("finding")));  // nothing was scanned
  // An output path that is a directory: the rename fails, the directory and
  // its neighbours are untouched and no temporary file is left.
  fs::create_directories(dir_ / "out" / "taken");
  const Ran onto_dir = scan({"--format", "json", "-o", (dir_ / "out" / "taken").string(), dir_.string()});
  EXPECT_EQ(onto_dir.status, cli::kExitError);
  EXPECT_THAT(onto_dir.err, ::testing::HasSubstr("taken"));
  EXPECT_THAT(files_in(dir_ / "out"), ::testing::ElementsAre("taken"));
}

TEST_F(ScanFormats, UnknownFormatSuggestsTheNearestName) {
  const Ran ran = scan({"--format", "gitlb", dir_.string()});
  EXPECT_EQ(ran.status, cli::kExitError);
  EXPECT_THAT(ran.err, ::testing::HasSubstr("did you mean 'gitlab'"));
}

}  // namespace
}  // namespace bindscan::report

// The SARIF writer: a golden document plus focused checks.
//
// Golden file: tests/sarif/golden/full.sarif. After an intended change to the
// output, regenerate it and review the diff:
//   BINDSCAN_UPDATE_GOLDEN=1 build/release/unit_tests --gtest_filter='SarifGoldenTest.*'
#include "sarif/writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/sarif/sarif_test_util.h"

namespace bindscan::sarif {
namespace {

using ::testing::ElementsAre;
using testing::finding_at;
using testing::span_of;
using testing::test_rule;
using Json = nlohmann::ordered_json;

constexpr std::string_view kServer =
    "import socket\n"
    "\n"
    "HOST = \"0.0.0.0\"  # listen everywhere\n"
    "\n"
    "def serve():\n"
    "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
    "    s.bind((HOST, 8080))\n"
    "    print(\"\u00e9t\u00e9 \U0001F600\"); srv = socket.create_server((\"\", 8000))\n";

constexpr std::string_view kScript =
    "from flask import Flask\n"
    "app = Flask(__name__)\n"
    "app.run(host=\"::\")  # nosec B104\n"
    "app.run(host=\"0.0.0.0\", port=80)\n";

std::vector<LocatedFinding> server_findings() {
  Finding via_variable =
      finding_at(kServer, "HOST, 8080", "Binding to 'HOST' = '0.0.0.0' listens on every interface");
  via_variable.span = span_of(kServer, "HOST", 1);
  via_variable.related.push_back({span_of(kServer, "\"0.0.0.0\""), "'HOST' is set to '0.0.0.0' here"});
  via_variable.fix = Fix{"Bind to 127.0.0.1", {{span_of(kServer, "\"0.0.0.0\""), "\"127.0.0.1\""}}};
  const Finding empty_host =
      finding_at(kServer, "\"\"", "Binding to '' (all interfaces) listens on every interface");
  return locate(kServer, std::vector<Finding>{empty_host, via_variable});
}

std::vector<LocatedFinding> script_findings() {
  Finding suppressed = finding_at(kScript, "\"::\"", "Binding to '::' listens on every interface");
  suppressed.suppression = Suppression{SuppressionKind::kNosec, "# nosec B104"};
  const Finding open = finding_at(kScript, "\"0.0.0.0\"", "Binding to '0.0.0.0' listens on every interface");
  return locate(kScript, std::vector<Finding>{suppressed, open});
}

// Everything the writer can express. Files are listed out of order on purpose.
SarifLog full_log() {
  SarifLog log;
  log.tool_version = "0.0.0-test";
  log.rules = {test_rule()};
  log.files = {{"tools/run app.py", script_findings()}, {"src/server.py", server_findings()}};
  log.notifications = {{"vendor/broken.py", "Could not read file: permission denied", Level::kError},
                       {"", "Parsing stopped after the timeout in 1 file", Level::kWarning}};
  log.version_control = VersionControl{"https://github.com/octo/app",
                                       "0123456789abcdef0123456789abcdef01234567", "refs/heads/main"};
  log.source_root_uri = "file:///srv/checkouts/octo/app";
  log.start_time_utc = "2024-05-01T12:00:00Z";
  log.end_time_utc = "2024-05-01T12:00:01Z";
  return log;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void expect_golden(const std::string& actual, const std::string& name) {
  const std::filesystem::path path = std::filesystem::path(BINDSCAN_SOURCE_DIR) / "tests/sarif/golden" / name;
  if (const char* update = std::getenv("BINDSCAN_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; see the top of " << __FILE__;
  EXPECT_EQ(actual, read_file(path)) << "SARIF differs from " << path
                                     << "; if intended, regenerate it as the top of " << __FILE__ << " says";
}

TEST(SarifGoldenTest, FullDocument) {
  expect_golden(write_sarif(full_log()), "full.sarif");
}

TEST(SarifGoldenTest, FullDocumentWithSuppressions) {
  SarifLog log = full_log();
  log.include_suppressed = true;
  expect_golden(write_sarif(log), "full_with_suppressions.sarif");
}

TEST(SarifWriterTest, DefaultsAndRequiredFields) {
  SarifLog log;
  log.rules = {test_rule()};
  const Json doc = Json::parse(write_sarif(log));
  EXPECT_EQ(doc["$schema"], kSchemaUri);
  EXPECT_EQ(doc["version"], "2.1.0");
  ASSERT_EQ(doc["runs"].size(), 1u);
  const Json& run = doc["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "bindscan");
  EXPECT_EQ(run["tool"]["driver"]["semanticVersion"], BINDSCAN_VERSION);
  EXPECT_EQ(run["automationDetails"]["id"], "bindscan/python/");
  EXPECT_EQ(run["columnKind"], "utf16CodeUnits");
  EXPECT_EQ(run["results"], Json::array());
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
  EXPECT_FALSE(run.contains("originalUriBaseIds"));
  const Json& rule = run["tool"]["driver"]["rules"][0];
  EXPECT_EQ(rule["properties"]["tags"], Json::array({"security", "external/cwe/cwe-1327"}));
  EXPECT_EQ(rule["properties"]["security-severity"], "6.5");  // a string, not a number
  EXPECT_EQ(rule["help"]["markdown"], test_rule().documentation);
  EXPECT_EQ(rule["helpUri"],
            "https://github.com/bindscan/bindscan/blob/main/scanner/rules/bind_all_interfaces/doc.md");
}

TEST(SarifWriterTest, ResultsAreSortedAndComplete) {
  const Json run = Json::parse(write_sarif(full_log()))["runs"][0];
  std::vector<std::string> order;
  for (const Json& result : run["results"]) {
    const Json& location = result["locations"][0]["physicalLocation"];
    order.push_back(location["artifactLocation"]["uri"].get<std::string>() + ":" +
                    location["region"]["startLine"].dump());
  }
  EXPECT_THAT(order, ElementsAre("src/server.py:7", "src/server.py:8", "tools/run%20app.py:4"));

  const Json& result = run["results"][0];
  EXPECT_EQ(result["ruleIndex"], 0);
  EXPECT_EQ(result["level"], "warning");
  EXPECT_EQ(result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(result["relatedLocations"][0]["id"], 1);
  EXPECT_EQ(result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
            "\"127.0.0.1\"");
  EXPECT_TRUE(result["partialFingerprints"]["primaryLocationLineHash"].get<std::string>().ends_with(":1"));
  EXPECT_FALSE(result.contains("suppressions"));
  // Line 8 starts with four spaces and `print("été 😀"); srv = socket.create_server((`.
  EXPECT_EQ(run["results"][1]["locations"][0]["physicalLocation"]["region"]["startColumn"], 50);
  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///srv/checkouts/octo/app/");
}

TEST(SarifWriterTest, SuppressedFindingsAreLeftOutByDefault) {
  const std::string text = write_sarif(full_log());
  EXPECT_EQ(Json::parse(text)["runs"][0]["results"].size(), 3u);
  EXPECT_EQ(text.find("suppressions"), std::string::npos);
  EXPECT_EQ(text.find("'::'"), std::string::npos);
}

TEST(SarifWriterTest, SuppressedFindingsIncludedOnRequest) {
  SarifLog log = full_log();
  log.include_suppressed = true;
  const Json results = Json::parse(write_sarif(log))["runs"][0]["results"];
  ASSERT_EQ(results.size(), 4u);
  int suppressed = 0;
  for (const Json& result : results) {
    ASSERT_TRUE(result.contains("suppressions")) << "SARIF wants the array on every result";
    if (result["suppressions"].empty()) continue;
    ++suppressed;
    EXPECT_EQ(result["suppressions"],
              Json::parse(R"([{"kind": "inSource", "justification": "# nosec B104"}])"));
  }
  EXPECT_EQ(suppressed, 1);
}

// The service's uploads: findings allowed by configuration go up (their
// alerts are then dismissed), in-source suppressions stay out.
TEST(SarifWriterTest, ConfigAllowedFindingsIncludedForTheService) {
  SarifLog log = full_log();
  log.files[1].findings[0].finding.suppression = Suppression{SuppressionKind::kConfig, "container entrypoint"};
  log.include_config_suppressed = true;
  const std::string text = write_sarif(log);
  const Json results = Json::parse(text)["runs"][0]["results"];
  ASSERT_EQ(results.size(), 3u);  // the nosec one is left out
  EXPECT_EQ(text.find("# nosec B104"), std::string::npos);
  int external = 0;
  for (const Json& result : results) {
    ASSERT_TRUE(result.contains("suppressions")) << "SARIF wants the array on every result";
    if (result["suppressions"].empty()) continue;
    ++external;
    EXPECT_EQ(result["suppressions"],
              Json::parse(R"([{"kind": "external", "justification": "container entrypoint"}])"));
  }
  EXPECT_EQ(external, 1);
}

TEST(SarifWriterTest, InvalidUtf8AnywhereStillGivesValidJson) {
  SarifLog log = full_log();
  log.files[1].findings[0].finding.message = "bad \xff\xfe message \xe2\x82";
  log.files[1].findings[0].finding.fix = Fix{"\xc3", {{{}, "\x80"}}};
  log.files[1].findings[0].fix_regions = {Region{}};
  log.files[1].path = "src/\xff.py";
  log.notifications[0].message = "unreadable: \xc0\xaf";
  log.version_control->branch = "refs/heads/\xff";
  const std::string text = write_sarif(log);
  Json doc;
  ASSERT_NO_THROW(doc = Json::parse(text));  // strict: rejects invalid UTF-8
  bool found = false;
  for (const Json& result : doc["runs"][0]["results"]) {
    if (result["message"]["text"] == "bad \uFFFD\uFFFD message \uFFFD") found = true;
  }
  EXPECT_TRUE(found) << text;
  EXPECT_NE(text.find("src/%FF.py"), std::string::npos);
}

TEST(SarifWriterTest, ControlCharactersAreEscaped) {
  SarifLog log;
  log.rules = {test_rule()};
  LocatedFinding located;
  located.finding.rule_id = "bind-all-interfaces";
  located.finding.message = std::string("nul \0 tab \t quote \" backslash \\ bell \a", 38);
  log.files = {{"a.py", {located}}};
  const Json doc = Json::parse(write_sarif(log));
  EXPECT_EQ(doc["runs"][0]["results"][0]["message"]["text"], located.finding.message);
}

TEST(SarifWriterTest, UnknownRuleAndEmptyMessage) {
  SarifLog log;
  log.rules = {test_rule()};
  LocatedFinding unknown;
  unknown.finding.rule_id = "no-such-rule";
  LocatedFinding unnamed;
  unnamed.finding.rule_id = "bind-all-interfaces";
  log.files = {{"a.py", {unknown, unnamed}}};
  const Json results = Json::parse(write_sarif(log))["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[1].contains("ruleIndex"));
  EXPECT_EQ(results[1]["message"]["text"], "no-such-rule");
  EXPECT_EQ(results[0]["message"]["text"], test_rule().short_description);
  EXPECT_FALSE(results[0].contains("partialFingerprints"));  // no line_hash given
}

TEST(SarifWriterTest, OutputIsDeterministic) {
  EXPECT_EQ(write_sarif(full_log()), write_sarif(full_log()));
  SarifLog reversed = full_log();
  std::reverse(reversed.files.begin(), reversed.files.end());
  for (FileResults& file : reversed.files) std::reverse(file.findings.begin(), file.findings.end());
  EXPECT_EQ(write_sarif(reversed), write_sarif(full_log()));
}

TEST(SarifWriterTest, PathToUri) {
  EXPECT_EQ(path_to_uri("src/app/server.py"), "src/app/server.py");
  EXPECT_EQ(path_to_uri("./src/my app.py"), "src/my%20app.py");
  EXPECT_EQ(path_to_uri("/abs//x.py"), "abs//x.py");
  EXPECT_EQ(path_to_uri("a#b?c%d[e]:f@g!h&i+j=k,l;m'n(o)p*q$r"),
            "a%23b%3Fc%25d%5Be%5D%3Af%40g%21h%26i%2Bj%3Dk%2Cl%3Bm%27n%28o%29p%2Aq%24r");
  EXPECT_EQ(path_to_uri("dir\\x.py"), "dir%5Cx.py");
  EXPECT_EQ(path_to_uri("caf\u00e9.py"), "caf%C3%A9.py");
  EXPECT_EQ(path_to_uri("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(SarifWriterTest, DirectoryFileUri) {
  EXPECT_EQ(directory_file_uri("/srv/my repo"), "file:///srv/my%20repo/");
  EXPECT_EQ(directory_file_uri("/srv/checkout/"), "file:///srv/checkout/");
  EXPECT_EQ(directory_file_uri("/"), "file:///");
}

TEST(SarifWriterTest, FileOutsideTheSourceRootGetsAnAbsoluteUriWithoutBase) {
  SarifLog log;
  log.rules = {test_rule()};
  log.source_root_uri = "file:///src/";
  constexpr std::string_view kSource = "srv.bind(('', 1))\n";
  log.files = {{"/extra/a,b.py", locate(kSource, std::vector{finding_at(kSource, "''", "bound")})},
               {"app/c.py", locate(kSource, std::vector{finding_at(kSource, "''", "bound")})}};
  log.notifications = {{"/extra/big.py", "skipped", Level::kWarning}};
  const Json sarif = Json::parse(write_sarif(log));
  const Json& results = sarif["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  const Json outside = results[1]["locations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(outside, Json::parse(R"({"uri": "file:///extra/a%2Cb.py"})"));
  const Json inside = results[0]["locations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(inside, Json::parse(R"({"uri": "app/c.py", "uriBaseId": "%SRCROOT%"})"));
  EXPECT_EQ(sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
                 ["artifactLocation"],
            Json::parse(R"({"uri": "file:///extra/big.py"})"));
  EXPECT_EQ(absolute_file_uri("/srv/my repo/x.py"), "file:///srv/my%20repo/x.py");
}

TEST(SarifWriterTest, SarifLevels) {
  EXPECT_EQ(sarif_level(Level::kNote), "note");
  EXPECT_EQ(sarif_level(Level::kWarning), "warning");
  EXPECT_EQ(sarif_level(Level::kError), "error");
}

}  // namespace
}  // namespace bindscan::sarif

// Our SARIF against the official validator with SARIF and GitHub rules
// (reference §5). Needs the validator: `scripts/dev test` installs it.
#include "tests/sarif/sarif_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sarif/writer.h"
#include "scanner/rule.h"
#include "scanner/scan.h"
#include "tests/sarif/sarif_test_util.h"

namespace bindscan::sarif {
namespace {

using testing::finding_at;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::sarif_validation_errors;
using testing::span_of;
using testing::test_rule;

constexpr std::string_view kSource =
    "import socket\n"
    "HOST = \"0.0.0.0\"  # caf\u00e9\r\n"
    "s = socket.socket()\n"
    "s.bind((HOST, 80))\n"
    "print(\"\U0001F600\"); socket.create_server((\"\", 8000))  # nosec\n"
    "app.run(host=\"::\")\n";

SarifLog log_with_everything() {
  Finding via_variable =
      finding_at(kSource, "HOST, 80", "Binding to 'HOST' = '0.0.0.0' listens on every interface");
  via_variable.span = span_of(kSource, "HOST", 1);
  via_variable.related.push_back({span_of(kSource, "\"0.0.0.0\""), "'HOST' is set here"});
  via_variable.fix = Fix{"Bind to 127.0.0.1", {{span_of(kSource, "\"0.0.0.0\""), "\"127.0.0.1\""}}};
  Finding non_ascii_line = finding_at(kSource, "\"\"", "Binding to '' listens on every interface");
  non_ascii_line.suppression = Suppression{SuppressionKind::kNosec, "# nosec"};
  Finding ipv6 = finding_at(kSource, "\"::\"", "Binding to '::' listens on every interface");
  ipv6.fix = Fix{"Bind to ::1", {{span_of(kSource, "::"), "::1"}}};

  SarifLog log;
  log.rules = {test_rule()};
  log.files = {
      {"src/my server.py", locate(kSource, std::vector<Finding>{via_variable, non_ascii_line, ipv6})},
      {"src/other.py", locate(kSource, std::vector<Finding>{ipv6})}};
  log.notifications = {{"src/unreadable.py", "Could not read file", Level::kError}};
  log.version_control = VersionControl{"https://github.com/octo/app",
                                       "0123456789abcdef0123456789abcdef01234567", "refs/heads/main"};
  log.source_root_uri = "file:///srv/checkout/";
  log.start_time_utc = "2024-05-01T12:00:00Z";
  log.end_time_utc = "2024-05-01T12:00:01Z";
  return log;
}

TEST(SarifValidatorTest, FullLogIsValid) {
  EXPECT_THAT(sarif_validation_errors(write_sarif(log_with_everything())), IsEmpty());
}

TEST(SarifValidatorTest, LogWithSuppressionsIsValid) {
  SarifLog log = log_with_everything();
  log.include_suppressed = true;
  log.source_root_uri.clear();
  log.version_control.reset();
  EXPECT_THAT(sarif_validation_errors(write_sarif(log)), IsEmpty());
}

TEST(SarifValidatorTest, EmptyLogIsValid) {
  SarifLog log;
  log.rules = {test_rule()};
  EXPECT_THAT(sarif_validation_errors(write_sarif(log)), IsEmpty());
}

// The shipped rules' metadata (doc.md as help, severities) over a real scan.
TEST(SarifValidatorTest, RealRulesAndScanAreValid) {
  SarifLog log;
  std::vector<Finding> findings = Scanner().scan(kSource).findings;
  for (const Rule& rule : all_rules()) {
    log.rules.push_back(rule.info);
    findings.push_back(finding_at(kSource, "\"::\"", "Hand-made finding", std::string(rule.info.id)));
  }
  log.files = {{"src/my server.py", locate(kSource, findings)}};
  log.include_suppressed = true;
  EXPECT_THAT(sarif_validation_errors(write_sarif(log)), IsEmpty());
}

// Guards the helper itself: a broken file must produce errors.
TEST(SarifValidatorTest, ReportsErrors) {
  const auto errors =
      sarif_validation_errors(R"({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
    "results": [{"ruleId": "r", "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"},
    "region": {"startLine": 0}}}]}]}]})");
  EXPECT_THAT(errors, Not(IsEmpty()));
}

}  // namespace
}  // namespace bindscan::sarif

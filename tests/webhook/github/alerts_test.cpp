// sync_alerts (webhook/github/alerts.h) against the fake GitHub, whose alerts
// come from SARIF uploaded through the real client.
#include "webhook/github/alerts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/webhook/github/fake_github.h"

namespace bindscan::webhook {
namespace {

using bindscan::testing::FakeGitHub;
using nlohmann::json;

constexpr char kToken[] = "ghs_alertsTokenQ3";
constexpr char kSha[] = "0123456789abcdef0123456789abcdef01234567";
constexpr char kRef[] = "refs/heads/main";
constexpr char kRule[] = "bind-all-interfaces";

struct Result {
  std::string path;
  int line;
};

std::string sarif_of(const std::vector<Result>& results) {
  json out = json::array();
  for (const Result& r : results) {
    out.push_back({{"ruleId", kRule},
                   {"message", {{"text", "bound to all interfaces"}}},
                   {"locations",
                    json::array({{{"physicalLocation",
                                   {{"artifactLocation", {{"uri", r.path}}}, {"region", {{"startLine", r.line}}}}}}})},
                   {"partialFingerprints", {{"primaryLocationLineHash", r.path + ":" + std::to_string(r.line)}}}});
  }
  return json{
      {"version", "2.1.0"},
      {"runs",
       json::array({{{"tool", {{"driver", {{"name", "bindscan"}, {"rules", json::array()}}}}}, {"results", out}}})}}
      .dump();
}

AlertKey key(const std::string& path, int line) { return {kRule, path, line}; }

AllowedFinding allowed(const std::string& path, int line, std::string reason = std::string(kWontFix),
                       std::string why = "container entrypoint") {
  return {key(path, line), std::move(reason), dismissed_comment(".bindscan.toml:3", why)};
}

class AlertsTest : public ::testing::Test {
 protected:
  AlertsTest() : github_(kToken), client_(make_client(github_)) {}

  static GitHubClient make_client(const FakeGitHub& github) {
    ClientOptions options;
    options.api_base = github.url();
    options.retry.max_attempts = 2;
    options.sleep = [](Millis) {};  // retries without waiting
    return *GitHubClient::create(options);
  }

  void upload(const std::vector<Result>& results) {
    SarifUpload upload{kSha, kRef, sarif_of(results), "bindscan", ""};
    ASSERT_TRUE(client_.upload_sarif("octo", "hello", upload, kToken));
  }

  AlertSync sync(const AlertPlan& plan) { return sync_alerts(client_, "octo", "hello", kRef, kToken, plan); }

  FakeGitHub github_;
  GitHubClient client_;
};

TEST_F(AlertsTest, DismissesTheAllowedFindingsAlertAndLeavesTheSameCodeElsewhereOpen) {
  upload({{"docker/entrypoint.py", 2}, {"app/main.py", 2}});
  const AlertSync result = sync({{allowed("docker/entrypoint.py", 2)}, {key("app/main.py", 2)}});
  EXPECT_TRUE(result.attempted);
  EXPECT_EQ(result.dismissed, 1);
  EXPECT_EQ(result.failed, 0) << result.error;

  const auto docker = github_.alert_at("docker/entrypoint.py", 2);
  ASSERT_TRUE(docker);
  EXPECT_EQ(docker->state, "dismissed");
  EXPECT_EQ(docker->dismissed_reason, "won't fix");
  EXPECT_EQ(docker->dismissed_comment, "bindscan: allowed by .bindscan.toml:3: container entrypoint");
  EXPECT_EQ(github_.alert_at("app/main.py", 2)->state, "open");

  // Nothing left to do: a second sync changes nothing.
  const size_t patches = github_.alert_patches().size();
  const AlertSync again = sync({{allowed("docker/entrypoint.py", 2)}, {key("app/main.py", 2)}});
  EXPECT_EQ(again.dismissed + again.reopened + again.failed, 0);
  EXPECT_EQ(github_.alert_patches().size(), patches);
}

TEST_F(AlertsTest, ReopensItsOwnDismissalOnceNotAllowedButNeverAPersons) {
  upload({{"docker/entrypoint.py", 2}, {"app/main.py", 2}});
  ASSERT_EQ(sync({{allowed("docker/entrypoint.py", 2)}, {key("app/main.py", 2)}}).dismissed, 1);
  const int app = github_.alert_at("app/main.py", 2)->number;
  github_.dismiss_as_person(app, "false positive", "only in the dev container");

  // The allow entry is gone: both findings are reported as plain results.
  upload({{"docker/entrypoint.py", 2}, {"app/main.py", 2}});
  const AlertSync result = sync({{}, {key("docker/entrypoint.py", 2), key("app/main.py", 2)}});
  EXPECT_EQ(result.reopened, 1);
  EXPECT_EQ(result.dismissed, 0);
  EXPECT_EQ(github_.alert_at("docker/entrypoint.py", 2)->state, "open");
  const auto person = github_.alert_at("app/main.py", 2);
  EXPECT_EQ(person->state, "dismissed");
  EXPECT_EQ(person->dismissed_by, "a-person");
  EXPECT_EQ(person->dismissed_comment, "only in the dev container");

  // Even when the configuration allows it, a person's dismissal keeps its words.
  EXPECT_EQ(sync({{allowed("app/main.py", 2)}, {key("docker/entrypoint.py", 2)}}).dismissed, 0);
  EXPECT_EQ(github_.alert_at("app/main.py", 2)->dismissed_comment, "only in the dev container");
}

TEST_F(AlertsTest, AChangedReasonRewordsItsOwnDismissal) {
  upload({{"tests/test_server.py", 7}});
  ASSERT_EQ(sync({{allowed("tests/test_server.py", 7)}, {}}).dismissed, 1);
  const AlertSync result =
      sync({{allowed("tests/test_server.py", 7, std::string(kUsedInTests), "test fixture server")}, {}});
  EXPECT_EQ(result.dismissed, 1);
  const auto alert = github_.alert_at("tests/test_server.py", 7);
  EXPECT_EQ(alert->dismissed_reason, "used in tests");
  EXPECT_EQ(alert->dismissed_comment, "bindscan: allowed by .bindscan.toml:3: test fixture server");
}

TEST_F(AlertsTest, ReadsEveryPageOfAlerts) {
  std::vector<Result> results;
  AlertPlan plan;
  for (int line = 1; line <= 150; ++line) {
    results.push_back({"docker/many.py", line});
    plan.allowed.push_back(allowed("docker/many.py", line));
  }
  upload(results);
  const AlertSync result = sync(plan);
  EXPECT_EQ(result.dismissed, 150) << result.error;
  for (const auto& alert : github_.alerts()) EXPECT_EQ(alert.state, "dismissed") << alert.line;
}

TEST_F(AlertsTest, AFailingAlertsApiIsCountedAndNamedWithoutTheToken) {
  upload({{"docker/entrypoint.py", 2}});
  github_.fail_alerts_api(500, 100);
  const AlertSync result = sync({{allowed("docker/entrypoint.py", 2)}, {}});
  EXPECT_TRUE(result.attempted);
  EXPECT_EQ(result.dismissed, 0);
  EXPECT_EQ(result.failed, 2);  // the open and the dismissed list
  EXPECT_NE(result.error.find("HTTP 500"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("/code-scanning/alerts"), std::string::npos) << result.error;
  EXPECT_EQ(result.error.find(kToken), std::string::npos);
  EXPECT_EQ(github_.alert_at("docker/entrypoint.py", 2)->state, "open");

  // The API is back: the next sync does what this one could not.
  github_.fail_alerts_api(500, 0);
  EXPECT_EQ(sync({{allowed("docker/entrypoint.py", 2)}, {}}).dismissed, 1);
}

TEST_F(AlertsTest, APatchGitHubRefusesIsCountedAndTheRestGoOn) {
  upload({{"docker/a.py", 1}, {"docker/b.py", 1}});
  AlertPlan plan{{allowed("docker/a.py", 1), allowed("docker/b.py", 1)}, {}};
  plan.allowed[0].dismissed_reason = "not a reason";  // GitHub answers 422
  const AlertSync result = sync(plan);
  EXPECT_EQ(result.dismissed, 1);
  EXPECT_EQ(result.failed, 1);
  EXPECT_NE(result.error.find("HTTP 422"), std::string::npos) << result.error;
  EXPECT_EQ(github_.alert_at("docker/b.py", 1)->state, "dismissed");
}

TEST(DismissedComment, FitsGitHubsLimitInCharacters) {
  EXPECT_EQ(dismissed_comment("pyproject.toml:12", "container"), "bindscan: allowed by pyproject.toml:12: container");
  std::string reason;
  for (int i = 0; i < 300; ++i) reason += "\u00e9";  // two bytes each
  const std::string comment = dismissed_comment("pyproject.toml:12", reason);
  size_t chars = 0;
  for (unsigned char c : comment) chars += (c & 0xC0) != 0x80;
  EXPECT_EQ(chars, kMaxDismissedCommentChars);
  EXPECT_TRUE(comment.starts_with(kDismissedCommentPrefix));
  EXPECT_TRUE(comment.ends_with("\u2026"));
}

}  // namespace
}  // namespace bindscan::webhook

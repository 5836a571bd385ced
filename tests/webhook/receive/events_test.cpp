#include "webhook/receive/events.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace bindscan::webhook {
namespace {

using nlohmann::json;
constexpr std::string_view kDelivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

std::string payload(const std::string& name) {
  std::ifstream in(std::string(BINDSCAN_SOURCE_DIR) + "/tests/webhook/payloads/" + name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

class WebhookEvents : public ::testing::Test {
 protected:
  Result<EventDecision> parse(std::string_view event, const std::string& body) {
    return parse_event(event, kDelivery, body, EventPolicy{hosts_, 64});
  }
  Result<EventDecision> parse_edited(std::string_view event, const std::string& name,
                                     const std::function<void(json&)>& edit) {
    json doc = json::parse(payload(name));
    edit(doc);
    return parse(event, doc.dump());
  }
  void expect_error(const Result<EventDecision>& result, std::string_view code) {
    ASSERT_FALSE(result) << "expected error " << code;
    EXPECT_EQ(result.error().code, code) << result.error().message;
  }
  std::vector<CloneHost> hosts_ = {*parse_clone_host("github.com")};
};

TEST_F(WebhookEvents, PushToBranchQueuesJob) {
  auto result = parse("push", payload("push.json"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->action, EventAction::kQueue);
  const Job& job = result->job;
  EXPECT_EQ(job.id, kDelivery);
  EXPECT_EQ(job.delivery_id, kDelivery);
  EXPECT_EQ(job.event, "push");
  EXPECT_EQ(job.owner, "octo-org");
  EXPECT_EQ(job.repo, "hello-world");
  EXPECT_EQ(job.clone_url, "https://github.com/octo-org/hello-world.git");
  EXPECT_EQ(job.commit_sha, "6dcb09b5b57875f334f61aebed695e2e4193db5e");
  EXPECT_EQ(job.before_sha, "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
  EXPECT_EQ(job.ref, "refs/heads/main");
  EXPECT_EQ(job.fetch_ref, "refs/heads/main");
  EXPECT_EQ(job.installation_id, 2311213);
  EXPECT_EQ(job.default_branch, "main");  // only its uploads dismiss alerts
  EXPECT_EQ(job.attempts, 0);
}

TEST_F(WebhookEvents, PushCreatingBranchHasNoBefore) {
  auto result = parse("push", payload("push_new_branch.json"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->action, EventAction::kQueue);
  EXPECT_EQ(result->job.before_sha, "");
  EXPECT_EQ(result->job.ref, "refs/heads/feature/bind-fix");
}

TEST_F(WebhookEvents, PushWithoutInstallationHasNoInstallationId) {
  auto result = parse_edited("push", "push.json", [](json& d) { d.erase("installation"); });
  ASSERT_TRUE(result);
  EXPECT_FALSE(result->job.installation_id.has_value());
}

TEST_F(WebhookEvents, DeletedPushIsIgnored) {
  auto result = parse("push", payload("push_deleted.json"));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->action, EventAction::kIgnore);
  EXPECT_NE(result->reason.find("deleted"), std::string::npos);
}

TEST_F(WebhookEvents, TagPushIsIgnored) {
  auto result = parse("push", payload("push_tag.json"));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->action, EventAction::kIgnore);
  EXPECT_NE(result->reason.find("tag"), std::string::npos);
}

TEST_F(WebhookEvents, PingAndUnknownEvents) {
  auto ping = parse("ping", payload("ping.json"));
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->action, EventAction::kPing);
  for (std::string_view event : {"issues", "workflow_run", "", "create"}) {
    auto result = parse(event, "{}");
    ASSERT_TRUE(result) << event;
    EXPECT_EQ(result->action, EventAction::kIgnore) << event;
  }
}

TEST_F(WebhookEvents, PullRequestActionsThatQueue) {
  for (std::string name : {"pull_request_opened.json", "pull_request_reopened.json"}) {
    auto result = parse("pull_request", payload(name));
    ASSERT_TRUE(result) << name << ": " << result.error().message;
    ASSERT_EQ(result->action, EventAction::kQueue) << name;
    const Job& job = result->job;
    EXPECT_EQ(job.event, "pull_request");
    EXPECT_EQ(job.commit_sha, "e5bd3914e2e596debea16f433f57875b5b90bcd6");
    EXPECT_EQ(job.ref, "refs/pull/42/head");
    EXPECT_EQ(job.fetch_ref, "refs/pull/42/head");
    EXPECT_EQ(job.owner, "octo-org");  // the base repository, not the fork
    EXPECT_EQ(job.repo, "hello-world");
    EXPECT_EQ(job.clone_url, "https://github.com/octo-org/hello-world.git");
    EXPECT_EQ(job.before_sha, "");
    EXPECT_EQ(job.default_branch, "main");
  }
}

TEST_F(WebhookEvents, PullRequestSynchronizeUsesNewHeadAndBefore) {
  auto result = parse("pull_request", payload("pull_request_synchronize.json"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->action, EventAction::kQueue);
  EXPECT_EQ(result->job.commit_sha, "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678");
  EXPECT_EQ(result->job.before_sha, "e5bd3914e2e596debea16f433f57875b5b90bcd6");
}

TEST_F(WebhookEvents, OtherPullRequestActionsAreIgnored) {
  auto result = parse("pull_request", payload("pull_request_closed.json"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->action, EventAction::kIgnore);
  EXPECT_NE(result->reason.find("closed"), std::string::npos);
}

TEST_F(WebhookEvents, MalformedJsonIsBadPayload) {
  expect_error(parse("push", "{\"ref\": "), "bad-payload");
  expect_error(parse("push", "[1,2]"), "bad-payload");
  expect_error(parse("push", ""), "bad-payload");
  expect_error(parse("pull_request", "not json"), "bad-payload");
}

TEST_F(WebhookEvents, MissingOrMistypedFieldsAreBadPayload) {
  expect_error(parse_edited("push", "push.json", [](json& d) { d.erase("ref"); }), "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d.erase("after"); }), "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d["after"] = 12; }), "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d["after"] = "abc"; }), "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d["before"] = "xyz"; }), "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d.erase("repository"); }), "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d["repository"]["clone_url"] = nullptr; }),
               "bad-payload");
  expect_error(parse_edited("push", "push.json", [](json& d) { d["ref"] = "refs/heads/a..b"; }), "bad-payload");
  expect_error(parse_edited("pull_request", "pull_request_opened.json", [](json& d) { d.erase("number"); }),
               "bad-payload");
  expect_error(parse_edited("pull_request", "pull_request_opened.json", [](json& d) { d["number"] = -3; }),
               "bad-payload");
  expect_error(parse_edited("pull_request", "pull_request_opened.json",
                            [](json& d) { d["pull_request"]["head"].erase("sha"); }),
               "bad-payload");
  expect_error(parse_edited("pull_request", "pull_request_opened.json", [](json& d) { d.erase("action"); }),
               "bad-payload");
}

TEST_F(WebhookEvents, InvalidOwnerOrRepoNames) {
  for (std::string full_name : {"../hello-world", "octo-org/..", "octo-org/a/b", "octo org/x", "octo-org/",
                                "/x", "noslash"}) {
    auto result = parse_edited("push", "push.json", [&](json& d) { d["repository"]["full_name"] = full_name; });
    ASSERT_FALSE(result) << full_name;
    EXPECT_TRUE(result.error().code == "invalid-name" || result.error().code == "bad-payload") << full_name;
  }
}

TEST_F(WebhookEvents, CloneUrlHostMustBeAllowed) {
  expect_error(parse_edited("push", "push.json",
                            [](json& d) { d["repository"]["clone_url"] = "https://evil.example/o/r.git"; }),
               "clone-host-not-allowed");
  expect_error(parse_edited("push", "push.json",
                            [](json& d) { d["repository"]["clone_url"] = "file:///srv/repos/r.git"; }),
               "invalid-clone-url");
  expect_error(parse_edited("pull_request", "pull_request_opened.json",
                            [](json& d) { d["repository"]["clone_url"] = "git@github.com:o/r.git"; }),
               "invalid-clone-url");
}

TEST_F(WebhookEvents, BadDeliveryId) {
  for (std::string_view id : {"", "../../etc", "a b", "x.json"}) {
    auto result = parse_event("push", id, payload("push.json"), EventPolicy{hosts_, 64});
    ASSERT_FALSE(result) << id;
    EXPECT_EQ(result.error().code, "bad-delivery");
  }
}

TEST_F(WebhookEvents, DeeplyNestedJsonIsRefusedWithoutCrashing) {
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  expect_error(parse("push", deep), "bad-payload");
  std::string deep_object;
  for (int i = 0; i < 100000; ++i) deep_object += "{\"a\":";
  deep_object += "1" + std::string(100000, '}');
  expect_error(parse("pull_request", deep_object), "bad-payload");
}

TEST(WebhookJsonDepth, CountsOnlyOutsideStrings) {
  EXPECT_TRUE(json_depth_within(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_FALSE(json_depth_within(R"({"a":[1,{"b":2}]})", 2));
  EXPECT_TRUE(json_depth_within(R"({"a":"[[[[[[{{{{"})", 1));
  EXPECT_TRUE(json_depth_within(R"({"a":"\"[[[["})", 1));
  EXPECT_TRUE(json_depth_within("", 0));
}

}  // namespace
}  // namespace bindscan::webhook

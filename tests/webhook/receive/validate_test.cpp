#include "webhook/receive/validate.h"

#include <gtest/gtest.h>

#include <vector>

namespace bindscan::webhook {
namespace {

TEST(WebhookValidate, NamesAcceptGitHubSpellings) {
  for (std::string_view name : {"octo-org", "hello_world", ".github", "a", "Repo.Name-2", "x..y"}) {
    EXPECT_TRUE(is_valid_name(name)) << name;
  }
}

TEST(WebhookValidate, NamesRejectTraversalAndOddCharacters) {
  using namespace std::string_view_literals;
  for (std::string_view name : {""sv, "."sv, ".."sv, "../etc"sv, "a/b"sv, "a\\b"sv, "a b"sv, "a\nb"sv, "a%2fb"sv,
                                "name~"sv, "caf\xc3\xa9"sv, "a:b"sv, "a\0b"sv}) {
    EXPECT_FALSE(is_valid_name(name)) << name;
  }
  EXPECT_FALSE(is_valid_name(std::string(101, 'a')));
  Status status = validate_name("owner", "..");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, "invalid-name");
  EXPECT_NE(status.error().message.find("owner"), std::string::npos);
}

TEST(WebhookValidate, CommitShas) {
  EXPECT_TRUE(is_commit_sha("6dcb09b5b57875f334f61aebed695e2e4193db5e"));
  EXPECT_FALSE(is_commit_sha("6DCB09B5B57875F334F61AEBED695E2E4193DB5E"));
  EXPECT_FALSE(is_commit_sha("6dcb09b"));
  EXPECT_FALSE(is_commit_sha("6dcb09b5b57875f334f61aebed695e2e4193db5g"));
  EXPECT_TRUE(is_zero_sha(std::string(40, '0')));
  EXPECT_FALSE(is_zero_sha(std::string(39, '0')));
}

TEST(WebhookValidate, Refs) {
  for (std::string_view ref : {"refs/heads/main", "refs/heads/feature/x-1", "refs/pull/42/head",
                               "refs/tags/v1.0"}) {
    EXPECT_TRUE(is_valid_ref(ref)) << ref;
  }
  for (std::string_view ref : {"main", "refs/", "refs/heads/../x", "refs/heads/a b", "refs/heads/a:b",
                               "refs/heads/x.lock", "refs/heads/.hidden", "refs/heads//x",
                               "refs/heads/x/", "refs/heads/a@{1}", "refs/heads/a\\b", "refs/heads/a~1"}) {
    EXPECT_FALSE(is_valid_ref(ref)) << ref;
  }
}

TEST(WebhookValidate, SafeIds) {
  EXPECT_TRUE(is_safe_id("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
  EXPECT_FALSE(is_safe_id(""));
  EXPECT_FALSE(is_safe_id("../x"));
  EXPECT_FALSE(is_safe_id("a.json"));
}

TEST(WebhookValidate, CloneHostSpellings) {
  auto host = parse_clone_host("github.com");
  ASSERT_TRUE(host);
  EXPECT_EQ(*host, (CloneHost{"https", "github.com", std::nullopt}));
  host = parse_clone_host("GHE.Example.com:8443");
  ASSERT_TRUE(host);
  EXPECT_EQ(*host, (CloneHost{"https", "ghe.example.com", 8443}));
  host = parse_clone_host("http://[::1]:8080");
  ASSERT_TRUE(host);
  EXPECT_EQ(*host, (CloneHost{"http", "::1", 8080}));
  EXPECT_EQ(to_string(*host), "http://[::1]:8080");
  for (std::string_view bad : {"", "file:///tmp", "ftp://x", "host:0", "host:99999", "ho st", "[::1",
                               "host:", "a/b"}) {
    EXPECT_FALSE(parse_clone_host(bad)) << bad;
  }
}

TEST(WebhookValidate, CloneUrlsMustMatchTheAllowList) {
  std::vector<CloneHost> allowed = {*parse_clone_host("github.com"),
                                    *parse_clone_host("http://127.0.0.1:9000")};
  EXPECT_TRUE(check_clone_url("https://github.com/octo-org/hello-world.git", allowed));
  EXPECT_TRUE(check_clone_url("https://GitHub.com:443/octo-org/hello-world.git", allowed));
  EXPECT_TRUE(check_clone_url("http://127.0.0.1:9000/git/o/r.git", allowed));

  Status other = check_clone_url("https://evil.example/o/r.git", allowed);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "clone-host-not-allowed");
  EXPECT_NE(other.error().message.find("evil.example"), std::string::npos);
  EXPECT_FALSE(check_clone_url("http://github.com/o/r.git", allowed));  // scheme not allowed
  EXPECT_FALSE(check_clone_url("https://github.com:8443/o/r.git", allowed));
  EXPECT_FALSE(check_clone_url("http://127.0.0.1:9001/o/r.git", allowed));
  EXPECT_FALSE(check_clone_url("https://github.com.evil.example/o/r.git", allowed));
}

TEST(WebhookValidate, CloneUrlsRejectDangerousShapes) {
  std::vector<CloneHost> allowed = {*parse_clone_host("github.com")};
  for (std::string_view url :
       {"file:///srv/git/o/r.git", "FILE:///etc/passwd", "github.com:o/r.git", "git@github.com:o/r.git",
        "https://user:pw@github.com/o/r.git", "https://github.com/o/../../r.git",
        "https://github.com/o/r.git?x=1", "https://github.com/o/r.git#frag", "https://github.com",
        "https://github.com/o/r .git", "ext::sh -c touch% /tmp/pwned", "https://github.com\\@evil/o/r"}) {
    Status status = check_clone_url(url, allowed);
    EXPECT_FALSE(status) << url;
    if (!status) {
      EXPECT_EQ(status.error().code, "invalid-clone-url") << url;
    }
  }
}

}  // namespace
}  // namespace bindscan::webhook

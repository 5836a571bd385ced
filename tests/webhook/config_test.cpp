#include "webhook/config.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace bindscan::webhook {
namespace {

class WebhookConfig : public ::testing::Test {
 protected:
  Result<ServeConfig> parse(std::vector<std::string_view> args) {
    EnvLookup env = [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    FileReader read = [this](const std::filesystem::path& path) -> Result<std::string> {
      auto it = files_.find(path.string());
      if (it == files_.end()) return Error{"io", "cannot read " + path.string()};
      return it->second;
    };
    return parse_serve_config(args, env, read);
  }
  std::map<std::string, std::string> env_ = {{"GITHUB_TOKEN", "ghp_token_value"}};
  std::map<std::string, std::string> files_ = {{"/run/secret", "s3cret-value\n"},
                                               {"/run/token", "ghp_from_file\n"}};
};

TEST_F(WebhookConfig, DefaultsWithSecretFromEnvironment) {
  env_["BINDSCAN_WEBHOOK_SECRET"] = "env-secret";
  auto config = parse({});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_EQ(config->webhook_secret.reveal(), "env-secret");
  EXPECT_EQ(config->github_api, "https://api.github.com");
  ASSERT_EQ(config->clone_hosts.size(), 1u);
  EXPECT_EQ(config->clone_hosts[0].host, "github.com");
  EXPECT_EQ(config->auth.kind, AuthChoice::Kind::kToken);
  EXPECT_EQ(config->auth.token.reveal(), "ghp_token_value");
  EXPECT_EQ(config->category, "bindscan/python/");
  EXPECT_EQ(config->max_body_bytes, 25u * 1024 * 1024);
  EXPECT_TRUE(config->warnings.empty());
}

TEST_F(WebhookConfig, RefusesToStartWithoutSecret) {
  auto config = parse({"--listen", "127.0.0.1:9000"});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "usage");
  EXPECT_NE(config.error().message.find("--webhook-secret-file"), std::string::npos);
  EXPECT_NE(config.error().message.find("BINDSCAN_WEBHOOK_SECRET"), std::string::npos);
}

TEST_F(WebhookConfig, FlagsWinOverEnvironment) {
  env_["BINDSCAN_LISTEN"] = "127.0.0.1:1111";
  env_["BINDSCAN_WORKERS"] = "7";
  env_["BINDSCAN_ALLOW_CLONE_HOST"] = "ghe.example.com, http://127.0.0.1:9000";
  auto config = parse({"--webhook-secret-file", "/run/secret", "--listen=[::1]:8443", "--data-dir",
                       "/var/lib/bindscan", "--github-api", "https://ghe.example.com/api/v3/",
                       "--token-file", "/run/token", "--max-queue", "5", "--category", "custom/"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->webhook_secret.reveal(), "s3cret-value");  // trailing newline dropped
  EXPECT_EQ(config->listen_host, "::1");
  EXPECT_EQ(config->listen_port, 8443);
  EXPECT_EQ(config->data_dir, "/var/lib/bindscan");
  EXPECT_EQ(config->github_api, "https://ghe.example.com/api/v3");
  EXPECT_EQ(config->auth.kind, AuthChoice::Kind::kTokenFile);
  EXPECT_EQ(config->auth.token_file, "/run/token");
  EXPECT_EQ(config->workers, 7);
  EXPECT_EQ(config->max_queue, 5u);
  EXPECT_EQ(config->category, "custom/");
  ASSERT_EQ(config->clone_hosts.size(), 2u);
  EXPECT_EQ(config->clone_hosts[1], (CloneHost{"http", "127.0.0.1", 9000}));
}

TEST_F(WebhookConfig, RequestLimitsAndGitTimeoutFromFlagsOrEnvironment) {
  env_["BINDSCAN_HTTP_THREADS"] = "4";
  env_["BINDSCAN_GIT_TIMEOUT"] = "0";
  auto config = parse({"--webhook-secret-file", "/run/secret", "--request-timeout", "20", "--idle-timeout=2",
                       "--max-header-bytes", "16384"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->request_timeout, std::chrono::seconds(20));
  EXPECT_EQ(config->idle_timeout, std::chrono::seconds(2));
  EXPECT_EQ(config->max_header_bytes, 16384u);
  EXPECT_EQ(config->http_threads, 4);
  EXPECT_EQ(config->git_timeout, std::chrono::seconds(0));
  env_.erase("BINDSCAN_HTTP_THREADS");
  env_.erase("BINDSCAN_GIT_TIMEOUT");
  auto defaults = parse({"--webhook-secret-file", "/run/secret"});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->request_timeout, std::chrono::seconds(10));
  EXPECT_EQ(defaults->http_threads, 16);
  EXPECT_EQ(defaults->git_timeout, std::chrono::seconds(60));
}

TEST_F(WebhookConfig, RepeatedCloneHosts) {
  auto config = parse({"--webhook-secret-file", "/run/secret", "--allow-clone-host", "github.com",
                       "--allow-clone-host", "ghe.example.com:8443"});
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->clone_hosts.size(), 2u);
  EXPECT_EQ(config->clone_hosts[1].port, 8443);
}

TEST_F(WebhookConfig, AppCredentials) {
  auto config = parse({"--webhook-secret-file", "/run/secret", "--app-id", "123", "--app-private-key-file",
                       "/run/key.pem"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->auth.kind, AuthChoice::Kind::kApp);
  EXPECT_EQ(config->auth.app_id, "123");
  EXPECT_EQ(config->auth.app_private_key_file, "/run/key.pem");
  EXPECT_FALSE(parse({"--webhook-secret-file", "/run/secret", "--app-id", "123"}));
  EXPECT_FALSE(parse({"--webhook-secret-file", "/run/secret", "--app-id", "1", "--app-private-key-file",
                      "/k", "--token-file", "/run/token"}));
}

TEST_F(WebhookConfig, RequiresCredentials) {
  env_.clear();
  auto config = parse({"--webhook-secret-file", "/run/secret"});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("GITHUB_TOKEN"), std::string::npos);
}

TEST_F(WebhookConfig, UnknownFlagSuggestsTheNearest) {
  auto config = parse({"--webhook-secret-file", "/run/secret", "--listne", "x"});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "usage");
  EXPECT_NE(config.error().message.find("did you mean --listen?"), std::string::npos)
      << config.error().message;
  config = parse({"--worker", "2"});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("--workers"), std::string::npos);
}

TEST_F(WebhookConfig, BadValuesAreUsageErrors) {
  for (std::vector<std::string_view> args :
       {std::vector<std::string_view>{"--listen", "8080"}, {"--listen", "::1:80"}, {"--listen", "h:99999"},
        {"--workers", "0"}, {"--workers", "x"}, {"--max-queue", "-1"}, {"--allow-clone-host", "file:///"},
        {"--github-api", "api.github.com"}, {"--read-timeout", "0"}, {"--workers"},
        {"--request-timeout", "0"}, {"--idle-timeout", "-5"}, {"--max-header-bytes", "100"},
        {"--http-threads", "0"}, {"--git-timeout", "1h"}}) {
    std::vector<std::string_view> all = {"--webhook-secret-file", "/run/secret"};
    all.insert(all.end(), args.begin(), args.end());
    auto config = parse(all);
    EXPECT_FALSE(config) << args[0];
  }
  auto missing = parse({"--webhook-secret-file", "/nope"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "io");
}

TEST_F(WebhookConfig, ListeningOnAllInterfacesIsAllowedButWarned) {
  env_["BINDSCAN_WEBHOOK_SECRET"] = "x";
  auto config = parse({"--listen", "0.0.0.0:8080"});
  ASSERT_TRUE(config);
  ASSERT_EQ(config->warnings.size(), 1u);
}

TEST_F(WebhookConfig, ErrorsNeverContainSecrets) {
  env_["BINDSCAN_WEBHOOK_SECRET"] = "env-secret-value";
  auto config = parse({"--workers", "many"});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message.find("env-secret-value"), std::string::npos);
  EXPECT_EQ(config.error().message.find("ghp_token_value"), std::string::npos);
}

TEST_F(WebhookConfig, HelpListsEveryFlagAndVariable) {
  auto config = parse({"--help"});
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, "help");
  for (std::string_view text : {"--listen", "BINDSCAN_LISTEN", "--webhook-secret-file", "--allow-clone-host",
                                "--token-file", "--app-id", "--max-queue", "--category"}) {
    EXPECT_NE(config.error().message.find(text), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace bindscan::webhook

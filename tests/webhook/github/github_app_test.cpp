#include "webhook/github/github_app.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <filesystem>
#include <fstream>

#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/github/test_keys.h"

namespace bindscan::webhook {
namespace {

using bindscan::testing::FakeGitHub;
using bindscan::testing::KeyPair;
using nlohmann::json;

std::string base64url_decode(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4) text += '=';
  return testing::decode_base64(text).value_or("<bad base64>");
}

std::vector<std::string> split(const std::string& jwt) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = jwt.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(jwt.substr(start, dot - start));
  }
  parts.push_back(jwt.substr(start));
  return parts;
}

bool signature_valid(const std::string& jwt, EVP_PKEY* key) {
  const auto parts = split(jwt);
  if (parts.size() != 3) return false;
  const std::string input = parts[0] + "." + parts[1];
  const std::string signature = base64url_decode(parts[2]);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

const KeyPair& test_key() {
  static const KeyPair pair = bindscan::testing::generate_rsa_key();
  return pair;
}

TEST(GitHubApp, JwtIsRs256SignedWithTheAppKeyAndCarriesTheClaims) {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);
  auto jwt = make_app_jwt("12345", test_key().private_pem, now);
  ASSERT_TRUE(jwt.ok()) << jwt.error().message;
  EXPECT_TRUE(signature_valid(*jwt, test_key().key.get()));
  const auto parts = split(*jwt);
  EXPECT_EQ(json::parse(base64url_decode(parts[0])), json::parse(R"({"alg":"RS256","typ":"JWT"})"));
  const json claims = json::parse(base64url_decode(parts[1]));
  EXPECT_EQ(claims["iat"], 1700000000 - 60);
  EXPECT_EQ(claims["exp"], 1700000000 + 540);
  EXPECT_EQ(claims["iss"], "12345");
  for (const auto& part : parts) EXPECT_EQ(part.find_first_of("+/="), std::string::npos);
}

TEST(GitHubApp, TamperedJwtFailsVerification) {
  auto jwt = make_app_jwt("1", test_key().private_pem, std::chrono::system_clock::now());
  ASSERT_TRUE(jwt.ok());
  auto parts = split(*jwt);
  json claims = json::parse(base64url_decode(parts[1]));
  claims["iss"] = "2";
  std::string forged = parts[0] + "." + parts[1] + "x." + parts[2];
  EXPECT_FALSE(signature_valid(forged, test_key().key.get()));
}

TEST(GitHubApp, RejectsAKeyThatIsNotRsa) {
  auto jwt = make_app_jwt("1", "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
                          std::chrono::system_clock::now());
  ASSERT_FALSE(jwt.ok());
  EXPECT_EQ(jwt.error().code, "auth");
  EXPECT_EQ(jwt.error().message.find("nope"), std::string::npos);
}

TEST(GitHubApp, AppCredentialsCheckTheKeyFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("bindscan-app-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "good.pem") << test_key().private_pem;
  std::ofstream(dir / "bad.pem") << "not a key\n";
  EXPECT_TRUE(app_credentials("1", dir / "good.pem").ok());
  auto bad = app_credentials("1", dir / "bad.pem");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "config");
  EXPECT_FALSE(app_credentials("1", dir / "missing.pem").ok());
  std::filesystem::remove_all(dir);
}

ClientOptions fast(const std::string& url) {
  ClientOptions options;
  options.api_base = url;
  options.retry.max_attempts = 2;
  options.retry.initial_delay = Millis(1);
  options.sleep = [](Millis) {};
  return options;
}

TEST(GitHubApp, ExchangesAVerifiedJwtForAnInstallationTokenAndCachesIt) {
  FakeGitHub github;
  github.set_installation_token("ghs_installation", "2099-01-01T00:00:00Z");
  EVP_PKEY* key = test_key().key.get();
  github.set_jwt_check([key](const std::string& jwt) { return signature_valid(jwt, key); });
  auto provider = make_app_token_provider(AppCredentials{"42", test_key().private_pem},
                                          *GitHubClient::create(fast(github.url())));
  auto token = provider->token(7, "hello");
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(*token, "ghs_installation");
  EXPECT_EQ(*provider->token(7, "hello"), "ghs_installation");
  EXPECT_EQ(github.jwts().size(), 1u);  // the second call came from the cache
  EXPECT_TRUE(provider->token(8, "hello").ok());
  EXPECT_EQ(github.jwts().size(), 2u);  // one token per installation
}

TEST(GitHubApp, RefreshesATokenCloseToItsExpiry) {
  FakeGitHub github;
  // Expires within the 5-minute margin: every call must mint afresh.
  const auto soon = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + std::chrono::minutes(2));
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&soon));
  github.set_installation_token("ghs_short", text);
  auto provider = make_app_token_provider(AppCredentials{"42", test_key().private_pem},
                                          *GitHubClient::create(fast(github.url())));
  ASSERT_TRUE(provider->token(7, "hello").ok());
  ASSERT_TRUE(provider->token(7, "hello").ok());
  EXPECT_EQ(github.jwts().size(), 2u);
}

TEST(GitHubApp, RejectedJwtKeepsGitHubsMessage) {
  FakeGitHub github;
  github.set_jwt_check([](const std::string&) { return false; });
  auto provider = make_app_token_provider(AppCredentials{"42", test_key().private_pem},
                                          *GitHubClient::create(fast(github.url())));
  auto token = provider->token(7, "hello");
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("Bad credentials"), std::string::npos);
}

TEST(GitHubApp, NeedsAnInstallationId) {
  auto provider = make_app_token_provider(AppCredentials{"42", test_key().private_pem},
                                          *GitHubClient::create(fast("http://127.0.0.1:9")));
  auto token = provider->token(std::nullopt, "hello");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().code, "auth");
}

TEST(GitHubApp, ParsesGitHubTimes) {
  auto t = parse_github_time("2016-07-11T22:14:10Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1468275250);
  EXPECT_FALSE(parse_github_time("yesterday").ok());
}

}  // namespace
}  // namespace bindscan::webhook

#include "webhook/github/github_app.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

namespace bindscan::webhook {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

std::string base64url(std::string_view data) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 63];
  return out;  // JWTs carry no padding
}

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

Result<std::unique_ptr<EVP_PKEY, KeyDeleter>> load_key(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr);
  BIO_free(bio);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return Error{"auth", "the GitHub App private key is not a PEM RSA private key"};
  }
  return key;
}

int64_t epoch_seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

class AppTokenProvider final : public TokenProvider {
 public:
  AppTokenProvider(AppCredentials app, GitHubClient client, std::chrono::seconds margin)
      : app_(std::move(app)), client_(std::move(client)), margin_(margin) {}

  Result<std::string> token(std::optional<int64_t> installation_id,
                            std::string_view repository) override {
    if (!installation_id) {
      return Error{"auth", "GitHub App authentication needs the delivery's installation.id, "
                           "and this job has none (is the webhook an App webhook?)"};
    }
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    const CacheKey key{*installation_id, std::string(repository)};
    if (auto it = cache_.find(key);
        it != cache_.end() && now + margin_ < it->second.expires_at) {
      return it->second.token;
    }
    auto jwt = make_app_jwt(app_.app_id, app_.private_key_pem, now);
    if (!jwt) return jwt.error();
    // Scoped to the job's repository: a delivery cannot borrow the token to
    // read or write another repository of the installation.
    const std::string body =
        repository.empty() ? "" : json{{"repositories", {std::string(repository)}}}.dump();
    auto response = client_.request(
        "POST", "/app/installations/" + std::to_string(*installation_id) + "/access_tokens", body,
        *jwt);
    if (!response) return response.error();
    const json doc = json::parse(response->body, nullptr, false);
    if (!doc.is_object() || !doc.contains("token") || !doc["token"].is_string() ||
        !doc.contains("expires_at") || !doc["expires_at"].is_string()) {
      return Error{"github", "installation token reply lacks token or expires_at"};
    }
    auto expires = parse_github_time(doc["expires_at"].get<std::string>());
    if (!expires) return expires.error();
    cache_[key] = Cached{doc["token"], *expires};
    return doc["token"].get<std::string>();
  }

 private:
  struct Cached {
    std::string token;
    Clock::time_point expires_at;
  };
  using CacheKey = std::pair<int64_t, std::string>;  // installation, repository
  const AppCredentials app_;
  const GitHubClient client_;
  const std::chrono::seconds margin_;
  std::mutex mutex_;
  std::map<CacheKey, Cached> cache_;
};

}  // namespace

Result<std::string> make_app_jwt(std::string_view app_id, std::string_view private_key_pem,
                                 Clock::time_point now) {
  auto key = load_key(private_key_pem);
  if (!key) return key.error();
  const int64_t t = epoch_seconds(now);
  const json claims = {{"iat", t - 60}, {"exp", t + 9 * 60}, {"iss", std::string(app_id)}};
  const std::string input =
      base64url(R"({"alg":"RS256","typ":"JWT"})") + "." + base64url(claims.dump());

  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Error{"auth", "could not sign the GitHub App JWT (OpenSSL)"};
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return Error{"auth", "could not sign the GitHub App JWT (OpenSSL)"};
  }
  signature.resize(length);
  return input + "." + base64url(signature);
}

Result<Clock::time_point> parse_github_time(std::string_view text) {
  static const std::regex format(R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, format)) {
    return Error{"github", "unexpected time format '" + std::string(text) + "'"};
  }
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  return Clock::from_time_t(timegm(&tm));
}

std::unique_ptr<TokenProvider> make_app_token_provider(AppCredentials app, GitHubClient client,
                                                       std::chrono::seconds refresh_margin) {
  return std::make_unique<AppTokenProvider>(std::move(app), std::move(client), refresh_margin);
}

std::unique_ptr<TokenProvider> make_token_provider(const Credentials& credentials,
                                                   GitHubClient client) {
  if (credentials.app) return make_app_token_provider(*credentials.app, std::move(client));
  return make_fixed_token_provider(credentials.token);
}

}  // namespace bindscan::webhook

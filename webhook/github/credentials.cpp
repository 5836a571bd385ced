#include "webhook/github/credentials.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cctype>
#include <cstdlib>

#include "webhook/config.h"

namespace bindscan::webhook {
namespace {

std::string trim(std::string text) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.back())) text.pop_back();
  size_t start = 0;
  while (start < text.size() && is_space(text[start])) ++start;
  return text.substr(start);
}

class FixedTokenProvider final : public TokenProvider {
 public:
  explicit FixedTokenProvider(std::string token) : token_(std::move(token)) {}
  Result<std::string> token(std::optional<int64_t>, std::string_view) override { return token_; }

 private:
  const std::string token_;
};

}  // namespace

Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view flag) {
  Result<std::string> text = read_whole_file(path);
  if (!text) return Error{"config", std::string(flag) + " " + text.error().message};
  std::string secret = trim(std::move(*text));
  if (secret.empty()) return Error{"config", std::string(flag) + " " + path.string() + ": the file is empty"};
  return secret;
}

Result<Credentials> token_credentials_from_file(const std::filesystem::path& path) {
  auto token = read_secret_file(path, "--token-file");
  if (!token) return token.error();
  return Credentials{std::move(*token), std::nullopt};
}

Result<Credentials> token_credentials_from_env(const char* variable) {
  const char* value = std::getenv(variable);
  std::string token = value ? trim(value) : std::string();
  if (token.empty()) {
    return Error{"config", std::string("no token: $") + variable + " is unset or empty"};
  }
  return Credentials{std::move(token), std::nullopt};
}

Result<Credentials> app_credentials(std::string app_id,
                                    const std::filesystem::path& private_key_file) {
  if (app_id.empty()) return Error{"config", "the GitHub App id is empty"};
  auto pem = read_secret_file(private_key_file, "--app-private-key-file");
  if (!pem) return pem.error();
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  const bool is_rsa = key && EVP_PKEY_base_id(key) == EVP_PKEY_RSA;
  EVP_PKEY_free(key);
  BIO_free(bio);
  if (!is_rsa) {
    return Error{"config", "the GitHub App key " + private_key_file.string() +
                               " is not a PEM RSA private key (download it from the App's settings)"};
  }
  return Credentials{std::string(), AppCredentials{std::move(app_id), std::move(*pem) + "\n"}};
}

std::unique_ptr<TokenProvider> make_fixed_token_provider(std::string token) {
  return std::make_unique<FixedTokenProvider>(std::move(token));
}

}  // namespace bindscan::webhook

// What the service authenticates to GitHub with, and where it comes from.
// Two kinds (reference §2): a fixed token (PAT, Actions' GITHUB_TOKEN), or a
// GitHub App (id + RSA private key) that mints one installation token per
// `installation.id`. The same token serves the REST API (`Authorization:
// Bearer`) and git over HTTPS (user `x-access-token`).
//
// Secrets never appear in an Error message, a log line or a URL. Files are
// read whole; surrounding whitespace (a trailing newline) is dropped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bindscan::webhook {

struct AppCredentials {
  std::string app_id;           // numeric App id or the App's client id: the JWT `iss`
  std::string private_key_pem;  // "-----BEGIN (RSA )PRIVATE KEY-----..." (PKCS#1 or PKCS#8)
};

struct Credentials {
  std::string token;                  // fixed token; used when `app` is empty
  std::optional<AppCredentials> app;  // set: mint installation tokens instead
};

// Reads a secret from a file, surrounding whitespace dropped. Errors (code
// "config") name the flag, the file and the reason: "--token-file PATH: No
// such file or directory", "...: Permission denied", "...: Is a directory",
// "...: the file is empty".
Result<std::string> read_secret_file(const std::filesystem::path& path, std::string_view flag);

// A fixed token from a file (--token-file) or an environment variable
// (GITHUB_TOKEN). The env variant fails when the variable is unset or blank.
Result<Credentials> token_credentials_from_file(const std::filesystem::path& path);
Result<Credentials> token_credentials_from_env(const char* variable = "GITHUB_TOKEN");

// A GitHub App: `app_id` as given, the key read from `private_key_file`. The
// key is checked to parse as an RSA private key, so a wrong file fails at
// start-up rather than at the first job.
Result<Credentials> app_credentials(std::string app_id,
                                    const std::filesystem::path& private_key_file);

// Hands out the token to use for one job. Thread-safe.
class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  // `installation_id` comes from the delivery; a fixed-token provider ignores
  // it, an App provider requires it (Error "auth" when absent). An App token
  // is scoped to the one `repository` (a name under the installation's
  // account) when it is not empty: GitHub refuses to mint it (422) when the
  // installation cannot see that repository, and the token can read and
  // write no other.
  virtual Result<std::string> token(std::optional<int64_t> installation_id,
                                    std::string_view repository) = 0;
};

// Always returns `token`.
std::unique_ptr<TokenProvider> make_fixed_token_provider(std::string token);

}  // namespace bindscan::webhook

// Authenticating as a GitHub App (reference §2.1, §2.2): an RS256 JWT signed
// with the App's private key (OpenSSL EVP), exchanged for an installation
// token that is cached per installation until shortly before it expires.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "webhook/github/credentials.h"
#include "webhook/github/github_client.h"

namespace bindscan::webhook {

// A compact JWS: base64url(header).base64url(claims).base64url(signature) with
// header {"alg":"RS256","typ":"JWT"} and claims iat = now - 60 s (clock drift),
// exp = now + 9 min (GitHub allows at most 10), iss = `app_id`.
// Fails ("auth") when the key does not parse as an RSA private key.
Result<std::string> make_app_jwt(std::string_view app_id, std::string_view private_key_pem,
                                 std::chrono::system_clock::time_point now);

// Mints installation tokens with `POST /app/installations/{id}/access_tokens`
// (expects 201 with `token` and `expires_at`) and caches each until
// `refresh_margin` before its expiry. Thread-safe; one exchange per
// installation at a time. Token errors keep GitHub's message ("github",
// "github-transient") or say the key is bad ("auth").
std::unique_ptr<TokenProvider> make_app_token_provider(
    AppCredentials app, GitHubClient client,
    std::chrono::seconds refresh_margin = std::chrono::minutes(5));

// The provider for `credentials`: fixed token or App (which uses `client`).
std::unique_ptr<TokenProvider> make_token_provider(const Credentials& credentials,
                                                   GitHubClient client);

// Parses GitHub's "2016-07-11T22:14:10Z" (UTC). For tests and the cache.
Result<std::chrono::system_clock::time_point> parse_github_time(std::string_view text);

}  // namespace bindscan::webhook

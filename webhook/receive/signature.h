// X-Hub-Signature-256: HMAC-SHA256 of the raw request body, keyed with the
// webhook secret, written as "sha256=" + 64 lowercase hex digits.
// Pure functions; the secret is only read, never copied into a message.
#pragma once

#include <string>
#include <string_view>

namespace bindscan::webhook {

// The header value GitHub would send for `body` signed with `secret`.
std::string sign_sha256(std::string_view secret, std::string_view body);

enum class SignatureCheck {
  kValid,
  kMissing,    // no header, or an empty one
  kMalformed,  // not "sha256=" + 64 hex digits
  kMismatch,   // well formed but wrong for this body and secret
};

// Checks `header` (the X-Hub-Signature-256 value, empty when absent) against
// the raw body bytes exactly as received. The comparison of digests takes
// the same time wherever they differ (CRYPTO_memcmp). Hex in the header may
// be upper or lower case.
SignatureCheck check_signature(std::string_view secret, std::string_view body,
                               std::string_view header);

// Short words for logs and replies: "valid", "missing", "malformed", "mismatch".
std::string_view to_string(SignatureCheck check);

}  // namespace bindscan::webhook

#include "webhook/receive/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <optional>

namespace bindscan::webhook {
namespace {

constexpr std::string_view kPrefix = "sha256=";
constexpr size_t kDigestBytes = 32;
using Digest = std::array<unsigned char, kDigestBytes>;

Digest hmac_sha256(std::string_view secret, std::string_view body) {
  Digest digest{};
  unsigned int length = 0;
  // A zero-length key is legal for HMAC; OpenSSL wants a non-null pointer.
  static const unsigned char kEmpty = 0;
  const void* key = secret.empty() ? &kEmpty : static_cast<const void*>(secret.data());
  const auto* data = reinterpret_cast<const unsigned char*>(body.data());
  HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), body.empty() ? &kEmpty : data,
       body.size(), digest.data(), &length);
  return digest;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Digest> parse_header(std::string_view header) {
  if (header.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view hex = header.substr(kPrefix.size());
  if (hex.size() != 2 * kDigestBytes) return std::nullopt;
  Digest digest{};
  for (size_t i = 0; i < kDigestBytes; ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return digest;
}

}  // namespace

std::string sign_sha256(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  Digest digest = hmac_sha256(secret, body);
  std::string out(kPrefix);
  for (unsigned char byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
  }
  return out;
}

SignatureCheck check_signature(std::string_view secret, std::string_view body,
                               std::string_view header) {
  if (header.empty()) return SignatureCheck::kMissing;
  std::optional<Digest> claimed = parse_header(header);
  if (!claimed) return SignatureCheck::kMalformed;
  Digest actual = hmac_sha256(secret, body);
  if (CRYPTO_memcmp(actual.data(), claimed->data(), kDigestBytes) != 0) {
    return SignatureCheck::kMismatch;
  }
  return SignatureCheck::kValid;
}

std::string_view to_string(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::kValid: return "valid";
    case SignatureCheck::kMissing: return "missing";
    case SignatureCheck::kMalformed: return "malformed";
    case SignatureCheck::kMismatch: return "mismatch";
  }
  return "unknown";
}

}  // namespace bindscan::webhook

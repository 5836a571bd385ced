// The X-Hub-Signature-256 check on arbitrary secrets, bodies and headers:
// never a crash; the signature GitHub would send always verifies (in either
// hex case); a header only verifies when it spells that signature; one changed
// hex digit, a different body and an all-zero digest never verify.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "webhook/receive/signature.h"

namespace {

using bindscan::webhook::check_signature;
using bindscan::webhook::sign_sha256;
using bindscan::webhook::SignatureCheck;

void fail(const char* what) {
  std::fprintf(stderr, "signature_fuzzer: invariant broken: %s\n", what);
  std::abort();
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

// Input: the secret, a newline, the header value, a newline, then the body.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bindscan::fuzzing::FuzzInput input(data, size);
  const std::string secret = input.take_line();
  const std::string header = input.take_line();
  const std::string body = input.rest();

  SignatureCheck arbitrary = check_signature(secret, body, header);
  if (to_string(arbitrary).empty()) fail("a check without a name");
  if (header.empty() != (arbitrary == SignatureCheck::kMissing)) fail("missing means exactly an empty header");

  const std::string good = sign_sha256(secret, body);
  if (good.size() != 71 || !good.starts_with("sha256=") || lower(good) != good) fail("sign_sha256 format");
  if (arbitrary == SignatureCheck::kValid && (!header.starts_with("sha256=") || lower(header) != good))
    fail("a header that is not the signature verified");
  if (check_signature(secret, body, good) != SignatureCheck::kValid) fail("a correct signature did not verify");

  std::string upper = good;
  for (size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  if (check_signature(secret, body, upper) != SignatureCheck::kValid) fail("upper-case hex did not verify");

  std::string flipped = good;
  size_t at = 7 + (body.size() + secret.size()) % 64;
  flipped[at] = flipped[at] == '0' ? '1' : '0';
  if (check_signature(secret, body, flipped) != SignatureCheck::kMismatch) fail("a changed digit verified");

  if (check_signature(secret, body + "x", good) != SignatureCheck::kMismatch) fail("a longer body verified");
  if (check_signature(secret, body, "sha256=" + std::string(64, '0')) == SignatureCheck::kValid)
    fail("an all-zero digest verified");
  if (check_signature(secret, body, good + "0") != SignatureCheck::kMalformed) fail("a long header is not malformed");
  return 0;
}

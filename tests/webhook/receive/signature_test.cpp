#include "webhook/receive/signature.h"

#include <gtest/gtest.h>

namespace bindscan::webhook {
namespace {

constexpr std::string_view kSecret = "It's a Secret to Everybody";
constexpr std::string_view kBody = "Hello, World!";
constexpr std::string_view kExpected =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

TEST(WebhookSignature, MatchesGitHubTestVector) {
  EXPECT_EQ(sign_sha256(kSecret, kBody), kExpected);
  EXPECT_EQ(check_signature(kSecret, kBody, kExpected), SignatureCheck::kValid);
}

TEST(WebhookSignature, AcceptsUpperCaseHex) {
  std::string upper(kExpected);
  for (size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(check_signature(kSecret, kBody, upper), SignatureCheck::kValid);
}

TEST(WebhookSignature, RejectsMissingHeader) {
  EXPECT_EQ(check_signature(kSecret, kBody, ""), SignatureCheck::kMissing);
}

TEST(WebhookSignature, RejectsOtherBody) {
  EXPECT_EQ(check_signature(kSecret, "Hello, World?", kExpected), SignatureCheck::kMismatch);
  EXPECT_EQ(check_signature(kSecret, "Hello, World! ", kExpected), SignatureCheck::kMismatch);
  EXPECT_EQ(check_signature(kSecret, "", kExpected), SignatureCheck::kMismatch);
}

TEST(WebhookSignature, RejectsOtherSecret) {
  EXPECT_EQ(check_signature("It's a secret to everybody", kBody, kExpected), SignatureCheck::kMismatch);
}

TEST(WebhookSignature, RejectsMalformedHeaders) {
  std::string digest(kExpected.substr(7));
  EXPECT_EQ(check_signature(kSecret, kBody, digest), SignatureCheck::kMalformed);
  EXPECT_EQ(check_signature(kSecret, kBody, "sha1=" + digest), SignatureCheck::kMalformed);
  EXPECT_EQ(check_signature(kSecret, kBody, "sha256=" + digest.substr(2)), SignatureCheck::kMalformed);
  EXPECT_EQ(check_signature(kSecret, kBody, "sha256=" + digest + "00"), SignatureCheck::kMalformed);
  EXPECT_EQ(check_signature(kSecret, kBody, "sha256=" + std::string(64, 'g')), SignatureCheck::kMalformed);
  EXPECT_EQ(check_signature(kSecret, kBody, " sha256=" + digest), SignatureCheck::kMalformed);
}

TEST(WebhookSignature, SignsBinaryAndNonAsciiBodies) {
  std::string body("caf\xc3\xa9\0\xff", 7);
  std::string header = sign_sha256(kSecret, body);
  EXPECT_EQ(check_signature(kSecret, body, header), SignatureCheck::kValid);
  EXPECT_EQ(check_signature(kSecret, body.substr(0, 6), header), SignatureCheck::kMismatch);
  EXPECT_EQ(check_signature("", "", sign_sha256("", "")), SignatureCheck::kValid);
}

}  // namespace
}  // namespace bindscan::webhook

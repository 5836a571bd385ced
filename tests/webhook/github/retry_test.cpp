#include "webhook/github/retry.h"

#include <gtest/gtest.h>

namespace bindscan::webhook {
namespace {

AttemptResult status(int code) {
  AttemptResult a;
  a.status = code;
  return a;
}

TEST(Retry, ClassifiesTransientAndPermanent) {
  EXPECT_EQ(classify(status(202)), Outcome::kSuccess);
  EXPECT_EQ(classify(status(0)), Outcome::kTransient);
  for (int code : {500, 502, 503, 504, 429}) EXPECT_EQ(classify(status(code)), Outcome::kTransient) << code;
  for (int code : {400, 401, 403, 404, 413, 422}) EXPECT_EQ(classify(status(code)), Outcome::kPermanent) << code;
}

TEST(Retry, A403IsTransientOnlyWhenRateLimited) {
  AttemptResult exhausted = status(403);
  exhausted.ratelimit_remaining = "0";
  EXPECT_TRUE(is_rate_limited(exhausted));
  AttemptResult secondary = status(403);
  secondary.message = "You have exceeded a secondary rate limit. Please wait.";
  EXPECT_EQ(classify(secondary), Outcome::kTransient);
  AttemptResult forbidden = status(403);
  forbidden.message = "Resource not accessible by integration";
  forbidden.ratelimit_remaining = "4999";
  EXPECT_EQ(classify(forbidden), Outcome::kPermanent);
}

TEST(Retry, BackoffGrowsExponentiallyUpToTheCap) {
  RetryPolicy policy;
  policy.initial_delay = Millis(100);
  policy.max_delay = Millis(1000);
  EXPECT_EQ(backoff_delay(policy, 1, 0.5), Millis(100));
  EXPECT_EQ(backoff_delay(policy, 2, 0.5), Millis(200));
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), Millis(400));
  EXPECT_EQ(backoff_delay(policy, 10, 0.5), Millis(1000));
}

TEST(Retry, JitterStaysWithinItsFraction) {
  RetryPolicy policy;
  policy.initial_delay = Millis(1000);
  policy.jitter = 0.25;
  EXPECT_EQ(backoff_delay(policy, 1, 0.0), Millis(750));
  EXPECT_EQ(backoff_delay(policy, 1, 0.999999), Millis(1249));
}

TEST(Retry, HonoursRetryAfterOverBackoff) {
  RetryPolicy policy;
  policy.initial_delay = Millis(10);
  AttemptResult limited = status(429);
  limited.retry_after = "7";
  const RetryDecision d = decide(policy, 1, limited, 1000, 0.5);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay, Millis(7000));
}

TEST(Retry, WaitsUntilRateLimitResetWhenNoRetryAfter) {
  RetryPolicy policy;
  policy.initial_delay = Millis(10);
  AttemptResult limited = status(403);
  limited.ratelimit_remaining = "0";
  limited.ratelimit_reset = "1030";
  const RetryDecision d = decide(policy, 1, limited, 1000, 0.5);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.delay, Millis(31000));
}

TEST(Retry, RateLimitWithoutHintsWaitsTheFallback) {
  RetryPolicy policy;
  policy.initial_delay = Millis(10);
  policy.rate_limit_fallback = Millis(60000);
  EXPECT_EQ(decide(policy, 1, status(429), 0, 0.5).delay, Millis(60000));
}

TEST(Retry, GivesUpWhenTheServerAsksForTooLong) {
  RetryPolicy policy;
  policy.max_server_delay = Millis(10000);
  AttemptResult limited = status(429);
  limited.retry_after = "3600";
  const RetryDecision d = decide(policy, 1, limited, 0, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.reason.find("3600"), std::string::npos);
}

TEST(Retry, BoundsTheNumberOfAttempts) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  EXPECT_TRUE(decide(policy, 2, status(503), 0, 0.5).retry);
  const RetryDecision last = decide(policy, 3, status(503), 0, 0.5);
  EXPECT_FALSE(last.retry);
  EXPECT_NE(last.reason.find("3 attempts"), std::string::npos);
}

TEST(Retry, NeverRetriesPermanentFailures) {
  EXPECT_FALSE(decide(RetryPolicy{}, 1, status(422), 0, 0.5).retry);
  EXPECT_FALSE(decide(RetryPolicy{}, 1, status(401), 0, 0.5).retry);
}

TEST(Retry, IgnoresMalformedHeaders) {
  AttemptResult limited = status(429);
  limited.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT";
  EXPECT_EQ(server_requested_delay(limited, 0), std::nullopt);
}

TEST(Retry, PollDelayGrowsToItsCap) {
  PollPolicy policy{Millis(5000), 1.5, Millis(10000), Millis(60000)};
  EXPECT_EQ(poll_delay(policy, 0), Millis(5000));
  EXPECT_EQ(poll_delay(policy, 1), Millis(7500));
  EXPECT_EQ(poll_delay(policy, 5), Millis(10000));
}

}  // namespace
}  // namespace bindscan::webhook

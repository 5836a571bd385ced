#include "webhook/github/retry.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace bindscan::webhook {
namespace {

std::optional<int64_t> parse_integer(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  std::string_view s = *text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

bool mentions_rate_limit(std::string_view message) {
  std::string lower(message);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("rate limit") != std::string::npos;
}

}  // namespace

bool is_rate_limited(const AttemptResult& attempt) {
  if (attempt.status == 429) return true;
  if (attempt.status != 403) return false;
  return parse_integer(attempt.ratelimit_remaining) == 0 || attempt.retry_after.has_value() ||
         mentions_rate_limit(attempt.message);
}

Outcome classify(const AttemptResult& attempt) {
  if (attempt.status == 0) return Outcome::kTransient;
  if (attempt.status >= 200 && attempt.status < 400) return Outcome::kSuccess;
  if (attempt.status >= 500 || attempt.status == 408 || is_rate_limited(attempt)) {
    return Outcome::kTransient;
  }
  return Outcome::kPermanent;
}

Millis backoff_delay(const RetryPolicy& policy, int failed_attempts, double unit_random) {
  const double base = static_cast<double>(policy.initial_delay.count()) *
                      std::pow(policy.multiplier, std::max(0, failed_attempts - 1));
  const double capped = std::min(base, static_cast<double>(policy.max_delay.count()));
  const double factor = 1.0 + policy.jitter * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0);
  return Millis(static_cast<int64_t>(std::max(0.0, capped * factor)));
}

std::optional<Millis> server_requested_delay(const AttemptResult& attempt,
                                             int64_t now_epoch_seconds) {
  if (auto seconds = parse_integer(attempt.retry_after)) {
    return Millis(std::max<int64_t>(0, *seconds) * 1000);
  }
  if (parse_integer(attempt.ratelimit_remaining) == 0) {
    if (auto reset = parse_integer(attempt.ratelimit_reset)) {
      // One extra second: the reset instant is rounded down to whole seconds.
      return Millis(std::max<int64_t>(0, *reset - now_epoch_seconds + 1) * 1000);
    }
  }
  return std::nullopt;
}

RetryDecision decide(const RetryPolicy& policy, int failed_attempts, const AttemptResult& last,
                     int64_t now_epoch_seconds, double unit_random) {
  const std::string what =
      last.status == 0 ? std::string("no response") : "HTTP " + std::to_string(last.status);
  switch (classify(last)) {
    case Outcome::kSuccess:
      return {false, Millis(0), "succeeded"};
    case Outcome::kPermanent:
      return {false, Millis(0), what + " is not worth retrying"};
    case Outcome::kTransient:
      break;
  }
  if (failed_attempts >= policy.max_attempts) {
    return {false, Millis(0),
            "gave up after " + std::to_string(failed_attempts) + " attempts (last: " + what + ")"};
  }
  Millis delay = backoff_delay(policy, failed_attempts, unit_random);
  if (auto requested = server_requested_delay(last, now_epoch_seconds)) {
    if (*requested > policy.max_server_delay) {
      return {false, Millis(0),
              what + " asks to wait " + std::to_string(requested->count() / 1000) +
                  " s, longer than the " +
                  std::to_string(policy.max_server_delay.count() / 1000) + " s we allow"};
    }
    delay = std::max(delay, *requested);
  } else if (is_rate_limited(last)) {
    delay = std::max(delay, policy.rate_limit_fallback);
  }
  return {true, delay, what + ", retrying"};
}

Millis poll_delay(const PollPolicy& policy, int polls_done) {
  const double base = static_cast<double>(policy.initial_delay.count()) *
                      std::pow(policy.multiplier, std::max(0, polls_done));
  return Millis(static_cast<int64_t>(std::min(base, static_cast<double>(policy.max_delay.count()))));
}

void StopSignal::request_stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  changed_.notify_all();
}

bool StopSignal::stop_requested() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

bool StopSignal::wait_for(Millis delay) const {
  std::unique_lock lock(mutex_);
  return !changed_.wait_for(lock, delay, [this] { return stopped_; });
}

}  // namespace bindscan::webhook

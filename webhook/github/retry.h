// When to try an HTTP request again, and how long to wait first. The policy
// is pure: no clocks, no sleeping, no randomness of its own. The caller passes
// the current time and a random number, so every decision is reproducible in
// a test. StopSignal, at the end, is the one part that waits: it lets a
// shutdown cut those waits short.
//
// The rules follow GitHub's guidance (reference §3.2, §3.4):
//   - network errors, timeouts and 5xx are transient: retry with exponential
//     backoff plus jitter;
//   - 429, and 403 when it is a rate limit (x-ratelimit-remaining: 0, a
//     Retry-After header, or a message naming a rate limit), are transient too,
//     but the wait honours Retry-After, else x-ratelimit-reset, else at least
//     `rate_limit_fallback`;
//   - every other 4xx (400, 401, 403, 404, 413, 422, ...) is permanent;
//   - attempts are bounded by `max_attempts`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace bindscan::webhook {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
  int max_attempts = 5;              // total tries, the first included; >= 1
  Millis initial_delay{1000};        // wait before the 2nd try (before jitter)
  double multiplier = 2.0;           // growth per further try
  Millis max_delay{60000};           // cap of the computed backoff
  double jitter = 0.25;              // +/- this fraction of the backoff, uniformly
  Millis rate_limit_fallback{60000}; // rate limited, but no hint when it ends
  Millis max_server_delay{900000};   // longest Retry-After / reset we accept to wait;
                                     // longer ones give up (permanent for this job)
  // Longest wait the caller's thread sleeps through before the next try. A
  // longer wait is not slept: the call fails "github-transient" with
  // Error::retry_after_ms set, and the caller schedules the next try itself
  // (`bindscan serve` sets 0, so no worker ever sleeps on GitHub).
  Millis max_wait_in_call{Millis::max()};
};

// How to poll an asynchronous result (SARIF processing, §3.3): the first wait
// is `initial_delay`, then it grows by `multiplier` up to `max_delay`; polling
// stops once `total` time has been spent waiting.
struct PollPolicy {
  Millis initial_delay{5000};
  double multiplier = 1.5;
  Millis max_delay{60000};
  Millis total{600000};
};

// The parts of a response that matter for the decision. `status` is 0 when no
// response came (connection refused, timeout, TLS failure, ...).
struct AttemptResult {
  int status = 0;
  std::optional<std::string> retry_after;            // Retry-After header, as sent
  std::optional<std::string> ratelimit_remaining;    // x-ratelimit-remaining
  std::optional<std::string> ratelimit_reset;        // x-ratelimit-reset (epoch seconds)
  std::string message;                               // GitHub's "message", if any
};

enum class Outcome {
  kSuccess,    // 2xx (and 3xx, which we never ask for)
  kTransient,  // worth another try after a wait
  kPermanent,  // retrying cannot help
};

// Classifies one attempt by the rules above.
Outcome classify(const AttemptResult& attempt);

// True for a 429, or a 403 that GitHub sent because of a rate limit.
bool is_rate_limited(const AttemptResult& attempt);

// Exponential backoff for the try after `failed_attempts` failures (1-based:
// 1 → initial_delay). `unit_random` in [0, 1) picks the jitter; 0.5 means none.
Millis backoff_delay(const RetryPolicy& policy, int failed_attempts, double unit_random);

// The wait a response asks for: Retry-After in whole seconds (what GitHub
// sends; an HTTP-date is ignored), else, when x-ratelimit-remaining is 0, the
// time until x-ratelimit-reset (`now_epoch_seconds` is the current Unix time),
// else nothing. Never negative.
std::optional<Millis> server_requested_delay(const AttemptResult& attempt,
                                             int64_t now_epoch_seconds);

struct RetryDecision {
  bool retry = false;
  Millis delay{0};      // how long to wait before the next try, when retry
  std::string reason;   // why it stops or waits, for the error message / log
};

// Whether to try again after `failed_attempts` attempts have failed, the last
// of which is `last`.
RetryDecision decide(const RetryPolicy& policy, int failed_attempts, const AttemptResult& last,
                     int64_t now_epoch_seconds, double unit_random);

// The wait before poll number `polls_done + 1` (polls_done = 0 → initial_delay).
Millis poll_delay(const PollPolicy& policy, int polls_done);

// A one-way switch that ends waits early: once request_stop() is called,
// every wait_for() in progress returns at once and later ones do not wait.
// `bindscan serve` sets it on SIGTERM so that a job in a retry backoff, a
// Retry-After wait or a polling interval gives up within milliseconds instead
// of minutes. Thread-safe; never reset.
class StopSignal {
 public:
  void request_stop();
  bool stop_requested() const;
  // Sleeps for `delay` or until a stop is requested, whichever comes first.
  // True when the whole delay passed without a stop.
  bool wait_for(Millis delay) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopped_ = false;
};

}  // namespace bindscan::webhook

// Counters for GET /metrics, rendered in the Prometheus text format (0.0.4).
// Thread-safe. Label values come from fixed sets chosen here, never raw
// request data, so a sender cannot grow the label space.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "webhook/jobs/job.h"
#include "webhook/jobs/job_store.h"

namespace bindscan::webhook {

class Metrics {
 public:
  // `event` is reduced to push / pull_request / ping / other; `outcome` is
  // one of the receiver's outcome words (queued, duplicate, ignored, ...).
  void count_delivery(std::string_view event, std::string_view outcome);
  // Time from the request arriving to the reply, in seconds.
  void observe_reply(double seconds);
  // One finished attempt of a job: `result` is "uploaded", "failed", "retry",
  // "awaiting-processing" or "superseded".
  void count_job(const JobOutcome& outcome, std::string_view result, double seconds);
  // One processing check: "uploaded", "failed", "processing" or "upload-again".
  void count_check(std::string_view result);
  // The alert dismissals after one processed upload (webhook/github/alerts.h).
  void count_alerts(const AlertSync& sync);
  // Time from a delivery's admission to GitHub having processed its upload.
  void observe_processed(double seconds);

  // The whole exposition; `counts` gives the jobs-by-state and queue gauges.
  std::string render(const JobCounts& counts) const;

 private:
  struct Histogram {
    std::array<uint64_t, 12> buckets{};  // cumulative per bound
    uint64_t count = 0;
    double sum = 0;
  };
  static void observe(Histogram& h, const std::array<double, 12>& bounds, double value);

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> deliveries_;
  std::map<std::string, uint64_t> job_results_;
  std::map<std::string, uint64_t> check_results_;
  Histogram processed_seconds_;
  uint64_t files_parsed_ = 0;
  uint64_t files_reused_ = 0;
  uint64_t findings_ = 0;
  uint64_t alerts_dismissed_ = 0;
  uint64_t alerts_reopened_ = 0;
  uint64_t alert_failures_ = 0;
  Histogram reply_seconds_;
  Histogram job_seconds_;
};

}  // namespace bindscan::webhook

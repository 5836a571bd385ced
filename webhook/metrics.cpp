#include "webhook/metrics.h"

#include <charconv>
#include <sstream>
#include <string>

namespace bindscan::webhook {
namespace {

constexpr std::array<double, 12> kReplyBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,   0.25,   0.5,   1,    5};
constexpr std::array<double, 12> kJobBounds = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

std::string event_label(std::string_view event) {
  if (event == "push" || event == "pull_request" || event == "ping") return std::string(event);
  return "other";
}

// The shortest text that reads back as the same double: a stream's default 6
// significant digits would freeze a growing sum, and rate() with it.
std::string exact(double value) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return ec == std::errc{} ? std::string(text, end) : "NaN";
}

void render_counter(std::ostream& out, std::string_view name, std::string_view help, uint64_t value) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << value << '\n';
}

void render_histogram(std::ostream& out, std::string_view name, std::string_view help,
                      const std::array<double, 12>& bounds, uint64_t count, double sum,
                      const std::array<uint64_t, 12>& buckets) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
  for (size_t i = 0; i < bounds.size(); ++i) {
    out << name << "_bucket{le=\"" << bounds[i] << "\"} " << buckets[i] << '\n';
  }
  out << name << "_bucket{le=\"+Inf\"} " << count << '\n';
  out << name << "_sum " << exact(sum) << '\n' << name << "_count " << count << '\n';
}

}  // namespace

void Metrics::observe(Histogram& h, const std::array<double, 12>& bounds, double value) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (value <= bounds[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += value;
}

void Metrics::count_delivery(std::string_view event, std::string_view outcome) {
  std::lock_guard lock(mutex_);
  ++deliveries_[{event_label(event), std::string(outcome)}];
}

void Metrics::observe_reply(double seconds) {
  std::lock_guard lock(mutex_);
  observe(reply_seconds_, kReplyBounds, seconds);
}

void Metrics::count_job(const JobOutcome& outcome, std::string_view result, double seconds) {
  std::lock_guard lock(mutex_);
  ++job_results_[std::string(result)];
  files_parsed_ += static_cast<uint64_t>(std::max(0, outcome.files_parsed));
  files_reused_ += static_cast<uint64_t>(std::max(0, outcome.files_reused));
  if (outcome.uploaded) findings_ += static_cast<uint64_t>(std::max(0, outcome.findings));
  observe(job_seconds_, kJobBounds, seconds);
}

void Metrics::count_check(std::string_view result) {
  std::lock_guard lock(mutex_);
  ++check_results_[std::string(result)];
}

void Metrics::count_alerts(const AlertSync& sync) {
  std::lock_guard lock(mutex_);
  alerts_dismissed_ += static_cast<uint64_t>(std::max(0, sync.dismissed));
  alerts_reopened_ += static_cast<uint64_t>(std::max(0, sync.reopened));
  alert_failures_ += static_cast<uint64_t>(std::max(0, sync.failed));
}

void Metrics::observe_processed(double seconds) {
  std::lock_guard lock(mutex_);
  observe(processed_seconds_, kJobBounds, seconds);
}

std::string Metrics::render(const JobCounts& counts) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP bindscan_webhook_deliveries_total Webhook deliveries by event and outcome.\n"
         "# TYPE bindscan_webhook_deliveries_total counter\n";
  for (const auto& [key, value] : deliveries_) {
    out << "bindscan_webhook_deliveries_total{event=\"" << key.first << "\",outcome=\""
        << key.second << "\"} " << value << '\n';
  }
  out << "# HELP bindscan_queue_depth Jobs waiting to run (including retries backing off).\n"
         "# TYPE bindscan_queue_depth gauge\n"
      << "bindscan_queue_depth " << counts.queued << '\n';
  out << "# HELP bindscan_jobs Job records by state.\n# TYPE bindscan_jobs gauge\n"
      << "bindscan_jobs{state=\"queued\"} " << counts.queued << '\n'
      << "bindscan_jobs{state=\"running\"} " << counts.running << '\n'
      << "bindscan_jobs{state=\"awaiting-processing\"} " << counts.awaiting_processing << '\n'
      << "bindscan_jobs{state=\"uploaded\"} " << counts.uploaded << '\n'
      << "bindscan_jobs{state=\"failed\"} " << counts.failed << '\n'
      << "bindscan_jobs{state=\"superseded\"} " << counts.superseded << '\n';
  out << "# HELP bindscan_job_attempts_total Finished job attempts by result "
         "(uploaded, failed, retry, awaiting-processing, superseded).\n"
         "# TYPE bindscan_job_attempts_total counter\n";
  for (std::string_view result : {"uploaded", "failed", "retry", "awaiting-processing", "superseded"}) {
    auto it = job_results_.find(std::string(result));
    out << "bindscan_job_attempts_total{result=\"" << result << "\"} "
        << (it == job_results_.end() ? 0 : it->second) << '\n';
  }
  out << "# HELP bindscan_processing_checks_total Checks of uploads awaiting GitHub's processing, "
         "by result.\n# TYPE bindscan_processing_checks_total counter\n";
  for (std::string_view result : {"uploaded", "failed", "processing", "upload-again"}) {
    auto it = check_results_.find(std::string(result));
    out << "bindscan_processing_checks_total{result=\"" << result << "\"} "
        << (it == check_results_.end() ? 0 : it->second) << '\n';
  }
  render_counter(out, "bindscan_files_parsed_total", "Python files parsed by jobs.", files_parsed_);
  render_counter(out, "bindscan_files_reused_total", "Python files whose results came from the cache.", files_reused_);
  render_counter(out, "bindscan_findings_uploaded_total", "Results in uploaded SARIF files.", findings_);
  render_counter(out, "bindscan_alerts_dismissed_total", "Code-scanning alerts dismissed for allowed findings.",
                 alerts_dismissed_);
  render_counter(out, "bindscan_alerts_reopened_total",
                 "Alerts bindscan had dismissed, reopened once no longer allowed.", alerts_reopened_);
  render_counter(out, "bindscan_alert_sync_failures_total",
                 "Alert list or update requests that failed (the next upload's sync retries).", alert_failures_);
  render_histogram(out, "bindscan_webhook_reply_seconds",
                   "Time from receiving a webhook request to replying.", kReplyBounds,
                   reply_seconds_.count, reply_seconds_.sum, reply_seconds_.buckets);
  render_histogram(out, "bindscan_job_duration_seconds", "Wall time of one job attempt.",
                   kJobBounds, job_seconds_.count, job_seconds_.sum, job_seconds_.buckets);
  render_histogram(out, "bindscan_delivery_to_processed_seconds",
                   "Time from a delivery being queued to GitHub having processed its upload.",
                   kJobBounds, processed_seconds_.count, processed_seconds_.sum,
                   processed_seconds_.buckets);
  return out.str();
}

}  // namespace bindscan::webhook

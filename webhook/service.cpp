#include "webhook/service.h"

#include <httplib.h>

#include <iostream>
#include <mutex>
#include <random>

#include <nlohmann/json.hpp>

#include "webhook/receive/events.h"
#include "webhook/receive/http_server.h"
#include "webhook/log.h"
#include "webhook/receive/signature.h"

namespace bindscan::webhook {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// Connections the kernel may hold before accept(): GitHub and load tests
// open many at once (the kernel caps it at net.core.somaxconn).
constexpr int kListenBacklog = 1024;

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Header values and other request text go into logs only through here: JSON
// escaping makes them inert, and the cap keeps a hostile header short.
std::string clip(std::string_view text) { return std::string(text.substr(0, 200)); }

Reply json_reply(int status, json body) {
  return Reply{status, body.dump(-1, ' ', false, json::error_handler_t::replace), std::nullopt};
}

Reply error_reply(int status, std::string_view message) {
  return json_reply(status, {{"error", message}});
}

// The media type without parameters, compared case-insensitively (RFC 9110
// §8.3.1). A missing Content-Type is refused too: GitHub always sends one,
// and a sender without it is not set up as the hook's content type says.
bool is_json_content_type(std::string_view type) {
  std::string_view media = type.substr(0, type.find(';'));
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!media.empty() && blank(media.back())) media.remove_suffix(1);
  while (!media.empty() && blank(media.front())) media.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  return media.size() == kJson.size() &&
         std::equal(media.begin(), media.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// Set by the HTTP logger of the thread serving a request when it answered
// 413: the limit handler then knows the request was already counted.
thread_local bool answered_too_large = false;

double random_unit() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

struct Service::Http {
  GuardedServer server;
};

LogSink stderr_log() {
  auto mutex = std::make_shared<std::mutex>();
  return [mutex](const std::string& line) {
    std::lock_guard lock(*mutex);
    std::cerr << line << '\n' << std::flush;
  };
}

std::optional<std::chrono::milliseconds> JobRetryPolicy::delay_after(int attempts, bool retryable,
                                                                  double jitter01) const {
  if (!retryable || attempts >= max_attempts) return std::nullopt;
  auto delay = base_delay;
  for (int i = 1; i < attempts && delay < max_delay; ++i) delay *= 2;
  delay = std::min(delay, max_delay);
  auto jitter = std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(delay.count()) * 0.25 * std::clamp(jitter01, 0.0, 1.0)));
  return delay + jitter;
}

Service::Service(ServiceOptions options, JobStore& store, JobRunner& runner, LogSink log)
    : options_(std::move(options)), store_(store), runner_(runner), log_(std::move(log)),
      http_(std::make_unique<Http>()) {}

Service::~Service() { stop(); }

Status Service::start() {
  GuardedServer& server = http_->server;
  server.set_payload_max_length(options_.max_body_bytes);
  server.set_read_timeout(options_.read_timeout);
  server.set_write_timeout(options_.read_timeout);
  server.set_keep_alive_timeout(options_.idle_timeout.count());
  server.set_request_timeout(options_.request_timeout);
  server.set_max_header_bytes(options_.max_header_bytes);
  server.set_thread_count(static_cast<size_t>(std::max(options_.http_threads, 1)));
  // A request cut short never reaches a handler: count and log it here.
  server.set_limit_handler([this](RequestLimit limit) {
    std::string why;
    switch (limit) {
      case RequestLimit::kRequestTimeout:
        why = "request not read within " + std::to_string(options_.request_timeout.count()) + " s";
        break;
      case RequestLimit::kReadTimeout:
        why = "no request byte for " + std::to_string(options_.read_timeout.count()) + " s";
        break;
      case RequestLimit::kHeaderBytes:
        why = "request line and headers over " + std::to_string(options_.max_header_bytes) + " bytes";
        break;
      case RequestLimit::kRequestBytes:
        why = "request over " + std::to_string(options_.max_header_bytes + options_.max_body_bytes) +
              " bytes";
        break;
      case RequestLimit::kWriteTimeout:
        why = "reply not written within " + std::to_string(options_.read_timeout.count()) + " s";
        break;
    }
    // A body over --max-body-bytes was answered 413 and logged as such; the
    // same request running into the stream's byte bound is not a second one.
    if (limit == RequestLimit::kRequestBytes && answered_too_large) {
      answered_too_large = false;
      return;
    }
    metrics_.count_delivery("", to_string(limit));
    log_delivery({}, nullptr, to_string(limit), Reply{400, "", std::nullopt}, 0, why);
  });

  auto send = [](httplib::Response& res, const Reply& reply) {
    res.status = reply.status;
    if (reply.retry_after_seconds) {
      res.set_header("Retry-After", std::to_string(*reply.retry_after_seconds));
    }
    res.set_content(reply.body, "application/json");
  };
  server.Post("/webhook", [this, send](const httplib::Request& req, httplib::Response& res) {
    std::string event = req.get_header_value("X-GitHub-Event");
    std::string delivery = req.get_header_value("X-GitHub-Delivery");
    std::string signature = req.get_header_value("X-Hub-Signature-256");
    std::string content_type = req.get_header_value("Content-Type");
    send(res, handle_webhook({event, delivery, signature, content_type, req.body}));
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  server.Get("/readyz", [this, send](const httplib::Request&, httplib::Response& res) {
    send(res, readyz());
  });
  server.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_text(), "text/plain; version=0.0.4");
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(R"({"error":"internal error"})", "application/json");
  });
  // Bodies over the limit are refused by cpp-httplib before a handler runs;
  // the logger still sees them, so they get a log line and a count too.
  auto too_large_reason = [this] {
    return "body larger than " + std::to_string(options_.max_body_bytes) + " bytes (--max-body-bytes)";
  };
  // cpp-httplib answers an oversize body itself, with an empty body; make it
  // JSON like every other error.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [too_large_reason](const httplib::Request&, httplib::Response& res) {
        if (res.status != 413 || !res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        res.set_content(error_reply(413, too_large_reason()).body, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_logger([this, too_large_reason](const httplib::Request& req, const httplib::Response& res) {
    answered_too_large = res.status == 413;
    if (res.status != 413) return;
    std::string event = req.get_header_value("X-GitHub-Event");
    std::string delivery = req.get_header_value("X-GitHub-Delivery");
    metrics_.count_delivery(event, "too-large");
    Reply reply{413, "", std::nullopt};
    log_delivery({event, delivery, "", "", ""}, nullptr, "too-large", reply, 0, too_large_reason());
  });

  if (options_.port == 0) {
    int port = server.bind_to_any_port(options_.host);
    if (port <= 0) return Error{"io", "cannot listen on " + options_.host + " (any port)"};
    bound_port_ = static_cast<uint16_t>(port);
  } else {
    if (!server.bind_to_port(options_.host, options_.port)) {
      return Error{"io", "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (in use, or not an address of this host?)"};
    }
    bound_port_ = options_.port;
  }
  if (!server.set_listen_backlog(kListenBacklog)) return Error{"io", "cannot listen on " + options_.host};
  started_ = true;
  http_thread_ = std::thread([this] { http_->server.listen_after_bind(); });
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  lease_thread_ = std::thread([this] { lease_loop(); });
  return ok_status();
}

void Service::stop() {
  if (stopping_.exchange(true) || !started_) return;
  // First, so that jobs waiting on GitHub give up while the listener closes.
  job_stop_.request_stop();
  // cpp-httplib drops a stop() that comes before its accept loop runs (and
  // join() would then wait forever): give a just-started loop a moment.
  for (int i = 0; i < 1000 && !http_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  http_->server.stop();
  if (http_thread_.joinable()) http_thread_.join();
  store_.close();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  lease_stop_.request_stop();
  if (lease_thread_.joinable()) lease_thread_.join();
}

Reply Service::handle_webhook(const DeliveryRequest& request) {
  auto start = SteadyClock::now();
  auto finish = [&](std::string_view outcome, Reply reply, const Job* job, std::string_view detail) {
    metrics_.count_delivery(request.event, outcome);
    double seconds = seconds_since(start);
    metrics_.observe_reply(seconds);
    log_delivery(request, job, outcome, reply, seconds, detail);
    return reply;
  };

  SignatureCheck check = check_signature(options_.webhook_secret.reveal(), request.body, request.signature);
  if (check != SignatureCheck::kValid) {
    std::string why = "X-Hub-Signature-256 is " + std::string(to_string(check));
    return finish("bad-signature", error_reply(401, why), nullptr, why);
  }
  if (!is_json_content_type(request.content_type)) {
    std::string why = (request.content_type.empty() ? std::string("no Content-Type")
                                                    : "content type " + clip(request.content_type)) +
                      " is not accepted; set the webhook's content type to application/json";
    return finish("unsupported-media-type", error_reply(415, why), nullptr, why);
  }
  EventPolicy policy{options_.clone_hosts, options_.max_json_depth, options_.require_installation};
  Result<EventDecision> decision = parse_event(request.event, request.delivery_id, request.body, policy);
  if (!decision) {
    return finish("bad-request", error_reply(400, decision.error().message), nullptr,
                  decision.error().message);
  }
  switch (decision->action) {
    case EventAction::kPing:
      return finish("ping", json_reply(200, {{"status", "pong"}}), nullptr, "");
    case EventAction::kIgnore:
      return finish("ignored", json_reply(202, {{"status", "ignored"}, {"reason", decision->reason}}),
                    nullptr, decision->reason);
    case EventAction::kQueue:
      break;
  }
  const Job& job = decision->job;
  Result<Admission> admission = store_.admit(job);
  if (!admission) {
    Reply reply = error_reply(503, "cannot store the job; try again later");
    reply.retry_after_seconds = options_.retry_after_seconds;
    return finish("store-error", reply, &job, admission.error().message);
  }
  switch (*admission) {
    case Admission::kAccepted:
    case Admission::kRequeued: {
      bool again = *admission == Admission::kRequeued;
      return finish(again ? "requeued" : "queued",
                    json_reply(202, {{"status", "queued"}, {"job", job.id}}), &job,
                    again ? "earlier job for this delivery had failed" : "");
    }
    case Admission::kDuplicate: {
      std::optional<JobRecord> record = store_.find(job.id);
      std::string state = record ? std::string(to_string(record->state)) : "unknown";
      return finish("duplicate",
                    json_reply(200, {{"status", "duplicate"}, {"job", job.id}, {"state", state}}),
                    &job, "delivery already has a job (" + state + ")");
    }
    case Admission::kQueueFull: {
      Reply reply = error_reply(503, "job queue is full; try again later");
      reply.retry_after_seconds = options_.retry_after_seconds;
      return finish("queue-full", reply, &job, "");
    }
  }
  return error_reply(500, "internal error");
}

Reply Service::readyz() const {
  if (!store_.writable()) {
    return Reply{503, json{{"ready", false}, {"reason", store_.unavailable_reason()}}.dump(),
                 options_.retry_after_seconds};
  }
  if (store_.queue_full()) {
    return Reply{503, json{{"ready", false}, {"reason", "job queue is full"}}.dump(),
                 options_.retry_after_seconds};
  }
  return Reply{200, json{{"ready", true}}.dump(), std::nullopt};
}

std::string Service::metrics_text() const { return metrics_.render(store_.counts()); }

void Service::log_delivery(const DeliveryRequest& request, const Job* job, std::string_view outcome,
                           const Reply& reply, double seconds, std::string_view detail) {
  json line = {{"msg", "delivery"},
               {"delivery", clip(request.delivery_id)},
               {"event", clip(request.event)},
               {"outcome", outcome},
               {"status", reply.status},
               {"bytes", request.body.size()},
               {"reply_ms", seconds * 1000}};
  if (job != nullptr) {
    line["repo"] = job->owner + "/" + job->repo;
    line["commit"] = job->commit_sha;
    line["ref"] = job->ref;
    line["job"] = job->id;
  }
  if (!detail.empty()) line["detail"] = clip(detail);
  log_(log_line(reply.status < 400 ? "info" : "warning", std::move(line)));
}

void Service::worker_loop() {
  // Once stopping, take nothing more: a job put back would only be taken again.
  while (!job_stop_.stop_requested()) {
    std::optional<Job> job = store_.take();
    if (!job) break;
    held_.add(job->id);
    if (job->check_processing) {
      check_one(*job);
    } else if (!job->superseded_by.empty()) {
      skip_superseded(*job);
    } else {
      run_one(*job);
    }
    held_.remove(job->id);
  }
}

void Service::lease_loop() {
  // A shared store hands a job whose lease ran out to another replica: tell
  // it, well before then, that this process still works on what it holds.
  while (lease_stop_.wait_for(options_.lease_renewal)) {
    if (std::vector<std::string> ids = held_.ids(); !ids.empty()) store_.renew_leases(ids);
  }
}

void Service::log_job(const Job& job, std::string_view result, const JobOutcome& outcome,
                      double seconds, const Status& stored, std::optional<int64_t> retry_at,
                      std::string_view detail) {
  json line = {{"msg", "job"},
               {"job", job.id},
               {"delivery", job.delivery_id},
               {"event", job.event},
               {"repo", job.owner + "/" + job.repo},
               {"commit", job.commit_sha},
               {"ref", job.ref},
               {"attempt", job.attempts},
               {"outcome", result},
               {"files_parsed", outcome.files_parsed},
               {"files_reused", outcome.files_reused},
               {"findings", outcome.findings},
               {"duration_ms", seconds * 1000}};
  if (!outcome.sarif_id.empty()) line["upload_id"] = outcome.sarif_id;
  if (!outcome.processing_status.empty()) line["processing_status"] = outcome.processing_status;
  if (outcome.error) line["error"] = outcome.error->code + ": " + outcome.error->message;
  if (outcome.allowed > 0) line["allowed"] = outcome.allowed;
  // The alert sync (webhook/github/alerts.h) never fails the job: the upload
  // stands and the next upload's sync retries, so its failure is said here.
  if (outcome.alerts.attempted) {
    line["alerts_dismissed"] = outcome.alerts.dismissed;
    line["alerts_reopened"] = outcome.alerts.reopened;
    line["alerts_failed"] = outcome.alerts.failed;
    if (!outcome.alerts.error.empty()) line["alerts_error"] = clip(outcome.alerts.error);
  } else if (!outcome.alerts.skipped.empty()) {
    line["alerts_skipped"] = clip(outcome.alerts.skipped);
  }
  if (retry_at) line["retry_in_ms"] = *retry_at - now_ms();
  if (!detail.empty()) line["detail"] = clip(detail);
  if (!stored) line["store_error"] = stored.error().message;
  const bool alerts_failed = outcome.alerts.failed > 0;
  log_(log_line(result == "failed" || !stored        ? "error"
                : result == "retry" || alerts_failed ? "warning"
                                                     : "info",
                std::move(line)));
}

Status Service::persist(const std::function<Status()>& write) {
  // A database restart or failover takes a second or two: a job's result is
  // worth a few seconds of its worker, where giving up would run the job
  // again (and upload again) once its lease ends.
  Status written = write();
  auto delay = std::chrono::milliseconds(100);
  for (int tries = 1; !written && tries < 7 && !stopping_.load(); ++tries) {
    std::this_thread::sleep_for(delay);
    delay *= 2;
    written = write();
  }
  return written;
}

void Service::skip_superseded(const Job& job) {
  JobOutcome outcome;
  outcome.superseded = true;
  outcome.superseded_by = "newer delivery " + job.superseded_by;
  metrics_.count_job(outcome, "superseded", 0);
  Status stored = persist([&] { return store_.finish(job.id, outcome); });
  log_job(job, "superseded", outcome, 0, stored, std::nullopt,
          "a newer delivery for " + job.ref + " is queued (job " + job.superseded_by + ")");
}

void Service::check_one(const Job& job) {
  auto start = SteadyClock::now();
  JobControl control{&job_stop_, {}};
  ProcessingCheck check;
  try {
    check = runner_.check_processing(job, control);
  } catch (const std::exception& e) {
    check = ProcessingCheck{};
    check.verdict = ProcessingCheck::Verdict::kFailed;
    check.error = Error{"internal", std::string("processing check threw: ") + e.what()};
  }
  using Verdict = ProcessingCheck::Verdict;
  std::string_view result;
  switch (check.verdict) {
    case Verdict::kProcessed: result = "uploaded"; break;
    case Verdict::kFailed: result = "failed"; break;
    case Verdict::kPending: result = "processing"; break;
    case Verdict::kUploadAgain: result = "upload-again"; break;
  }
  // Counted before the record changes, so whoever sees the new state sees the
  // count (a scrape between the two saw 200 jobs uploaded and 199 processed).
  if (!check.interrupted) {
    metrics_.count_alerts(check.alerts);
    if (check.verdict == Verdict::kProcessed)
      metrics_.observe_processed(static_cast<double>(now_ms() - job.admitted_ms) / 1000);
    metrics_.count_check(result);
  }
  Status stored = persist([&] { return store_.finish_check(job.id, check); });
  if (check.interrupted) return;
  JobOutcome outcome;
  outcome.sarif_id = job.recorded_sarif_id;
  outcome.processing_status = check.processing_status;
  outcome.error = check.error;
  outcome.alerts = check.alerts;
  outcome.uploaded = check.verdict == Verdict::kProcessed;
  // A pending check is routine: logged only when something was decided.
  if (check.verdict == Verdict::kPending && !check.error) return;
  log_job(job, result, outcome, seconds_since(start), stored, std::nullopt,
          "processing check " + std::to_string(job.processing_checks + 1));
}

void Service::run_one(const Job& job) {
  auto start = SteadyClock::now();
  JobOutcome outcome;
  JobControl control{&job_stop_, [this, &job](const std::string& sarif_id) {
    if (Status s = persist([&] { return store_.record_sarif_id(job.id, sarif_id); }); !s) {
      log_(log_line("warning", {{"msg", "warning"}, {"job", job.id},
                                {"detail", "cannot record upload " + sarif_id + ": " + s.error().message}}));
    }
  }};
  try {
    outcome = runner_.run(job, control);
  } catch (const std::exception& e) {
    outcome = JobOutcome{};
    outcome.error = Error{"internal", std::string("job runner threw: ") + e.what()};
  }
  // Uploaded but then refused by GitHub's processing (or its status unreadable):
  // not done. Failed (or retried) with the reason, so a redelivery can queue it again.
  if (outcome.error) outcome.uploaded = false;
  double seconds = seconds_since(start);

  std::string result;
  std::optional<int64_t> retry_at;
  if (outcome.interrupted) {
    result = "interrupted";  // stopping: back in the queue, not an attempt
  } else if (outcome.superseded) {
    result = "superseded";
  } else if (outcome.uploaded && outcome.check_processing_in) {
    result = "awaiting-processing";
  } else if (outcome.uploaded) {
    result = "uploaded";
  } else if (auto delay = options_.retry.delay_after(job.attempts, outcome.retryable, random_unit())) {
    result = "retry";
    // GitHub's Retry-After (or rate-limit reset) is a floor for the backoff.
    retry_at = now_ms() + std::max(*delay, outcome.retry_after.value_or(Millis(0))).count();
  } else {
    result = "failed";
  }
  // Counted before the record changes, so whoever sees the new state sees the count.
  if (!outcome.interrupted) metrics_.count_job(outcome, result, seconds);
  metrics_.count_alerts(outcome.alerts);
  if (result == "uploaded") {
    metrics_.observe_processed(static_cast<double>(now_ms() - job.admitted_ms) / 1000);
  }
  Status stored = persist([&] {
    if (outcome.interrupted) return store_.put_back(job.id);
    if (result == "awaiting-processing") {
      return store_.await_processing(job.id, outcome.sarif_id,
                                     now_ms() + outcome.check_processing_in->count());
    }
    return store_.finish(job.id, outcome, retry_at);
  });
  log_job(job, result, outcome, seconds, stored, retry_at,
          outcome.superseded ? job.ref + " now points at " + outcome.superseded_by : "");
}

}  // namespace bindscan::webhook

// The `bindscan serve` process: an HTTP server (cpp-httplib) that verifies
// and queues webhook deliveries, and a pool of workers that run queued jobs
// through a JobRunner. The HTTP reply never waits for a worker: it is sent as
// soon as the job is durable in the JobStore.
//
// No worker waits on GitHub: a job whose SARIF GitHub accepted becomes
// awaiting-processing and its worker takes the next job; the processing
// checks are short tasks the workers take between jobs when due (with the
// poll policy's growing intervals). A retry, Retry-After included, is a
// queued job due later, not a sleeping worker.
//
// Endpoints: POST /webhook, GET /healthz, GET /readyz, GET /metrics.
// One JSON log line per delivery and per job attempt goes to the LogSink;
// no line contains the webhook secret, a token or a key.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "webhook/config.h"
#include "webhook/jobs/job.h"
#include "webhook/jobs/job_store.h"
#include "webhook/metrics.h"
#include "webhook/receive/validate.h"

namespace bindscan::webhook {

// Receives one complete log line (JSON, no newline). Called from several
// threads; stderr_log() serialises writes to stderr.
using LogSink = std::function<void(const std::string& line)>;
LogSink stderr_log();

// When a failed attempt is tried again. Pure.
struct JobRetryPolicy {
  int max_attempts = 5;                              // attempts in all, the first included
  std::chrono::milliseconds base_delay{30'000};      // delay after the first failure
  std::chrono::milliseconds max_delay{15 * 60'000};  // cap of the doubling
  // The delay before the next attempt when `attempts` have been made, or
  // nullopt when the job should fail now (not retryable, or out of attempts).
  // Doubles each time, capped; with up to 25% added jitter from `jitter01` (0..1).
  std::optional<std::chrono::milliseconds> delay_after(int attempts, bool retryable,
                                                       double jitter01 = 0) const;
};

struct ServiceOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port; port() tells which
  Secret webhook_secret;
  std::vector<CloneHost> clone_hosts;
  size_t max_body_bytes = 25 * 1024 * 1024;
  std::chrono::seconds read_timeout{10};  // each wait for request bytes, and each reply's writes
  // Bounds on every HTTP request (webhook/receive/http_server.h): read whole within
  // request_timeout of its first byte (GitHub gives up on a delivery after
  // 10 s); request line and headers at most max_header_bytes, the request
  // at most max_header_bytes + max_body_bytes. Over either: 400 and closed.
  std::chrono::seconds request_timeout{10};
  size_t max_header_bytes = 64 * 1024;
  // Connections served at once; more wait for a free thread, in order.
  int http_threads = 16;
  // A connection without a (next) request for this long is closed.
  std::chrono::seconds idle_timeout{5};
  int workers = 2;
  JobRetryPolicy retry;
  int retry_after_seconds = 30;  // Retry-After on 503 replies
  // How often the service tells a shared store which jobs it still holds
  // (JobStore::renew_leases); well under the store's lease.
  std::chrono::milliseconds lease_renewal{5000};
  int max_json_depth = 64;
  // GitHub App mode: deliveries without installation.id are refused (400).
  bool require_installation = false;
};

// A webhook request as the handler sees it; header values empty when absent.
struct DeliveryRequest {
  std::string_view event;         // X-GitHub-Event
  std::string_view delivery_id;   // X-GitHub-Delivery
  std::string_view signature;     // X-Hub-Signature-256
  std::string_view content_type;  // Content-Type
  std::string_view body;          // raw bytes
};

struct Reply {
  int status = 200;
  std::string body;  // JSON
  std::optional<int> retry_after_seconds;
};

class Service {
 public:
  // `store`, `runner` must outlive the service.
  Service(ServiceOptions options, JobStore& store, JobRunner& runner, LogSink log = stderr_log());
  ~Service();  // stop()
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds the listening socket, then starts the HTTP thread and the workers.
  // Returns once requests are accepted. Error code "io" when the address
  // cannot be bound.
  Status start();
  uint16_t port() const { return bound_port_; }

  // Stops accepting connections and joins every thread; queued jobs stay on
  // disk for the next start. Running jobs are signalled: one in a wait
  // (retry backoff, Retry-After, polling) gives up at once and is put back in
  // the queue without counting an attempt; one fetching, scanning or in an
  // HTTP request finishes that step first. Idempotent, callable from any
  // thread but a worker's.
  void stop();

  // The endpoint logic without HTTP, for tests and for the server itself.
  Reply handle_webhook(const DeliveryRequest& request);
  Reply readyz() const;
  std::string metrics_text() const;

 private:
  // The ids this process's workers hold, for lease renewal.
  class HeldJobs {
   public:
    void add(const std::string& id) {
      std::lock_guard lock(mutex_);
      ids_.push_back(id);
    }
    void remove(const std::string& id) {
      std::lock_guard lock(mutex_);
      std::erase(ids_, id);
    }
    std::vector<std::string> ids() const {
      std::lock_guard lock(mutex_);
      return ids_;
    }

   private:
    mutable std::mutex mutex_;
    std::vector<std::string> ids_;
  };

  void worker_loop();
  void lease_loop();
  void run_one(const Job& job);
  void check_one(const Job& job);
  void skip_superseded(const Job& job);
  // Runs a store write, trying again for about 6 s while it fails (not
  // once stopping).
  Status persist(const std::function<Status()>& write);
  void log_job(const Job& job, std::string_view result, const JobOutcome& outcome, double seconds,
               const Status& stored, std::optional<int64_t> retry_at, std::string_view detail);
  void log_delivery(const DeliveryRequest& request, const Job* job, std::string_view outcome,
                    const Reply& reply, double seconds, std::string_view detail);

  ServiceOptions options_;
  JobStore& store_;
  JobRunner& runner_;
  LogSink log_;
  Metrics metrics_;
  struct Http;
  std::unique_ptr<Http> http_;
  std::thread http_thread_;
  std::vector<std::thread> workers_;
  std::thread lease_thread_;
  StopSignal lease_stop_;
  HeldJobs held_;
  uint16_t bound_port_ = 0;
  std::atomic<bool> stopping_{false};
  StopSignal job_stop_;  // set by stop(); every running job's waits watch it
  bool started_ = false;
};

}  // namespace bindscan::webhook

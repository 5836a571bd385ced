// `bindscan serve`: configuration -> job store -> job runner -> service, then
// wait for SIGTERM or SIGINT and shut down cleanly.
#include <pthread.h>
#include <signal.h>

#include <memory>
#include <mutex>
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "webhook/config.h"
#include "webhook/github/credentials.h"
#include "webhook/jobs/job_store.h"
#include "webhook/log.h"
#include "webhook/jobs/pg_job_store.h"
#include "webhook/jobs/runner.h"
#include "webhook/service.h"

namespace bindscan::cli {
namespace {

using namespace bindscan::webhook;

// Reads the token file or App key the configuration names (credentials.h
// checks an App key parses, so a wrong file fails here, not at the first job).
Result<Credentials> load_credentials(const AuthChoice& auth) {
  switch (auth.kind) {
    case AuthChoice::Kind::kToken: return Credentials{auth.token.reveal(), std::nullopt};
    case AuthChoice::Kind::kTokenFile: return token_credentials_from_file(auth.token_file);
    case AuthChoice::Kind::kApp: return app_credentials(auth.app_id, auth.app_private_key_file);
  }
  return Error{"config", "unknown kind of credentials"};
}

LogSink stream_log(std::ostream& err) {
  auto mutex = std::make_shared<std::mutex>();
  return [mutex, &err](const std::string& line) {
    std::lock_guard lock(*mutex);
    err << line << '\n' << std::flush;
  };
}

void log_event(const LogSink& log, std::string_view level, std::string_view msg,
               nlohmann::json fields = nlohmann::json::object()) {
  fields["msg"] = msg;
  log(log_line(level, std::move(fields)));
}

// A start-up failure: one log line of the usual shape, exit status 2.
int cannot_start(std::ostream& err, const std::string& why) {
  err << log_line("error", {{"msg", "cannot start"}, {"error", why}}) << '\n' << std::flush;
  return 2;
}

}  // namespace

int run_serve(Args args, std::ostream& out, std::ostream& err) {
  Result<ServeConfig> parsed = parse_serve_config(args, process_env, read_whole_file);
  if (!parsed) {
    if (parsed.error().code == "help") {
      out << parsed.error().message;
      return 0;
    }
    return cannot_start(err, parsed.error().message);
  }
  ServeConfig& config = *parsed;
  LogSink log = stream_log(err);
  for (const std::string& warning : config.warnings) log_event(log, "warning", "warning", {{"detail", warning}});
  Result<Credentials> credentials = load_credentials(config.auth);
  if (!credentials) {
    return cannot_start(err, credentials.error().message);
  }
  RunnerConfig runner_config;
  runner_config.data_dir = config.data_dir;
  runner_config.github_api = config.github_api;
  runner_config.allowed_clone_hosts = config.clone_hosts;
  runner_config.credentials = std::move(*credentials);
  runner_config.category = config.category;
  runner_config.git_timeouts.idle = config.git_timeout;
  runner_config.max_file_bytes = config.max_file_bytes;
  runner_config.max_files = config.max_files;
  runner_config.cache_max_bytes = config.cache_max_bytes;
  // No worker sleeps on GitHub: retries (Retry-After included) go back to
  // the job queue, processing is checked by the service between jobs.
  runner_config.http.retry.max_wait_in_call = Millis(0);
  runner_config.wait_for_processing = false;
  if (Status s = check_runner_config(runner_config); !s) {
    return cannot_start(err, s.error().message);
  }

  std::vector<std::string> warnings;
  const JobStoreOptions limits{.max_queue = config.max_queue, .max_finished = 1000};
  auto store = config.database_url.empty()
                   ? JobStore::open(config.data_dir / "jobs", limits, &warnings)
                   : open_pg_job_store(config.database_url.reveal(),
                                       PgJobStoreOptions{.limits = limits, .lease = config.lease});
  if (!store) {
    return cannot_start(err, store.error().message);
  }
  for (const std::string& warning : warnings) log_event(log, "warning", "warning", {{"detail", warning}});
  // Shared engine: the result cache is shared too (the local one stays a first level).
  if (!config.database_url.empty()) runner_config.shared_cache = make_pg_result_cache(config.database_url.reveal());
  std::unique_ptr<JobRunner> runner = make_github_runner(std::move(runner_config));

  // Block the stop signals in every thread the service starts; this thread
  // then waits for them with sigwait instead of running a handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ServiceOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.webhook_secret = config.webhook_secret;
  options.clone_hosts = config.clone_hosts;
  options.max_body_bytes = config.max_body_bytes;
  options.read_timeout = config.read_timeout;
  options.request_timeout = config.request_timeout;
  options.idle_timeout = config.idle_timeout;
  options.max_header_bytes = config.max_header_bytes;
  options.http_threads = config.http_threads;
  options.workers = config.workers;
  options.retry.max_attempts = config.max_attempts;
  options.require_installation = config.auth.kind == AuthChoice::Kind::kApp;
  options.retry.base_delay = config.retry_delay;
  options.lease_renewal = std::chrono::duration_cast<std::chrono::milliseconds>(config.lease) / 3;
  Service service(options, **store, *runner, log);
  if (Status s = service.start(); !s) {
    return cannot_start(err, s.error().message);
  }
  JobCounts counts = (*store)->counts();
  log_event(log, "info", "listening",
            {{"address", host_port(config.listen_host, service.port())},
             {"data_dir", config.data_dir.string()},
             {"job_store", config.database_url.empty() ? "spool" : "postgresql"},
             {"workers", config.workers},
             {"queued", counts.queued}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log_event(log, "info", "stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  service.stop();
  counts = (*store)->counts();
  log_event(log, "info", "stopped", {{"queued", counts.queued}});
  return 0;
}

}  // namespace bindscan::cli

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
#include "webhook/job_store.h"
#include "webhook/service.h"

namespace bindscan::cli {
namespace {

using namespace bindscan::webhook;

// Stands in for the GitHub runner until webhook/runner.h is wired in below.
class UnavailableRunner : public JobRunner {
 public:
  JobOutcome run(const Job&) override {
    JobOutcome outcome;
    outcome.error = Error{"config", "this build has no GitHub job runner (webhook/runner.h is not wired in)"};
    return outcome;
  }
};

// The seam to the job side: fetch with libgit2, scan, upload to GitHub.
// TODO(issue 3, job side): return make_github_runner(RunnerConfig{...}) built
// from config.github_api, config.data_dir, config.category, config.clone_hosts,
// config.auth (credentials.h reads the token file / App key) and workers.
std::unique_ptr<JobRunner> make_job_runner(const ServeConfig&) {
  return std::make_unique<UnavailableRunner>();
}

// Fails early when a credentials file named in the configuration is unreadable.
Status check_auth_files(const AuthChoice& auth) {
  std::filesystem::path path;
  if (auth.kind == AuthChoice::Kind::kTokenFile) path = auth.token_file;
  if (auth.kind == AuthChoice::Kind::kApp) path = auth.app_private_key_file;
  if (path.empty()) return ok_status();
  Result<std::string> text = read_whole_file(path);
  if (!text) return text.error();
  if (text->empty()) return Error{"config", path.string() + " is empty"};
  return ok_status();
}

LogSink stream_log(std::ostream& err) {
  auto mutex = std::make_shared<std::mutex>();
  return [mutex, &err](const std::string& line) {
    std::lock_guard lock(*mutex);
    err << line << '\n' << std::flush;
  };
}

void log_event(const LogSink& log, std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
  fields["msg"] = msg;
  log(fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

int run_serve(Args args, std::ostream& out, std::ostream& err) {
  Result<ServeConfig> parsed = parse_serve_config(args, process_env, read_whole_file);
  if (!parsed) {
    if (parsed.error().code == "help") {
      out << parsed.error().message;
      return 0;
    }
    err << "bindscan serve: " << parsed.error().message << '\n';
    return 2;
  }
  ServeConfig& config = *parsed;
  LogSink log = stream_log(err);
  for (const std::string& warning : config.warnings) log_event(log, "warning", {{"detail", warning}});
  if (Status s = check_auth_files(config.auth); !s) {
    err << "bindscan serve: " << s.error().message << '\n';
    return 2;
  }

  std::vector<std::string> warnings;
  auto store = JobStore::open(config.data_dir / "jobs", {.max_queue = config.max_queue, .max_finished = 1000},
                              &warnings);
  if (!store) {
    err << "bindscan serve: " << store.error().message << '\n';
    return 2;
  }
  for (const std::string& warning : warnings) log_event(log, "warning", {{"detail", warning}});
  std::unique_ptr<JobRunner> runner = make_job_runner(config);

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
  options.workers = config.workers;
  options.retry.max_attempts = config.max_attempts;
  Service service(options, **store, *runner, log);
  if (Status s = service.start(); !s) {
    err << "bindscan serve: " << s.error().message << '\n';
    return 2;
  }
  JobCounts counts = (*store)->counts();
  log_event(log, "listening",
            {{"address", config.listen_host + ":" + std::to_string(service.port())},
             {"data_dir", config.data_dir.string()},
             {"workers", config.workers},
             {"queued", counts.queued}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  log_event(log, "stopping", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  service.stop();
  counts = (*store)->counts();
  log_event(log, "stopped", {{"queued", counts.queued}});
  return 0;
}

}  // namespace bindscan::cli

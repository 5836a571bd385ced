#include "webhook/jobs/runner.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <unordered_set>

#include "config/config.h"
#include "sarif/json.h"
#include "sarif/location.h"
#include "sarif/writer.h"
#include "scanner/flow/project.h"
#include "scanner/flow/summary.h"
#include "scanner/rule.h"
#include "scanner/scan.h"
#include "webhook/git/git_source.h"
#include "webhook/github/github_app.h"
#include "webhook/jobs/blob_entry.h"
#include "webhook/jobs/result_cache.h"

namespace bindscan::webhook {
namespace {

using Clock = std::chrono::steady_clock;

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// "https://github.com/o/r.git" -> "https://github.com/o/r".
std::string repository_uri(const std::string& clone_url) {
  std::string uri = clone_url;
  if (uri.size() > 4 && uri.ends_with(".git")) uri.resize(uri.size() - 4);
  return uri;
}

bool is_retryable(const Error& error) {
  return error.code == "github-transient" || error.code == "git" || error.code == "timeout" || error.code == "io" ||
         error.code == "busy";
}

// A failure, or, when the service's stop cut a wait short, an interruption
// (no error: the job is put back, not failed or retried).
JobOutcome failed(JobOutcome outcome, Error error) {
  if (is_stopped(error)) {
    outcome.interrupted = true;
    return outcome;
  }
  outcome.retryable = is_retryable(error);
  if (error.retry_after_ms) outcome.retry_after = Millis(*error.retry_after_ms);
  outcome.error = std::move(error);
  return outcome;
}

// The commit's own configuration, found at the root of its tree as
// `bindscan scan` finds a checkout's: .bindscan.toml, else [tool.bindscan]
// of pyproject.toml, else the defaults; parsed by the CLI's parser with globs
// relative to the root. A broken file fails the job (Error "config", every
// problem as FILE:LINE:COLUMN: key 'K': message), never scanned with defaults.
Result<config::Config> commit_config(const GitMirror& mirror, const Job& job) {
  for (std::string_view name : {config::kDotFile, config::kPyproject}) {
    auto text = mirror.root_file(job.commit_sha, name);
    if (!text) return text.error();
    if (!*text) continue;
    config::Parsed parsed = config::parse(**text, std::string(name), "");
    if (!parsed.problems.empty()) {
      std::string message = "the configuration of " + job.owner + "/" + job.repo + "@" + job.commit_sha +
                            " is broken; nothing was scanned:";
      for (const config::Problem& problem : parsed.problems) message += " " + problem.to_string() + ";";
      return Error{"config", std::move(message)};
    }
    if (parsed.config) return std::move(*parsed.config);
  }
  return config::default_config();
}

JobOutcome interrupted(JobOutcome outcome) {
  outcome.interrupted = true;
  return outcome;
}

bool stop_requested(const JobControl& control) {
  return control.stop != nullptr && control.stop->stop_requested();
}

// Scanners hold a parser each and are for one thread: lend one per job.
class ScannerPool {
 public:
  class Lease {
   public:
    Lease(ScannerPool& pool, std::unique_ptr<Scanner> scanner)
        : pool_(pool), scanner_(std::move(scanner)) {}
    ~Lease() { pool_.give_back(std::move(scanner_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    const Scanner& operator*() const { return *scanner_; }

   private:
    ScannerPool& pool_;
    std::unique_ptr<Scanner> scanner_;
  };

  Lease borrow() {
    std::unique_ptr<Scanner> scanner;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        scanner = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    if (!scanner) scanner = std::make_unique<Scanner>();
    return Lease(*this, std::move(scanner));
  }

 private:
  void give_back(std::unique_ptr<Scanner> scanner) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(scanner));
  }
  std::mutex mutex_;
  std::vector<std::unique_ptr<Scanner>> idle_;
};

// Processing checks that may answer "unknown" before the id is given up on.
constexpr int kUnknownChecks = 3;

class GitHubRunner final : public JobRunner {
 public:
  GitHubRunner(RunnerConfig config, GitHubClient client)
      : config_(std::move(config)),
        client_(client),
        tokens_(make_token_provider(config_.credentials, client)),
        cache_(config_.data_dir / "cache", cache_version(config_), config_.cache_max_bytes) {}

  ProcessingCheck check_processing(const Job& job, const JobControl& control) override {
    ProcessingCheck check;
    if (stop_requested(control)) {
      check.interrupted = true;
      return check;
    }
    const PollPolicy& poll = config_.http.poll;
    const Millis next = poll_delay(poll, job.processing_checks + 1);
    // Waited so far: the delays before each check made, this one included.
    Millis waited{0};
    for (int i = 0; i <= job.processing_checks; ++i) waited += poll_delay(poll, i);
    auto token = tokens_->token(job.installation_id, job.repo);
    auto status = token ? client_.processing_status(job.owner, job.repo, job.recorded_sarif_id,
                                                    *token, Clock::now() + config_.job_timeout,
                                                    control.stop)
                        : Result<ProcessingStatus>(token.error());
    if (!status) {
      if (is_stopped(status.error())) {
        check.interrupted = true;
      } else if (is_retryable(status.error()) && waited < poll.total) {
        const Millis hint(status.error().retry_after_ms.value_or(0));
        check.next_check = std::max(next, hint);
        check.processing_status = "pending";
      } else {
        check.verdict = ProcessingCheck::Verdict::kFailed;
        check.error = status.error();
      }
      return check;
    }
    check.processing_status = status->status;
    if (status->status == "complete") {
      check.verdict = ProcessingCheck::Verdict::kProcessed;
      check.alerts = sync_after_processing(job, *status, *token, plans_.take(job.recorded_sarif_id), control);
    } else if (status->status == "failed") {
      check.verdict = ProcessingCheck::Verdict::kFailed;
      (void)plans_.take(job.recorded_sarif_id);
      JobOutcome uploaded;
      uploaded.sarif_id = job.recorded_sarif_id;
      check.error = processed(uploaded, *status).error;
    } else if (status->status == "unknown" && job.processing_checks >= kUnknownChecks - 1) {
      // The id can lag behind the upload, but not for this long: GitHub lost
      // it (or it was recorded against another GitHub). Upload anew.
      check.verdict = ProcessingCheck::Verdict::kUploadAgain;
      (void)plans_.take(job.recorded_sarif_id);
    } else if (waited >= poll.total) {
      // As the waiting runner did: give up waiting, the upload stands.
      check.verdict = ProcessingCheck::Verdict::kProcessed;
      check.processing_status = "pending";
      check.alerts = sync_after_processing(job, ProcessingStatus{"pending", {}, {}}, *token,
                                           plans_.take(job.recorded_sarif_id), control);
    } else {
      check.next_check = next;
      check.processing_status = "pending";
    }
    return check;
  }

  JobOutcome run(const Job& job, const JobControl& control) override {
    const auto deadline = Clock::now() + config_.job_timeout;
    const std::string started_at = utc_now();
    JobOutcome outcome;

    if (stop_requested(control)) return interrupted(outcome);
    if (auto s = check_job(job); !s) return failed(outcome, s.error());
    auto token = tokens_->token(job.installation_id, job.repo);
    if (!token) return failed(outcome, token.error());

    if (!job.recorded_sarif_id.empty()) {
      if (auto resumed = resume(job, *token, deadline, control)) return *resumed;
    }

    std::string sarif_text;
    AlertPlan plan;
    {
      std::lock_guard repo_lock(*repository_mutex(job.owner + "/" + job.repo));
      auto mirror = open_mirror(job);
      if (!mirror) return failed(outcome, mirror.error());
      auto fetched = mirror->fetch(job.clone_url, job.fetch_ref, job.commit_sha, *token, deadline);
      // What the fetch just learned decides: a ref that moved on (a newer
      // push, a force push) makes this job's upload the wrong analysis.
      if (fetched || fetched.error().code == "git-missing-commit") {
        if (auto tip = mirror->ref_commit(job.fetch_ref); tip && *tip != job.commit_sha) {
          outcome.superseded = true;
          outcome.superseded_by = *tip;
          return outcome;
        }
      }
      if (!fetched) return failed(outcome, fetched.error());
      auto log = scan_commit(*mirror, job, deadline, outcome);
      if (!log) return failed(outcome, log.error());
      log->start_time_utc = started_at;
      log->end_time_utc = utc_now();
      // Allowed findings go up too, so their alerts exist (and keep their
      // fingerprints) to be dismissed once GitHub has processed the upload.
      auto plan_made = alert_plan_of(*mirror, job, *log);
      if (!plan_made) return failed(outcome, plan_made.error());
      plan = std::move(*plan_made);
      outcome.allowed = static_cast<int>(plan.allowed.size());
      log->include_config_suppressed = true;
      sarif_text = sarif::write_sarif(*log);
    }
    // Stopping: do not start an upload; the scan is cached for the next attempt.
    if (stop_requested(control)) return interrupted(outcome);

    SarifUpload upload{job.commit_sha, job.ref, std::move(sarif_text), "bindscan", started_at};
    auto receipt = client_.upload_sarif(job.owner, job.repo, upload, *token, deadline, control.stop);
    if (!receipt) return failed(outcome, receipt.error());
    outcome.uploaded = true;
    outcome.sarif_id = receipt->id;
    outcome.processing_status = "pending";
    if (control.record_sarif_id) control.record_sarif_id(receipt->id);
    if (!config_.wait_for_processing) {
      // check_processing() dismisses once GitHub is done; it finds the plan here.
      plans_.put(receipt->id, std::move(plan));
      outcome.check_processing_in = poll_delay(config_.http.poll, 0);
      return outcome;
    }

    auto status = client_.wait_for_processing(job.owner, job.repo, receipt->id, *token, deadline,
                                              control.stop);
    if (!status) return failed(outcome, status.error());
    outcome = processed(outcome, *status);
    if (!outcome.error) outcome.alerts = sync_after_processing(job, *status, *token, std::move(plan), control);
    return outcome;
  }

 private:
  // A job whose SARIF GitHub accepted in an earlier attempt: poll that upload
  // instead of uploading again. nullopt when GitHub does not know the id or
  // could not process it: then the job uploads again.
  std::optional<JobOutcome> resume(const Job& job, const std::string& token,
                                   Clock::time_point deadline, const JobControl& control) {
    JobOutcome outcome;
    outcome.uploaded = true;
    outcome.sarif_id = job.recorded_sarif_id;
    outcome.processing_status = "pending";
    if (!config_.wait_for_processing) {
      // The service's processing checks take it from here (an unknown id
      // sends the job back to upload again).
      outcome.check_processing_in = Millis(0);
      return outcome;
    }
    auto status = client_.processing_status(job.owner, job.repo, job.recorded_sarif_id, token,
                                            deadline, control.stop);
    if (status && status->status == "unknown") {
      // A restart can come seconds after the 202, and the id can lag behind
      // the upload: look once more before uploading again.
      if (!client_.wait(poll_delay(config_.http.poll, 0), control.stop)) return interrupted(outcome);
      status = client_.processing_status(job.owner, job.repo, job.recorded_sarif_id, token,
                                         deadline, control.stop);
    }
    if (status && status->status == "pending") {
      status = client_.wait_for_processing(job.owner, job.repo, job.recorded_sarif_id, token,
                                           deadline, control.stop);
    }
    if (!status) return failed(outcome, status.error());
    if (status->status == "unknown" || status->status == "failed") return std::nullopt;
    outcome = processed(outcome, *status);
    if (!outcome.error) outcome.alerts = sync_after_processing(job, *status, token, std::nullopt, control);
    return outcome;
  }

  Result<GitMirror> open_mirror(const Job& job) const {
    GitSourceOptions git_options;
    git_options.mirrors_dir = config_.data_dir / "git";
    git_options.allowed_hosts = config_.allowed_clone_hosts;
    git_options.max_files = config_.max_files;
    git_options.socket_timeouts = config_.git_timeouts;
    return GitMirror::open(git_options, job.owner, job.repo);
  }

  // What the SARIF about to be uploaded says about each finding, with the
  // allow entries of the commit's configuration (read again: the scan keeps
  // its copy to itself).
  static Result<AlertPlan> alert_plan_of(const GitMirror& mirror, const Job& job, const sarif::SarifLog& log) {
    auto configuration = commit_config(mirror, job);
    if (!configuration) return configuration.error();
    AlertPlan plan;
    for (const sarif::FileResults& file : log.files) {
      for (const sarif::LocatedFinding& located : file.findings) {
        AlertKey key{located.finding.rule_id, file.path, located.region.start_line};
        if (!located.finding.suppression) {
          plan.reported.insert(std::move(key));
        } else if (located.finding.suppression->kind == SuppressionKind::kConfig) {
          const config::AllowEntry* entry = config::allowed_by(*configuration, located.finding, file.path);
          if (entry == nullptr) continue;  // cannot happen: scan_commit applied this configuration
          plan.allowed.push_back({std::move(key),
                                  entry->dismiss_reason.empty() ? std::string(kWontFix) : entry->dismiss_reason,
                                  dismissed_comment(entry->origin.to_string(), entry->reason)});
        }
      }
    }
    return plan;
  }

  // After GitHub processed the upload of `job`: dismiss and reopen alerts per
  // the plan (webhook/github/alerts.h). Only for the default branch, since a
  // dismissal holds on every branch, and a pull request's allow entry is not
  // reviewed yet. Without a plan (a restart, another replica) it is made
  // again from the mirror and the cache. Failures are counted, never fatal.
  AlertSync sync_after_processing(const Job& job, const ProcessingStatus& status, const std::string& token,
                                  std::optional<AlertPlan> plan, const JobControl& control) {
    AlertSync sync;
    if (job.default_branch.empty() || job.ref != "refs/heads/" + job.default_branch) return sync;
    if (status.status != "complete") {
      sync.skipped = "GitHub had not finished processing the upload; the next upload's sync covers its alerts";
      return sync;
    }
    const auto deadline = Clock::now() + config_.job_timeout;
    {
      std::lock_guard repo_lock(*repository_mutex(job.owner + "/" + job.repo));
      auto mirror = open_mirror(job);
      if (!mirror) return failed_sync(mirror.error());
      // A newer push fetched since: its job owns the alerts now, and this
      // job's plan is older than GitHub's newest analysis of the ref.
      if (auto tip = mirror->ref_commit(job.fetch_ref); tip && *tip != job.commit_sha) {
        sync.skipped = "the branch has moved on to " + *tip + ", whose job syncs the alerts";
        return sync;
      }
      if (!plan) {
        if (!mirror->has_commit(job.commit_sha)) {
          if (auto s = mirror->fetch(job.clone_url, job.fetch_ref, job.commit_sha, token, deadline); !s) {
            return failed_sync(s.error());
          }
        }
        JobOutcome scratch;
        auto log = scan_commit(*mirror, job, deadline, scratch);
        if (!log) return failed_sync(log.error());
        auto made = alert_plan_of(*mirror, job, *log);
        if (!made) return failed_sync(made.error());
        plan = std::move(*made);
      }
    }
    return sync_alerts(client_, job.owner, job.repo, job.ref, token, *plan, deadline, control.stop);
  }

  static AlertSync failed_sync(const Error& error) {
    AlertSync sync;
    sync.attempted = true;
    sync.failed = 1;
    sync.error = "cannot work out which alerts to dismiss: " + error.message;
    return sync;
  }

  // Plans of uploads awaiting GitHub's processing, by sarif id.
  class Plans {
   public:
    void put(const std::string& sarif_id, AlertPlan plan) {
      std::lock_guard lock(mutex_);
      plans_[sarif_id] = std::move(plan);
    }
    std::optional<AlertPlan> take(const std::string& sarif_id) {
      std::lock_guard lock(mutex_);
      auto node = plans_.extract(sarif_id);
      if (node.empty()) return std::nullopt;
      return std::move(node.mapped());
    }

   private:
    std::mutex mutex_;
    std::map<std::string, AlertPlan> plans_;
  };

  // The outcome once polling has a status for the uploaded SARIF.
  static JobOutcome processed(JobOutcome outcome, const ProcessingStatus& status) {
    outcome.processing_status = status.status;
    if (status.status != "failed") return outcome;
    std::string errors;
    for (const auto& e : status.errors) errors += (errors.empty() ? "" : "; ") + e;
    return failed(outcome, Error{"github", "GitHub could not process SARIF " + outcome.sarif_id +
                                               (errors.empty() ? "" : ": " + errors)});
  }

  static Status check_job(const Job& job) {
    static const std::regex upload_ref("^refs/(heads|pull|tags)/.+$");
    if (auto s = validate_name("owner", job.owner); !s) return s;
    if (auto s = validate_name("repository", job.repo); !s) return s;
    if (!is_commit_sha(job.commit_sha)) {
      return Error{"invalid-job", "commit '" + job.commit_sha + "' is not 40 lowercase hex"};
    }
    if (!is_valid_ref(job.ref) || !std::regex_match(job.ref, upload_ref)) {
      return Error{"invalid-job", "upload ref '" + job.ref + "' does not match ^refs/(heads|pull|tags)/"};
    }
    return ok_status();
  }

  std::shared_ptr<std::mutex> repository_mutex(const std::string& key) {
    std::lock_guard lock(repositories_mutex_);
    auto& slot = repositories_[key];
    if (!slot) slot = std::make_shared<std::mutex>();
    return slot;
  }

  // A blob's cached findings text: this replica's cache, else the shared one
  // (copied into the local cache for next time).
  std::optional<std::string> cached(const std::string& blob_id) const {
    if (auto text = cache_.get(blob_id)) return text;
    if (!config_.shared_cache) return std::nullopt;
    auto text = config_.shared_cache->get(scanner_version(), blob_id);
    if (text) (void)cache_.put(blob_id, *text);
    return text;
  }
  void remember(const std::string& blob_id, const std::string& text) const {
    (void)cache_.put(blob_id, text);
    if (config_.shared_cache) config_.shared_cache->put(scanner_version(), blob_id, text);
  }
  std::string scanner_version() const { return cache_version(config_); }
  // A file's results that are partial (its parse timed out, or its analysis
  // failed) get a notification; they are uploaded but not cached, so a later
  // job tries again. Returns whether they are.
  static bool note_incomplete(const std::string& path, const ScanResult& result, sarif::SarifLog& log) {
    if (result.error) {
      log.notifications.push_back(
          {path, "Analysis failed (" + *result.error + "); results cover what was found before.", Level::kError});
    } else if (result.timed_out) {
      log.notifications.push_back(
          {path, "Parsing timed out; results cover the part of the file parsed in time.", Level::kWarning});
    }
    return result.error || result.timed_out;
  }
  // The cache key's version: the scanner's, and the entry format (entries
  // of the findings-only format are not overwritten in a shared cache).
  static std::string cache_version(const RunnerConfig& config) {
    return (config.scanner_version.empty() ? std::string(BINDSCAN_VERSION) : config.scanner_version) + "+summaries3";
  }

  // The commit's complete results: cached blobs reused, the others scanned
  // (and cached). Counts go into `outcome`.
  Result<sarif::SarifLog> scan_commit(const GitMirror& mirror, const Job& job,
                                      Clock::time_point deadline, JobOutcome& outcome) {
    auto configuration = commit_config(mirror, job);
    if (!configuration) return configuration.error();
    auto files = mirror.python_files(job.commit_sha, *configuration);
    if (!files) return files.error();

    sarif::SarifLog log;
    log.rules = config::effective_rules(*configuration, all_rules());
    log.category = config_.category;
    log.version_control = sarif::VersionControl{repository_uri(job.clone_url), job.commit_sha, job.ref};

    // 1. Every file's entry: from the cache, else scanned (only these are
    // read; those no rule may match are parsed only if a link needs them).
    auto scanner = scanners_.borrow();
    std::vector<std::optional<BlobEntry>> entries(files->size());
    std::vector<bool> scanned_now(files->size(), false);
    auto scan_blob = [&](size_t i, bool parse_unmatched) -> Status {
      const TreeFile& file = (*files)[i];
      auto bytes = mirror.read_blob(file.blob_id);
      if (!bytes) return bytes.error();
      flow::ModuleSummary summary;
      const ScanResult result = (*scanner).summarize(*bytes, summary, parse_unmatched);
      entries[i] = make_blob_entry(*bytes, result, std::move(summary));
      if (!scanned_now[i]) ++outcome.files_parsed;
      scanned_now[i] = true;
      if (!note_incomplete(file.path, result, log)) remember(file.blob_id, to_text(*entries[i]));
      return ok_status();
    };
    for (size_t i = 0; i < files->size(); ++i) {
      const TreeFile& file = (*files)[i];
      if (Clock::now() > deadline) {
        return Error{"timeout", "scanning " + job.owner + "/" + job.repo + "@" + job.commit_sha +
                                    " ran past the job's time budget after " +
                                    std::to_string(outcome.files_parsed) + " files parsed"};
      }
      if (auto text = cached(file.blob_id)) {
        if (auto parsed = parse_blob_entry(*text)) {
          entries[i] = std::move(*parsed);
          ++outcome.files_reused;
          continue;
        }
        cache_.erase(file.blob_id);  // damaged or of an older format: scan again
      }
      auto size = mirror.blob_size(file.blob_id);
      if (!size) return size.error();
      if (*size > config_.max_file_bytes) {
        log.notifications.push_back({file.path,
                                     "Not scanned: " + std::to_string(*size) + " bytes is over the " +
                                         std::to_string(config_.max_file_bytes) + "-byte limit per file.",
                                     Level::kWarning});
        continue;
      }
      if (auto s = scan_blob(i, false); !s) return s.error();
    }

    // 2. Project context, for what a summary does not carry: a wrapper or
    // server subclass of another module of the commit, and callers of a
    // file's wrapper in other modules. Files joined by such calls (their
    // summaries' called_imports) are judged together by a project scan when
    // one of them changed, and so is a file judged that way before once a file
    // its verdict consulted differs; other project files are parsed lazily.
    if (auto s = judge_in_project(*scanner, mirror, *files, entries, scanned_now, log, outcome); !s) return s.error();

    // 3. Link: the verdicts that depend on other files of this commit, from
    // the summaries (files deferred in step 1, or in an earlier job, are
    // parsed now if an open site imports from them; nothing else is).
    std::vector<flow::SummarizedFile> summarized;
    std::map<std::string, const BlobEntry*> by_path;
    for (size_t i = 0; i < files->size(); ++i) {
      const BlobEntry* entry = entries[i] ? &*entries[i] : nullptr;
      summarized.push_back({(*files)[i].path, entry && !entry->deferred ? &entry->summary : nullptr});
      if (entry) by_path[(*files)[i].path] = entry;
    }
    auto load = [&](size_t i) -> const flow::ModuleSummary* {
      if (!entries[i]) return nullptr;  // over the size limit
      // A read error leaves the file's names unknown: no finding rests on them.
      if (entries[i]->deferred && !scan_blob(i, true)) return nullptr;
      return &entries[i]->summary;
    };
    auto close_of = [](std::string_view rule_id) -> flow::CloseSite {
      const Rule* rule = find_rule(rule_id);
      return rule != nullptr ? rule->close : nullptr;
    };
    auto linked = flow::link(summarized, close_of, load);
    auto entry_of = [&by_path](const std::string& path) -> const BlobEntry* {
      auto it = by_path.find(path);
      return it == by_path.end() ? nullptr : it->second;
    };

    // 4. The commit's results, file by file.
    for (size_t i = 0; i < files->size(); ++i) {
      if (!entries[i]) continue;
      const TreeFile& file = (*files)[i];
      std::vector<sarif::LocatedFinding> located = entries[i]->findings;
      for (const Finding& finding : linked[i]) located.push_back(locate_linked(finding, *entries[i], entry_of));
      std::sort(located.begin(), located.end(), [](const sarif::LocatedFinding& a, const sarif::LocatedFinding& b) {
        return std::tie(a.region, a.finding.rule_id) < std::tie(b.region, b.finding.rule_id);
      });
      // Cached findings are the blob's own, so the commit's configuration
      // (rule selection, allow entries) is applied after the cache, as the CLI
      // applies it after scanning. Allowed findings are suppressed and, like
      // in-source suppressions, left out of the upload (sarif/writer.h).
      std::erase_if(located, [&](sarif::LocatedFinding& f) {
        return !config::apply(*configuration, file.path, f.finding);
      });
      for (const auto& f : located) {
        if (!f.finding.suppression) ++outcome.findings;
      }
      if (!located.empty()) log.files.push_back(sarif::FileResults{file.path, std::move(located)});
    }
    return log;
  }

  // Step 2 of scan_commit: re-judges, in project context, the files whose
  // entries cannot stand (see there) and caches their new entries.
  Status judge_in_project(const Scanner& scanner, const GitMirror& mirror, const std::vector<TreeFile>& files,
                          std::vector<std::optional<BlobEntry>>& entries, std::vector<bool>& scanned_now,
                          sarif::SarifLog& log, JobOutcome& outcome) const {
    const size_t n = files.size();
    std::vector<std::string> paths;
    std::map<std::string, size_t> index_of;
    for (size_t i = 0; i < n; ++i) {
      paths.push_back(files[i].path);
      index_of[files[i].path] = i;
    }
    const std::unordered_set<std::string> packages = flow::package_directories(paths);
    flow::Project modules;  // names only: which file an imported name lies in
    for (const std::string& path : paths) modules.add_file(path, flow::module_name(path, packages));
    std::vector<std::vector<size_t>> joined(n);  // by a call from one into the other
    std::vector<std::vector<size_t>> deferred_imports(n);  // files not parsed importing others not parsed
    for (size_t i = 0; i < n; ++i) {
      if (!entries[i]) continue;
      for (const std::string& callee : entries[i]->summary.called_imports) {
        auto at = modules.locate(callee, i);
        if (!at || at->first == i) continue;
        // A file no rule matched lists everything it imports: joined only to
        // files that may hold a sink (a wrapper, a server class), and below
        // to other such files that are (a caller of a caller).
        if (entries[i]->deferred && (!entries[at->first] || entries[at->first]->deferred)) {
          if (entries[at->first]) deferred_imports[i].push_back(at->first);
          continue;
        }
        joined[i].push_back(at->first);
        joined[at->first].push_back(i);
      }
    }
    std::vector<bool> near_sink(n);
    for (size_t i = 0; i < n; ++i) near_sink[i] = entries[i] && entries[i]->deferred && !joined[i].empty();
    for (size_t i = 0; i < n; ++i)
      for (size_t j : deferred_imports[i]) {
        if (!near_sink[j]) continue;
        joined[i].push_back(j);
        joined[j].push_back(i);
      }
    auto stale = [&](const BlobEntry& entry) {
      for (const auto& [path, blob_id] : entry.dependencies) {
        auto it = index_of.find(path);
        if (it == index_of.end() || files[it->second].blob_id != blob_id) return true;
      }
      return false;
    };
    // Changed files with calls across modules, stale entries, and everything joined to them.
    ProjectScope scope{std::vector<bool>(n, false), std::vector<bool>(n, false)};
    std::vector<size_t> todo;
    for (size_t i = 0; i < n; ++i) {
      if (!entries[i]) continue;
      if ((scanned_now[i] && !joined[i].empty()) || (entries[i]->in_project && stale(*entries[i]))) {
        scope.judged[i] = true;
        todo.push_back(i);
      }
    }
    while (!todo.empty()) {
      size_t i = todo.back();
      todo.pop_back();
      for (size_t j : joined[i]) {
        if (scope.judged[j] || !entries[j]) continue;
        scope.judged[j] = true;
        todo.push_back(j);
      }
    }
    if (std::find(scope.judged.begin(), scope.judged.end(), true) == scope.judged.end()) return ok_status();
    scope.preload = scope.judged;

    std::map<size_t, std::string> bytes;  // read once, valid until the scan returns
    std::optional<Error> read_error;
    auto source_of = [&](size_t i) -> std::optional<std::string_view> {
      if (!entries[i]) return std::nullopt;  // over the size limit
      auto it = bytes.find(i);
      if (it == bytes.end()) {
        auto blob = mirror.read_blob(files[i].blob_id);
        if (!blob) {
          read_error = blob.error();
          return std::nullopt;
        }
        it = bytes.emplace(i, std::move(*blob)).first;
      }
      return std::string_view(it->second);
    };
    const std::vector<ScanResult> results = scanner.scan_project(paths, source_of, 1, nullptr, nullptr, &scope);
    // A file that could not be read would leave names unknown: retry the job rather than upload less.
    if (read_error) return *read_error;
    auto bytes_of_path = [&](const std::string& path) -> std::string_view {
      auto it = index_of.find(path);
      if (it == index_of.end()) return {};
      return source_of(it->second).value_or(std::string_view());
    };
    for (size_t i = 0; i < n; ++i) {
      if (results[i].parsed && !scanned_now[i]) {
        ++outcome.files_parsed;
        scanned_now[i] = true;
      }
      if (!scope.judged[i] || !results[i].parsed) continue;  // no rule may match it: nothing to judge
      BlobEntry& entry = *entries[i];
      entry.findings = sarif::locate(bytes.at(i), results[i].findings, bytes_of_path);
      entry.summary.open_sites.clear();  // the project scan followed them
      entry.in_project = true;
      entry.dependencies.clear();
      for (size_t j : results[i].consulted) entry.dependencies[files[j].path] = files[j].blob_id;
      if (!note_incomplete(files[i].path, results[i], log)) remember(files[i].blob_id, to_text(entry));
    }
    return ok_status();
  }

  const RunnerConfig config_;
  const GitHubClient client_;
  std::unique_ptr<TokenProvider> tokens_;
  const ResultCache cache_;
  ScannerPool scanners_;
  std::mutex repositories_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> repositories_;
  Plans plans_;
};

// Every job fails with the configuration error.
class BrokenRunner final : public JobRunner {
 public:
  explicit BrokenRunner(Error error) : error_(std::move(error)) {}
  JobOutcome run(const Job&, const JobControl&) override {
    JobOutcome outcome;
    outcome.error = error_;
    return outcome;
  }

 private:
  const Error error_;
};

ClientOptions client_options(const RunnerConfig& config) {
  ClientOptions options = config.http;
  options.api_base = config.github_api;
  return options;
}

}  // namespace

ProcessingCheck JobRunner::check_processing(const Job& job, const JobControl&) {
  ProcessingCheck check;
  check.verdict = ProcessingCheck::Verdict::kFailed;
  check.error = Error{"internal", "this job runner cannot check the processing of upload " +
                                      job.recorded_sarif_id};
  return check;
}

Status check_runner_config(const RunnerConfig& config) {
  if (auto client = GitHubClient::create(client_options(config)); !client) return client.error();
  if (config.data_dir.empty()) return Error{"config", "no data dir given"};
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error{"config", "cannot create data dir " + config.data_dir.string() + ": " + ec.message()};
  if (config.allowed_clone_hosts.empty()) {
    return Error{"config", "no clone host is allowed (--allow-clone-host), so no job could fetch"};
  }
  if (config.credentials.token.empty() && !config.credentials.app) {
    return Error{"config", "no GitHub credentials: give a token or a GitHub App"};
  }
  if (config.credentials.app && config.credentials.app->private_key_pem.empty()) {
    return Error{"config", "the GitHub App private key is empty"};
  }
  if (config.max_files == 0 || config.job_timeout.count() <= 0) {
    return Error{"config", "max files and job timeout must be positive"};
  }
  return ok_status();
}

std::unique_ptr<JobRunner> make_github_runner(RunnerConfig config) {
  if (auto s = check_runner_config(config); !s) return std::make_unique<BrokenRunner>(s.error());
  auto client = GitHubClient::create(client_options(config));
  return std::make_unique<GitHubRunner>(std::move(config), std::move(*client));
}

}  // namespace bindscan::webhook

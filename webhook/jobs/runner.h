// The real JobRunner: fetch the commit into a bare mirror (git_source), scan
// every Python blob the result cache does not already know (result_cache,
// bindscan::Scanner, sarif::locate), write one SARIF run with the commit's
// COMPLETE result set (sarif::write_sarif), upload it and poll until GitHub
// has processed it (github_client). Credentials come from a fixed token or a
// GitHub App (github_app) and serve both git and the API.
//
// Why the cache and not the diff decides what is parsed: a blob's entry (its
// own findings and its module summary, blob_entry.h) depends only on its
// bytes and the scanner version, so "parse exactly the blobs not in the
// cache" parses only changed files after a push, everything on a repository's
// first job, and stays right after a force push, a new branch or a lost cache,
// where a before..after diff would be wrong. Findings that depend on other
// files (a host imported from settings.py) come from linking every file's
// summary (scanner/flow/summary.h), which parses nothing: a changed
// settings.py changes the results of the unchanged files that import it.
//
// Newest commit wins: right after the fetch, the runner compares the job's
// commit with what the fetched ref now points at. A ref that moved on (a
// newer push, a force push; also when the commit is gone from the remote)
// makes the outcome `superseded`: nothing is scanned or uploaded, because
// GitHub judges a ref by its latest analysis and the newer push's job owns it.
//
// Outcomes (JobOutcome): uploaded + sarif_id + processing_status on success;
// files_parsed counts blobs scanned in this job, files_reused blobs taken
// from the cache, findings the open results in the uploaded SARIF (in-source
// suppressions are left out; allowed findings go up and are counted in
// `allowed`). A failure carries an Error and `retryable`:
//   retryable     network and git transport errors, 5xx/rate limits that
//                 outlasted the retry policy, the job time budget (a retry
//                 resumes: blobs scanned so far are cached), cache I/O;
//   not retryable a permanent 4xx from GitHub (its message kept), a commit
//                 missing after the fetch, a refused clone URL or name, too
//                 many files, processing_status "failed" (GitHub's errors kept),
//                 a ref the mirror cannot write ("git-ref").
//
// Stopping (JobControl::stop): a job stopped before its fetch, after its scan
// (before the upload) or in any wait of the GitHub client (retry backoff,
// Retry-After, polling interval) returns `interrupted` within milliseconds;
// a fetch or scan in progress, or a request already sent, finishes first
// (bounded by job_timeout and the client's timeouts).
//
// Exactly one upload: right after GitHub's 202 the runner calls
// JobControl::record_sarif_id, before polling. A job that arrives with
// `recorded_sarif_id` (a restart after a crash or stop) polls that upload and
// does not upload again, unless GitHub answers that the id is unknown (twice,
// a poll interval apart) or its processing failed: then it scans and uploads
// as a new job would.
// Allowed findings (configuration `allow` entries) are uploaded too, and once
// GitHub reports the upload `complete` their alerts on the default branch are
// dismissed, and alerts bindscan dismissed whose entry is gone reopened
// (webhook/github/alerts.h), in check_processing() or, when the runner waits,
// in run(). The sync's result is JobOutcome::alerts / ProcessingCheck::alerts;
// its failures never fail the job (the next upload's sync catches up).
// Limits: more than max_files Python files fails the job (a partial upload
// would mark the unscanned files' alerts fixed); a file over max_file_bytes
// (64 MiB by default, as for the CLI) is skipped with a SARIF tool
// notification and the scan goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/python_files.h"
#include "common/result.h"
#include "webhook/github/credentials.h"
#include "webhook/git/git_stream.h"
#include "webhook/github/github_client.h"
#include "webhook/jobs/job.h"
#include "webhook/jobs/shared_cache.h"
#include "webhook/receive/validate.h"

namespace bindscan::webhook {

struct RunnerConfig {
  // Mirrors go to data_dir/git/<owner>/<repo>.git, the cache to data_dir/cache.
  std::filesystem::path data_dir;
  // https://api.github.com, https://HOST/api/v3, or http://127.0.0.1:PORT in tests.
  std::string github_api = "https://api.github.com";
  // Where clone URLs may point (webhook/receive/validate.h); empty refuses every URL.
  std::vector<CloneHost> allowed_clone_hosts;
  Credentials credentials;
  // SARIF runs[].automationDetails.id; keep it stable forever (reference §3.6).
  std::string category = "bindscan/python/";

  // Which files are scanned is common/python_files.h, as for `bindscan scan`.
  size_t max_files = 20000;                               // Python files per commit
  uint64_t max_file_bytes = files::kDefaultMaxFileBytes;  // larger: notification, not scanned
  // Budget of the result cache (webhook/jobs/result_cache.h); 0: no limit.
  uint64_t cache_max_bytes = uint64_t{1} << 30;
  std::chrono::seconds job_timeout{900};     // fetch + scan + upload + polling
  GitTimeouts git_timeouts;                  // socket connect and silence limits
  // false (the service): run() returns right after GitHub's 202 with
  // check_processing_in set, and the service calls check_processing() later,
  // so no worker waits on GitHub. true: run() itself polls until processed
  // (callers without a job store). The policy is `http.poll` either way.
  bool wait_for_processing = false;

  // Timeouts, retry and poll policies and the sleep hook of the GitHub
  // client; its api_base is replaced by `github_api`.
  ClientOptions http;
  // Results shared by every replica (PostgreSQL), consulted after the local
  // cache in data_dir/cache; null: local only.
  std::shared_ptr<SharedResultCache> shared_cache;
  // Cache key part: change it whenever the same bytes could give other
  // findings. Empty: BINDSCAN_VERSION.
  std::string scanner_version;
};

// Checks what can be checked before the first job: the API URL parses, the
// data dir can be created, at least one clone host is allowed, credentials
// are present. Error code "config".
Status check_runner_config(const RunnerConfig& config);

// The runner the service uses. Thread-safe: jobs for different repositories
// run in parallel, jobs for the same repository take turns on its mirror.
// A config that check_runner_config() rejects gives a runner whose every job
// fails with that error (not retryable).
std::unique_ptr<JobRunner> make_github_runner(RunnerConfig config);

}  // namespace bindscan::webhook

// A unit of work the service owes GitHub: scan one commit of one repository
// and upload the complete result set for one ref. Written durably by the
// receiver (job_store) before the delivery is answered; run by a worker.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "webhook/github/alerts.h"
#include "webhook/github/retry.h"

namespace bindscan::webhook {

struct Job {
  std::string id;           // unique, filesystem-safe ([A-Za-z0-9-]); derived from the delivery id
  std::string delivery_id;  // X-GitHub-Delivery
  std::string event;        // "push" or "pull_request"
  std::string owner;        // validated: [A-Za-z0-9-_.], not "." or ".."
  std::string repo;         // validated like owner
  std::string clone_url;    // https URL whose host is in --allow-clone-host
  std::string commit_sha;   // 40 lowercase hex: what is scanned and uploaded
  std::string before_sha;   // 40 hex, or empty when there is nothing to diff against
  std::string ref;          // upload ref: refs/heads/B or refs/pull/N/head
  std::string fetch_ref;    // what to fetch: refs/heads/B or refs/pull/N/head
  std::optional<int64_t> installation_id;  // GitHub App deliveries only
  // repository.default_branch of the delivery ("main"); empty when not sent.
  // Alerts are dismissed and reopened only for uploads to this branch.
  std::string default_branch;
  int attempts = 0;         // how many times a worker has started this job
  // Set by JobStore::take() when an earlier attempt got GitHub's 202 for this
  // job's SARIF (recorded before polling): the runner polls that upload
  // instead of uploading again. Empty otherwise. Not part of the job's JSON.
  std::string recorded_sarif_id;
  // Set by JobStore::take() when the job's SARIF is awaiting GitHub's
  // processing and a check of it is due: the worker asks GitHub once
  // (JobRunner::check_processing) instead of running the job.
  // `processing_checks` counts the checks made before this one.
  bool check_processing = false;
  int processing_checks = 0;
  // Set by take() when a newer delivery for the same ref_key was admitted:
  // its job id. The worker ends this job as superseded without running it.
  std::string superseded_by;
  // Set by take(): when the delivery was admitted (Unix epoch ms), for the
  // delivery-to-processed time.
  int64_t admitted_ms = 0;
};

// The (repository, ref) a job uploads to: jobs with one key run one at a time
// in delivery order, and only the newest delivery's commit is uploaded.
inline std::string ref_key(const Job& job) { return job.owner + "/" + job.repo + " " + job.ref; }

// What a worker reports when a job ends. On failure `error` says why, in words
// that go into the job record and the log (never a secret).
struct JobOutcome {
  bool uploaded = false;
  std::string sarif_id;       // GitHub's id for the upload, when uploaded
  int files_parsed = 0;       // blobs scanned in this job
  int files_reused = 0;       // blobs whose results came from the cache
  int findings = 0;           // results uploaded as open (allowed ones are counted in `allowed`)
  std::string processing_status;  // "complete", "failed", or "pending" when polling gave up
  std::optional<Error> error;
  bool retryable = false;     // a failure worth trying again later (network, 5xx)
  // The service is stopping and the job gave up in a wait (backoff,
  // Retry-After, polling): not an attempt; the job goes back in the queue.
  bool interrupted = false;
  // The ref no longer points at the job's commit (a newer push or a force
  // push moved it): nothing was uploaded and nothing should be. `error`
  // stays empty; `superseded_by` says what the ref points at now.
  bool superseded = false;
  std::string superseded_by;
  // Uploaded and GitHub is processing it: check its status after this wait
  // (the worker does not wait). Unset: the outcome is final.
  std::optional<Millis> check_processing_in;
  // A retryable failure whose sender named a wait (Retry-After, rate-limit
  // reset): the next attempt is not due before this.
  std::optional<Millis> retry_after;
  // Findings uploaded only to have their alerts dismissed (config `allow`).
  int allowed = 0;
  // The alert dismissals after GitHub processed the upload (only when the
  // runner waited for it). A failed sync does not fail the job: the upload stands.
  AlertSync alerts;
};

// What one check of an uploaded SARIF's processing decided.
struct ProcessingCheck {
  enum class Verdict {
    kProcessed,    // complete (or no longer worth waiting for): the job is uploaded
    kFailed,       // GitHub could not process it, or asking failed for good: `error`
    kPending,      // ask again after `next_check`
    kUploadAgain,  // GitHub does not know the id: run the job again (upload anew)
  };
  Verdict verdict = Verdict::kPending;
  std::string processing_status;  // GitHub's word, or "pending" when we stopped asking
  Millis next_check{0};
  std::optional<Error> error;
  bool interrupted = false;  // the service is stopping; nothing was decided
  // kProcessed: the alert dismissals that followed (webhook/github/alerts.h).
  AlertSync alerts;
};

// What the service lends a job while it runs.
struct JobControl {
  // Set when the service stops. Every wait inside the job watches it; a job
  // stopped in a wait returns with `interrupted`. Null: nothing stops the job.
  const StopSignal* stop = nullptr;
  // Called right after GitHub accepted the upload (202), before polling, to
  // record the id durably in the job's record. May be empty.
  std::function<void(const std::string& sarif_id)> record_sarif_id;
};

// Does one job start to end: fetch, scan, upload. The service's workers call
// it; the real one (webhook/jobs/runner.h) talks to git and GitHub, tests use fakes.
// Must be safe to call from several threads at once for different jobs.
class JobRunner {
 public:
  virtual ~JobRunner() = default;
  virtual JobOutcome run(const Job& job, const JobControl& control) = 0;
  // Without a service around it: nothing stops the job, nothing is recorded.
  JobOutcome run(const Job& job) { return run(job, JobControl{}); }
  // One short look at the processing of `job.recorded_sarif_id`, uploaded by
  // run() (which returned check_processing_in). `job.processing_checks` is
  // how many looks came before. Never waits for GitHub beyond one request,
  // except that a `complete` upload of the default branch is followed by its
  // alert sync (ProcessingCheck::alerts: a few list and PATCH requests, none
  // of them retried in a sleep by the service's client).
  // This base version has no GitHub to ask and fails the check.
  virtual ProcessingCheck check_processing(const Job& job, const JobControl& control);
};

}  // namespace bindscan::webhook

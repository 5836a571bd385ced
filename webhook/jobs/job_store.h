// The durable job queue and the record of every delivery's job: one
// interface (JobStore) that the service uses without knowing which engine is
// underneath, and two engines with the same contract
// (tests/webhook/jobs/job_store_contract_test.cpp runs against both):
//   - the spool (JobStore::open, this file): one JSON file per job under DIR
//     (DATA_DIR/jobs), for one process; every change is written to a
//     temporary file, fsynced, renamed over the old file and followed by an
//     fsync of DIR, so a crash leaves the old record or the new one;
//   - PostgreSQL (webhook/jobs/pg_job_store.h), shared by any number of replicas.
//
// States:
//   queued -> running -> uploaded | failed | superseded
//   running -> queued                     (a retry later, or shutdown)
//   running -> awaiting-processing        (GitHub answered 202; no worker waits)
//   awaiting-processing -> uploaded | failed | awaiting-processing (checked again later)
//                        | queued          (GitHub does not know the upload: upload again)
// A restart queues running jobs again (an interrupted job runs again, never
// zero times) and resumes the checks of awaiting-processing ones. A job
// killed after GitHub accepted its upload has the SARIF id in its record
// (record_sarif_id) and checks that upload rather than uploading twice.
//
// Order and newest commit wins: every admission gets a sequence number
// (delivery order). take() hands out at most one running job per ref_key
// (repository + ref), the lowest sequence first; a queued job whose key has
// a job with a higher sequence comes back with `superseded_by` set, and the
// worker ends it as superseded without running it.
//
// Record format (spool, version 1, unchanged): fields added later (seq,
// checks, processed_ms) default to 0 in records written before them, and
// job.default_branch to empty (such a job leaves alerts alone).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "webhook/jobs/job.h"

namespace bindscan::webhook {

enum class JobState { kQueued, kRunning, kAwaitingProcessing, kUploaded, kFailed, kSuperseded };
std::string_view to_string(JobState state);
std::optional<JobState> job_state_from_string(std::string_view text);
// Uploaded, failed or superseded: nothing more happens to the job.
bool is_finished(JobState state);

struct JobRecord {
  Job job;
  JobState state = JobState::kQueued;
  int64_t created_ms = 0;      // Unix epoch milliseconds
  int64_t updated_ms = 0;
  // Queued: not run before then (retry backoff). Awaiting processing: the
  // next check is due then.
  int64_t not_before_ms = 0;
  int accepted = 1;            // deliveries that queued it (a redelivery after failure adds one)
  std::string error;           // last failure, for failed and retried jobs; why, when superseded
  // GitHub's id for the job's upload: set as soon as GitHub answered 202
  // (before polling), kept when the job finishes. A queued or running record
  // with an id resumes polling it on its next attempt (Job::recorded_sarif_id).
  std::string sarif_id;
  int64_t seq = 0;             // admission order (delivery order); higher is newer
  int checks = 0;              // processing checks made while awaiting processing
  int64_t processed_ms = 0;    // when it became uploaded (GitHub processed it)
};

struct JobStoreOptions {
  size_t max_queue = 1000;     // queued records (waiting or backing off) at most
  size_t max_finished = 1000;  // uploaded/failed records kept for dedup; oldest removed first
};

enum class Admission {
  kAccepted,   // new job written durably and queued
  kRequeued,   // the delivery's earlier job had failed; written again as queued
  kDuplicate,  // the delivery's job is queued, running or uploaded: nothing written
  kQueueFull,  // max_queue reached: nothing written
};

struct JobCounts {
  size_t queued = 0, running = 0, awaiting_processing = 0, uploaded = 0, failed = 0, superseded = 0;
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // The spool engine in DIR: creates DIR if needed, removes leftover
  // temporary files and loads every record. Unreadable records are skipped
  // and named in `warnings` (kept on disk for a person to look at). Error
  // code "io".
  static Result<std::unique_ptr<JobStore>> open(const std::filesystem::path& dir,
                                                JobStoreOptions options,
                                                std::vector<std::string>* warnings = nullptr);

  // Admits the job for `job.delivery_id` (job.id must be is_safe_id). Returns
  // only after the record is durable. A write failure (read-only disk, full
  // disk, directory gone, database unreachable) is an "io" error and leaves
  // nothing behind.
  virtual Result<Admission> admit(const Job& job) = 0;

  // Blocks until work is due or close() is called (then nullopt): a queued
  // job (returned running, `attempts` counted, `recorded_sarif_id` from the
  // record, `superseded_by` set when a newer delivery for its ref_key
  // exists) or a due processing check (`check_processing` set; the record
  // stays awaiting-processing, held from other takers until finish_check).
  virtual std::optional<Job> take() = 0;

  // Records durably, on a running job, that GitHub accepted its SARIF as
  // `sarif_id`. Error code "io" when the record cannot be written (then a
  // crash before the job finishes means one more upload, as before).
  virtual Status record_sarif_id(const std::string& id, const std::string& sarif_id) = 0;

  // Ends a running job. outcome.superseded: superseded. `retry_at_ms` set:
  // queued again, due then; otherwise uploaded (outcome.uploaded) or failed.
  // The record's sarif_id becomes outcome.sarif_id. Error code "io" if the
  // record could not be written (it then stays running and runs again after
  // a restart, or, shared, after its lease ends).
  virtual Status finish(const std::string& id, const JobOutcome& outcome,
                        std::optional<int64_t> retry_at_ms = std::nullopt) = 0;

  // A running job whose SARIF GitHub accepted: awaiting processing, its
  // first check due at `check_at_ms`. The worker is free.
  virtual Status await_processing(const std::string& id, const std::string& sarif_id,
                                  int64_t check_at_ms) = 0;

  // Applies one processing check's verdict to an awaiting-processing job
  // taken as a check (see ProcessingCheck). An interrupted check is due again
  // at once, nothing counted.
  virtual Status finish_check(const std::string& id, const ProcessingCheck& check) = 0;

  // Puts a running job back as queued, due at once, without counting the
  // attempt (a job interrupted by shutdown). A recorded sarif_id is kept.
  virtual Status put_back(const std::string& id) = 0;

  // Tells a shared store that this process still works on `ids` (running
  // jobs and checks it took), so no other replica takes them over. The
  // service calls it every few seconds. The spool has nobody to tell.
  virtual void renew_leases(const std::vector<std::string>& ids) { (void)ids; }

  // Wakes every take() with nullopt; later takes return nullopt at once.
  virtual void close() = 0;

  virtual JobCounts counts() const = 0;
  virtual std::optional<JobRecord> find(const std::string& id) const = 0;
  virtual bool queue_full() const = 0;
  // Whether an admission could be written now (spool: a probe file in DIR;
  // PostgreSQL: the database answers). /readyz fails when it is false.
  virtual bool writable() const = 0;
  // Why writable() is false, for /readyz and the log.
  virtual std::string unavailable_reason() const = 0;

  // Milliseconds since the Unix epoch; replaceable for tests.
  using Clock = int64_t (*)();
  virtual void set_clock(Clock clock) = 0;
};

// Milliseconds since the Unix epoch from the system clock.
int64_t system_now_ms();

// The state changes every engine makes, on a record in memory (the
// PostgreSQL engine applies them to the row it locked), so both agree.
void apply_finish(JobRecord& record, const JobOutcome& outcome, std::optional<int64_t> retry_at_ms,
                  int64_t now_ms);
void apply_await(JobRecord& record, const std::string& sarif_id, int64_t check_at_ms);
void apply_check(JobRecord& record, const ProcessingCheck& check, int64_t now_ms);
void count_state(JobCounts& counts, JobState state);

// The JSON form of a record on disk (also used by tests).
std::string record_to_json(const JobRecord& record);
Result<JobRecord> record_from_json(std::string_view text);

}  // namespace bindscan::webhook

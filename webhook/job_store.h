// The durable job queue: one JSON file per job under DIR (DATA_DIR/jobs),
// named <job id>.json. Every change is written to a temporary file, fsynced,
// renamed over the old file and followed by an fsync of DIR, so a crash
// leaves either the old record or the new one, never a torn one.
//
// States: queued -> running -> uploaded | failed, and running -> queued for a
// retry or at shutdown. On open(), queued and running records (running means
// the process stopped mid-job) are queued again: an interrupted job runs
// again, never zero times. A job killed after GitHub accepted its upload has
// the SARIF id in its record (record_sarif_id) and polls that upload rather
// than uploading twice. Thread-safe.
//
// Record format (version 1, unchanged): records written before sarif_id was
// recorded mid-job simply have it empty until the job finishes, and load as before.
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
#include "webhook/job.h"

namespace bindscan::webhook {

enum class JobState { kQueued, kRunning, kUploaded, kFailed };
std::string_view to_string(JobState state);

struct JobRecord {
  Job job;
  JobState state = JobState::kQueued;
  int64_t created_ms = 0;      // Unix epoch milliseconds
  int64_t updated_ms = 0;
  int64_t not_before_ms = 0;   // queued jobs wait until then (retry backoff)
  int accepted = 1;            // deliveries that queued it (a redelivery after failure adds one)
  std::string error;           // last failure, for failed and retried jobs
  // GitHub's id for the job's upload: set as soon as GitHub answered 202
  // (before polling), kept when the job finishes. A queued or running record
  // with an id resumes polling it on its next attempt (Job::recorded_sarif_id).
  std::string sarif_id;
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
  size_t queued = 0, running = 0, uploaded = 0, failed = 0;
};

class JobStore {
 public:
  // Creates DIR if needed, removes leftover temporary files and loads every
  // record. Unreadable records are skipped and named in `warnings` (kept on
  // disk for a person to look at). Error code "io".
  static Result<std::unique_ptr<JobStore>> open(const std::filesystem::path& dir,
                                                JobStoreOptions options,
                                                std::vector<std::string>* warnings = nullptr);

  // Admits the job for `job.delivery_id` (job.id must be is_safe_id). Returns
  // only after the record is durable. A write failure (read-only disk, full
  // disk, directory gone) is an "io" error and leaves nothing behind.
  Result<Admission> admit(const Job& job);

  // Blocks until a queued job is due or close() is called (then nullopt). The
  // job comes back as running with `attempts` counted, already on disk, and
  // `recorded_sarif_id` set from the record.
  std::optional<Job> take();

  // Records durably, on a running job, that GitHub accepted its SARIF as
  // `sarif_id`. Error code "io" when the record cannot be written (then a
  // crash before the job finishes means one more upload, as before).
  Status record_sarif_id(const std::string& id, const std::string& sarif_id);

  // Ends a running job. `retry_at_ms` set: queued again, due then; otherwise
  // uploaded (outcome.uploaded) or failed. The record's sarif_id becomes
  // outcome.sarif_id. Error code "io" if the record
  // could not be written (it then stays running on disk and runs again after
  // a restart).
  Status finish(const std::string& id, const JobOutcome& outcome,
                std::optional<int64_t> retry_at_ms = std::nullopt);

  // Puts a running job back as queued, due at once, without counting the
  // attempt (a job interrupted by shutdown). A recorded sarif_id is kept.
  Status put_back(const std::string& id);

  // Wakes every take() with nullopt; later takes return nullopt at once.
  void close();

  JobCounts counts() const;
  std::optional<JobRecord> find(const std::string& id) const;
  bool queue_full() const;
  // Creates and removes a probe file in DIR: false when it cannot be written.
  bool writable() const;
  const std::filesystem::path& dir() const { return dir_; }

  // Milliseconds since the Unix epoch; replaceable for tests.
  using Clock = int64_t (*)();
  void set_clock(Clock clock);

 private:
  JobStore(std::filesystem::path dir, JobStoreOptions options);
  // Writes the record's file durably; needs no lock (unique temp names).
  Status write_record(const JobRecord& record);
  // Applies `change` to a copy of record `id`, stamps it, writes it durably
  // and only then keeps it in memory.
  Status update_locked(const std::string& id, const std::function<void(JobRecord&)>& change);
  void prune_finished_locked();
  int64_t now() const;

  std::filesystem::path dir_;
  JobStoreOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, JobRecord> records_;
  // Ids whose admission is being written, outside the lock so that
  // concurrent deliveries' fsyncs overlap instead of queueing. They count as
  // queued and as duplicates, and are never pruned.
  std::set<std::string> admitting_;
  bool closed_ = false;
};

// The JSON form of a record on disk (also used by tests).
std::string record_to_json(const JobRecord& record);
Result<JobRecord> record_from_json(std::string_view text);

}  // namespace bindscan::webhook

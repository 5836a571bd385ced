#include "webhook/jobs/job_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "webhook/receive/validate.h"

namespace bindscan::webhook {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

Error io_error(std::string what, const fs::path& path, int err) {
  return Error{"io", what + " " + path.string() + ": " + std::strerror(err)};
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open directory", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync directory", dir, err);
  return ok_status();
}

// Write to a unique temporary file, fsync, rename over `target`, fsync the
// directory. On failure nothing new is left in the directory.
Status write_durably(const fs::path& dir, const fs::path& target, std::string_view data) {
  static std::atomic<uint64_t> counter{0};
  fs::path temp = dir / (std::string(kTempPrefix) + std::to_string(::getpid()) + "-" +
                         std::to_string(counter.fetch_add(1)));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", temp, errno);
  bool ok = write_all(fd, data) && ::fsync(fd) == 0;
  int err = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(temp.c_str());
    return io_error("cannot write", temp, err ? err : EIO);
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    err = errno;
    ::unlink(temp.c_str());
    return io_error("cannot rename into", target, err);
  }
  return fsync_dir(dir);
}

// A taken processing check is held this long from other takers; its
// finish_check sets the real next time.
constexpr int64_t kCheckHoldMs = 120'000;

}  // namespace

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kAwaitingProcessing: return "awaiting-processing";
    case JobState::kUploaded: return "uploaded";
    case JobState::kFailed: return "failed";
    case JobState::kSuperseded: return "superseded";
  }
  return "unknown";
}

std::optional<JobState> job_state_from_string(std::string_view s) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kAwaitingProcessing,
                         JobState::kUploaded, JobState::kFailed, JobState::kSuperseded}) {
    if (s == to_string(state)) return state;
  }
  return std::nullopt;
}

bool is_finished(JobState state) {
  return state == JobState::kUploaded || state == JobState::kFailed ||
         state == JobState::kSuperseded;
}

std::string record_to_json(const JobRecord& r) {
  json job = {{"id", r.job.id},
              {"delivery_id", r.job.delivery_id},
              {"event", r.job.event},
              {"owner", r.job.owner},
              {"repo", r.job.repo},
              {"clone_url", r.job.clone_url},
              {"commit_sha", r.job.commit_sha},
              {"before_sha", r.job.before_sha},
              {"ref", r.job.ref},
              {"fetch_ref", r.job.fetch_ref},
              {"attempts", r.job.attempts}};
  if (r.job.installation_id) job["installation_id"] = *r.job.installation_id;
  if (!r.job.default_branch.empty()) job["default_branch"] = r.job.default_branch;
  json doc = {{"version", 1},
              {"job", std::move(job)},
              {"state", to_string(r.state)},
              {"created_ms", r.created_ms},
              {"updated_ms", r.updated_ms},
              {"not_before_ms", r.not_before_ms},
              {"accepted", r.accepted},
              {"error", r.error},
              {"sarif_id", r.sarif_id},
              {"seq", r.seq},
              {"checks", r.checks},
              {"processed_ms", r.processed_ms}};
  return doc.dump(2) + "\n";
}

Result<JobRecord> record_from_json(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Error{"io", "job record is not JSON"};
  try {
    JobRecord r;
    const json& job = doc.at("job");
    r.job.id = job.at("id").get<std::string>();
    r.job.delivery_id = job.at("delivery_id").get<std::string>();
    r.job.event = job.at("event").get<std::string>();
    r.job.owner = job.at("owner").get<std::string>();
    r.job.repo = job.at("repo").get<std::string>();
    r.job.clone_url = job.at("clone_url").get<std::string>();
    r.job.commit_sha = job.at("commit_sha").get<std::string>();
    r.job.before_sha = job.at("before_sha").get<std::string>();
    r.job.ref = job.at("ref").get<std::string>();
    r.job.fetch_ref = job.at("fetch_ref").get<std::string>();
    r.job.attempts = job.at("attempts").get<int>();
    if (job.contains("installation_id")) r.job.installation_id = job["installation_id"].get<int64_t>();
    r.job.default_branch = job.value("default_branch", std::string());
    std::optional<JobState> state = job_state_from_string(doc.at("state").get<std::string>());
    if (!state) return Error{"io", "job record has an unknown state"};
    r.state = *state;
    r.created_ms = doc.at("created_ms").get<int64_t>();
    r.updated_ms = doc.at("updated_ms").get<int64_t>();
    r.not_before_ms = doc.value("not_before_ms", int64_t{0});
    r.accepted = doc.value("accepted", 1);
    r.error = doc.value("error", std::string());
    r.sarif_id = doc.value("sarif_id", std::string());
    r.seq = doc.value("seq", int64_t{0});
    r.checks = doc.value("checks", 0);
    r.processed_ms = doc.value("processed_ms", int64_t{0});
    if (!is_safe_id(r.job.id)) return Error{"io", "job record has an unsafe id"};
    return r;
  } catch (const json::exception& e) {
    return Error{"io", std::string("job record is incomplete: ") + e.what()};
  }
}

namespace {

// The spool engine: every record in memory, each change written durably to
// its file before it is kept in memory.
class SpoolJobStore final : public JobStore {
 public:
  SpoolJobStore(fs::path dir, JobStoreOptions options)
      : dir_(std::move(dir)), options_(options), clock_(&system_now_ms) {}

  Status load(std::vector<std::string>* warnings);

  Result<Admission> admit(const Job& job) override;
  std::optional<Job> take() override;
  Status record_sarif_id(const std::string& id, const std::string& sarif_id) override;
  Status finish(const std::string& id, const JobOutcome& outcome,
                std::optional<int64_t> retry_at_ms) override;
  Status await_processing(const std::string& id, const std::string& sarif_id,
                          int64_t check_at_ms) override;
  Status finish_check(const std::string& id, const ProcessingCheck& check) override;
  Status put_back(const std::string& id) override;
  void close() override;
  JobCounts counts() const override;
  std::optional<JobRecord> find(const std::string& id) const override;
  bool queue_full() const override;
  bool writable() const override;
  std::string unavailable_reason() const override {
    return "data directory " + dir_.string() + " is not writable";
  }
  void set_clock(Clock clock) override;

 private:
  // Writes the record's file durably; needs no lock (unique temp names).
  Status write_record(const JobRecord& record);
  // Applies `change` to a copy of record `id`, stamps it, writes it durably
  // and only then keeps it in memory.
  Status update_locked(const std::string& id, const std::function<void(JobRecord&)>& change);
  void prune_finished_locked();
  int64_t now() const { return clock_(); }

  fs::path dir_;
  JobStoreOptions options_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, JobRecord> records_;
  // Ids whose admission is being written, outside the lock so that
  // concurrent deliveries' fsyncs overlap instead of queueing. They count as
  // queued and as duplicates, and are never pruned.
  std::set<std::string> admitting_;
  int64_t next_seq_ = 1;
  bool closed_ = false;
};

Status SpoolJobStore::load(std::vector<std::string>* warnings) {
  std::error_code ec;
  std::vector<JobRecord> interrupted;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(kTempPrefix, 0) == 0) {
      fs::remove(entry.path(), ec);
      continue;
    }
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Result<JobRecord> record = record_from_json(text.str());
    if (!record || record->job.id + ".json" != name) {
      if (warnings) warnings->push_back("skipping unreadable job record " + entry.path().string());
      continue;
    }
    if (record->state == JobState::kRunning) {
      record->state = JobState::kQueued;
      interrupted.push_back(*record);
    }
    next_seq_ = std::max(next_seq_, record->seq + 1);
    records_[record->job.id] = std::move(*record);
  }
  if (ec) return Error{"io", "cannot list " + dir_.string() + ": " + ec.message()};
  std::lock_guard lock(mutex_);
  for (const JobRecord& record : interrupted) {
    if (Status s = write_record(record); !s && warnings) {
      warnings->push_back("cannot mark interrupted job " + record.job.id + " queued: " +
                          s.error().message);
    }
  }
  return ok_status();
}

Status SpoolJobStore::write_record(const JobRecord& record) {
  return write_durably(dir_, dir_ / (record.job.id + ".json"), record_to_json(record));
}

void SpoolJobStore::set_clock(Clock clock) {
  std::lock_guard lock(mutex_);
  clock_ = clock;
}

Result<Admission> SpoolJobStore::admit(const Job& job) {
  if (!is_safe_id(job.id)) return Error{"io", "job id is not a safe file name"};
  JobRecord record;
  bool requeue = false;
  {
    std::lock_guard lock(mutex_);
    if (admitting_.contains(job.id)) return Admission::kDuplicate;
    auto it = records_.find(job.id);
    requeue = it != records_.end() && it->second.state == JobState::kFailed;
    if (it != records_.end() && !requeue) return Admission::kDuplicate;
    size_t queued = admitting_.size();
    for (const auto& [id, r] : records_) queued += r.state == JobState::kQueued;
    if (queued >= options_.max_queue) return Admission::kQueueFull;

    record.job = job;
    record.job.attempts = 0;
    record.state = JobState::kQueued;
    record.created_ms = record.updated_ms = now();
    if (requeue) {
      // A redelivery keeps its place in the delivery order.
      record.created_ms = it->second.created_ms;
      record.accepted = it->second.accepted + 1;
      record.seq = it->second.seq;
    } else {
      record.seq = next_seq_++;
    }
    admitting_.insert(job.id);
  }
  Status written = write_record(record);
  std::lock_guard lock(mutex_);
  admitting_.erase(job.id);
  if (!written) return written.error();
  records_[job.id] = std::move(record);
  changed_.notify_one();
  return requeue ? Admission::kRequeued : Admission::kAccepted;
}

std::optional<Job> SpoolJobStore::take() {
  std::unique_lock lock(mutex_);
  while (!closed_) {
    const int64_t t = now();
    // Per ref_key: the newest admission, and whether a job of it is running.
    std::map<std::string, const JobRecord*> newest;
    std::set<std::string> busy;
    for (const auto& [id, r] : records_) {
      const std::string key = ref_key(r.job);
      auto& slot = newest[key];
      if (slot == nullptr || r.seq > slot->seq) slot = &r;
      if (r.state == JobState::kRunning) busy.insert(key);
    }
    JobRecord* check = nullptr;
    JobRecord* run = nullptr;
    int64_t next_due = std::numeric_limits<int64_t>::max();
    for (auto& [id, r] : records_) {
      if (r.state == JobState::kAwaitingProcessing) {
        if (r.not_before_ms > t) next_due = std::min(next_due, r.not_before_ms);
        else if (check == nullptr || r.not_before_ms < check->not_before_ms) check = &r;
      } else if (r.state == JobState::kQueued && !busy.contains(ref_key(r.job))) {
        if (r.not_before_ms > t) next_due = std::min(next_due, r.not_before_ms);
        else if (run == nullptr || std::pair(r.seq, r.created_ms) < std::pair(run->seq, run->created_ms)) run = &r;
      }
    }
    if (check != nullptr) {
      // Held in memory only: after a restart the check is simply due.
      check->not_before_ms = t + kCheckHoldMs;
      Job job = check->job;
      job.recorded_sarif_id = check->sarif_id;
      job.check_processing = true;
      job.processing_checks = check->checks;
      job.admitted_ms = check->created_ms;
      return job;
    }
    if (run != nullptr) {
      run->state = JobState::kRunning;
      run->job.attempts += 1;
      run->updated_ms = t;
      // If this write fails the disk still says queued: after a restart the
      // job runs again, which is the safe direction.
      (void)write_record(*run);
      Job job = run->job;
      job.recorded_sarif_id = run->sarif_id;
      job.admitted_ms = run->created_ms;
      const JobRecord* newer = newest[ref_key(run->job)];
      if (newer != run && newer->seq > run->seq) job.superseded_by = newer->job.id;
      return job;
    }
    if (next_due == std::numeric_limits<int64_t>::max()) {
      changed_.wait(lock);
    } else {
      changed_.wait_for(lock, std::chrono::milliseconds(next_due - t));
    }
  }
  return std::nullopt;
}

Status SpoolJobStore::update_locked(const std::string& id,
                                    const std::function<void(JobRecord&)>& change) {
  auto it = records_.find(id);
  if (it == records_.end()) return Error{"io", "no job " + id};
  JobRecord updated = it->second;
  change(updated);
  updated.updated_ms = now();
  if (Status s = write_record(updated); !s) return s;
  it->second = std::move(updated);
  return ok_status();
}

Status SpoolJobStore::finish(const std::string& id, const JobOutcome& outcome,
                             std::optional<int64_t> retry_at_ms) {
  std::lock_guard lock(mutex_);
  const int64_t t = now();
  Status s = update_locked(id, [&](JobRecord& r) { apply_finish(r, outcome, retry_at_ms, t); });
  if (!s) return s;
  // The key is free again, or a retry is waiting: takers may have work.
  changed_.notify_all();
  prune_finished_locked();
  return ok_status();
}

Status SpoolJobStore::await_processing(const std::string& id, const std::string& sarif_id,
                                       int64_t check_at_ms) {
  std::lock_guard lock(mutex_);
  Status s = update_locked(id, [&](JobRecord& r) { apply_await(r, sarif_id, check_at_ms); });
  if (s) changed_.notify_all();
  return s;
}

Status SpoolJobStore::finish_check(const std::string& id, const ProcessingCheck& check) {
  std::lock_guard lock(mutex_);
  const int64_t t = now();
  if (check.interrupted) {
    auto it = records_.find(id);
    if (it == records_.end()) return Error{"io", "no job " + id};
    it->second.not_before_ms = t;  // nothing to write: the file never saw the hold
    return ok_status();
  }
  Status s = update_locked(id, [&](JobRecord& r) { apply_check(r, check, t); });
  if (!s) return s;
  changed_.notify_all();
  prune_finished_locked();
  return ok_status();
}

Status SpoolJobStore::record_sarif_id(const std::string& id, const std::string& sarif_id) {
  std::lock_guard lock(mutex_);
  return update_locked(id, [&](JobRecord& r) { r.sarif_id = sarif_id; });
}

Status SpoolJobStore::put_back(const std::string& id) {
  std::lock_guard lock(mutex_);
  Status s = update_locked(id, [](JobRecord& r) {
    r.state = JobState::kQueued;
    r.job.attempts = std::max(0, r.job.attempts - 1);
  });
  if (s) changed_.notify_all();
  return s;
}

void SpoolJobStore::prune_finished_locked() {
  std::vector<std::pair<int64_t, std::string>> finished;
  for (const auto& [id, r] : records_) {
    if (is_finished(r.state) && !admitting_.contains(id)) finished.emplace_back(r.updated_ms, id);
  }
  if (finished.size() <= options_.max_finished) return;
  std::sort(finished.begin(), finished.end());
  size_t excess = finished.size() - options_.max_finished;
  for (size_t i = 0; i < excess; ++i) {
    std::error_code ec;
    fs::remove(dir_ / (finished[i].second + ".json"), ec);
    if (!ec) records_.erase(finished[i].second);
  }
}

void SpoolJobStore::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

JobCounts SpoolJobStore::counts() const {
  std::lock_guard lock(mutex_);
  JobCounts c;
  for (const auto& [id, r] : records_) count_state(c, r.state);
  return c;
}

std::optional<JobRecord> SpoolJobStore::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(id);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

bool SpoolJobStore::queue_full() const { return counts().queued >= options_.max_queue; }

bool SpoolJobStore::writable() const {
  fs::path probe = dir_ / (std::string(kTempPrefix) + "probe-" + std::to_string(::getpid()) + "-" +
                           std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, "x");
  ::close(fd);
  ::unlink(probe.c_str());
  return ok;
}

}  // namespace

void apply_finish(JobRecord& r, const JobOutcome& outcome, std::optional<int64_t> retry_at_ms,
                  int64_t now_ms) {
  r.error = outcome.error ? outcome.error->message : "";
  r.sarif_id = outcome.sarif_id;
  if (outcome.superseded) {
    r.state = JobState::kSuperseded;
    r.error = outcome.superseded_by.empty() ? "superseded" : "superseded by " + outcome.superseded_by;
  } else if (retry_at_ms) {
    r.state = JobState::kQueued;
    r.not_before_ms = *retry_at_ms;
  } else if (outcome.uploaded) {
    r.state = JobState::kUploaded;
    r.processed_ms = now_ms;
  } else {
    r.state = JobState::kFailed;
  }
}

void apply_await(JobRecord& r, const std::string& sarif_id, int64_t check_at_ms) {
  r.state = JobState::kAwaitingProcessing;
  r.sarif_id = sarif_id;
  r.not_before_ms = check_at_ms;
  r.checks = 0;
  r.error.clear();
}

void apply_check(JobRecord& r, const ProcessingCheck& check, int64_t now_ms) {
  using Verdict = ProcessingCheck::Verdict;
  switch (check.verdict) {
    case Verdict::kProcessed:
      r.state = JobState::kUploaded;
      r.processed_ms = now_ms;
      break;
    case Verdict::kFailed:
      r.state = JobState::kFailed;
      r.error = check.error ? check.error->message : "processing failed";
      break;
    case Verdict::kPending:
      r.checks += 1;
      r.not_before_ms = now_ms + check.next_check.count();
      if (check.error) r.error = check.error->message;
      break;
    case Verdict::kUploadAgain:
      r.state = JobState::kQueued;
      r.error = "GitHub does not know upload " + r.sarif_id + "; uploading again";
      r.sarif_id.clear();
      r.not_before_ms = 0;
      r.checks = 0;
      break;
  }
}

void count_state(JobCounts& c, JobState state) {
  switch (state) {
    case JobState::kQueued: ++c.queued; break;
    case JobState::kRunning: ++c.running; break;
    case JobState::kAwaitingProcessing: ++c.awaiting_processing; break;
    case JobState::kUploaded: ++c.uploaded; break;
    case JobState::kFailed: ++c.failed; break;
    case JobState::kSuperseded: ++c.superseded; break;
  }
}

Result<std::unique_ptr<JobStore>> JobStore::open(const fs::path& dir, JobStoreOptions options,
                                                 std::vector<std::string>* warnings) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"io", "cannot create " + dir.string() + ": " + ec.message()};
  auto store = std::make_unique<SpoolJobStore>(dir, options);
  if (Status s = store->load(warnings); !s) return s.error();
  return std::unique_ptr<JobStore>(std::move(store));
}

}  // namespace bindscan::webhook

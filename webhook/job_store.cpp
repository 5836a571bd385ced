#include "webhook/job_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "webhook/validate.h"

namespace bindscan::webhook {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

std::optional<JobState> state_from_string(std::string_view s) {
  if (s == "queued") return JobState::kQueued;
  if (s == "running") return JobState::kRunning;
  if (s == "uploaded") return JobState::kUploaded;
  if (s == "failed") return JobState::kFailed;
  return std::nullopt;
}

bool is_finished(JobState state) {
  return state == JobState::kUploaded || state == JobState::kFailed;
}

}  // namespace

std::string_view to_string(JobState state) {
  switch (state) {
    case JobState::kQueued: return "queued";
    case JobState::kRunning: return "running";
    case JobState::kUploaded: return "uploaded";
    case JobState::kFailed: return "failed";
  }
  return "unknown";
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
  json doc = {{"version", 1},
              {"job", std::move(job)},
              {"state", to_string(r.state)},
              {"created_ms", r.created_ms},
              {"updated_ms", r.updated_ms},
              {"not_before_ms", r.not_before_ms},
              {"accepted", r.accepted},
              {"error", r.error},
              {"sarif_id", r.sarif_id}};
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
    std::optional<JobState> state = state_from_string(doc.at("state").get<std::string>());
    if (!state) return Error{"io", "job record has an unknown state"};
    r.state = *state;
    r.created_ms = doc.at("created_ms").get<int64_t>();
    r.updated_ms = doc.at("updated_ms").get<int64_t>();
    r.not_before_ms = doc.value("not_before_ms", int64_t{0});
    r.accepted = doc.value("accepted", 1);
    r.error = doc.value("error", std::string());
    r.sarif_id = doc.value("sarif_id", std::string());
    if (!is_safe_id(r.job.id)) return Error{"io", "job record has an unsafe id"};
    return r;
  } catch (const json::exception& e) {
    return Error{"io", std::string("job record is incomplete: ") + e.what()};
  }
}

JobStore::JobStore(fs::path dir, JobStoreOptions options)
    : dir_(std::move(dir)), options_(options), clock_(&system_now_ms) {}

Result<std::unique_ptr<JobStore>> JobStore::open(const fs::path& dir, JobStoreOptions options,
                                                 std::vector<std::string>* warnings) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"io", "cannot create " + dir.string() + ": " + ec.message()};
  std::unique_ptr<JobStore> store(new JobStore(dir, options));
  std::vector<JobRecord> interrupted;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
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
    store->records_[record->job.id] = std::move(*record);
  }
  if (ec) return Error{"io", "cannot list " + dir.string() + ": " + ec.message()};
  std::lock_guard lock(store->mutex_);
  for (const JobRecord& record : interrupted) {
    if (Status s = store->write_record(record); !s && warnings) {
      warnings->push_back("cannot mark interrupted job " + record.job.id + " queued: " +
                          s.error().message);
    }
  }
  return store;
}

Status JobStore::write_record(const JobRecord& record) {
  return write_durably(dir_, dir_ / (record.job.id + ".json"), record_to_json(record));
}

int64_t JobStore::now() const { return clock_(); }

void JobStore::set_clock(Clock clock) {
  std::lock_guard lock(mutex_);
  clock_ = clock;
}

Result<Admission> JobStore::admit(const Job& job) {
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
      record.created_ms = it->second.created_ms;
      record.accepted = it->second.accepted + 1;
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

std::optional<Job> JobStore::take() {
  std::unique_lock lock(mutex_);
  while (!closed_) {
    JobRecord* best = nullptr;
    for (auto& [id, r] : records_) {
      if (r.state != JobState::kQueued) continue;
      if (best == nullptr || std::pair(r.not_before_ms, r.created_ms) <
                                 std::pair(best->not_before_ms, best->created_ms)) {
        best = &r;
      }
    }
    int64_t t = now();
    if (best != nullptr && best->not_before_ms <= t) {
      best->state = JobState::kRunning;
      best->job.attempts += 1;
      best->updated_ms = t;
      // If this write fails the disk still says queued: after a restart the
      // job runs again, which is the safe direction.
      (void)write_record(*best);
      Job job = best->job;
      job.recorded_sarif_id = best->sarif_id;
      return job;
    }
    if (best == nullptr) {
      changed_.wait(lock);
    } else {
      changed_.wait_for(lock, std::chrono::milliseconds(best->not_before_ms - t));
    }
  }
  return std::nullopt;
}

Status JobStore::update_locked(const std::string& id,
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

Status JobStore::finish(const std::string& id, const JobOutcome& outcome,
                        std::optional<int64_t> retry_at_ms) {
  std::lock_guard lock(mutex_);
  Status s = update_locked(id, [&](JobRecord& r) {
    r.error = outcome.error ? outcome.error->message : "";
    r.sarif_id = outcome.sarif_id;
    if (retry_at_ms) {
      r.state = JobState::kQueued;
      r.not_before_ms = *retry_at_ms;
    } else {
      r.state = outcome.uploaded ? JobState::kUploaded : JobState::kFailed;
    }
  });
  if (!s) return s;
  if (retry_at_ms) changed_.notify_one();
  prune_finished_locked();
  return ok_status();
}

Status JobStore::record_sarif_id(const std::string& id, const std::string& sarif_id) {
  std::lock_guard lock(mutex_);
  return update_locked(id, [&](JobRecord& r) { r.sarif_id = sarif_id; });
}

Status JobStore::put_back(const std::string& id) {
  std::lock_guard lock(mutex_);
  Status s = update_locked(id, [](JobRecord& r) {
    r.state = JobState::kQueued;
    r.job.attempts = std::max(0, r.job.attempts - 1);
  });
  if (s) changed_.notify_one();
  return s;
}

void JobStore::prune_finished_locked() {
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

void JobStore::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

JobCounts JobStore::counts() const {
  std::lock_guard lock(mutex_);
  JobCounts c;
  for (const auto& [id, r] : records_) {
    switch (r.state) {
      case JobState::kQueued: ++c.queued; break;
      case JobState::kRunning: ++c.running; break;
      case JobState::kUploaded: ++c.uploaded; break;
      case JobState::kFailed: ++c.failed; break;
    }
  }
  return c;
}

std::optional<JobRecord> JobStore::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = records_.find(id);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

bool JobStore::queue_full() const { return counts().queued >= options_.max_queue; }

bool JobStore::writable() const {
  fs::path probe = dir_ / (std::string(kTempPrefix) + "probe-" + std::to_string(::getpid()) + "-" +
                           std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, "x");
  ::close(fd);
  ::unlink(probe.c_str());
  return ok;
}

}  // namespace bindscan::webhook

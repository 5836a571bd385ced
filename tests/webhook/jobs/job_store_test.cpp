#include "webhook/jobs/job_store.h"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "bindscan-store-XXXXXX").string();
  char* dir = mkdtemp(pattern.data());
  EXPECT_NE(dir, nullptr);
  return dir;
}

Job sample_job(std::string id) {
  Job job;
  job.id = id;
  job.delivery_id = id;
  job.event = "push";
  job.owner = "octo-org";
  job.repo = "hello-world";
  job.clone_url = "https://github.com/octo-org/hello-world.git";
  job.commit_sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  // One branch per delivery: jobs of one ref take turns (job_store.h).
  job.ref = job.fetch_ref = "refs/heads/" + id;
  job.installation_id = 2311213;
  job.default_branch = "main";
  return job;
}

JobOutcome uploaded() {
  JobOutcome outcome;
  outcome.uploaded = true;
  outcome.sarif_id = "47177e22-5596-11eb-80a1-c1e54ef945c6";
  return outcome;
}

JobOutcome failed(bool retryable) {
  JobOutcome outcome;
  outcome.error = Error{"github", "422 Unprocessable Entity"};
  outcome.retryable = retryable;
  return outcome;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class WebhookJobStore : public ::testing::Test {
 protected:
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<JobStore> open(JobStoreOptions options = {}) {
    auto store = JobStore::open(dir_ / "jobs", options, &warnings_);
    EXPECT_TRUE(store) << store.error().message;
    return std::move(store.value());
  }
  fs::path dir_ = make_temp_dir();
  std::vector<std::string> warnings_;
};

TEST_F(WebhookJobStore, RecordRoundTripsThroughJson) {
  JobRecord record;
  record.job = sample_job("abc-1");
  record.job.before_sha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  record.job.attempts = 3;
  record.state = JobState::kFailed;
  record.created_ms = 1;
  record.updated_ms = 2;
  record.not_before_ms = 3;
  record.accepted = 2;
  record.error = "x";
  auto back = record_from_json(record_to_json(record));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->job.before_sha, record.job.before_sha);
  EXPECT_EQ(back->job.attempts, 3);
  EXPECT_EQ(back->job.installation_id, 2311213);
  EXPECT_EQ(back->job.default_branch, "main");
  EXPECT_EQ(back->state, JobState::kFailed);
  EXPECT_EQ(back->accepted, 2);
  EXPECT_FALSE(record_from_json("{}"));
  EXPECT_FALSE(record_from_json("nonsense"));
}

TEST_F(WebhookJobStore, AdmitWritesTheRecordBeforeReturning) {
  auto store = open();
  auto admission = store->admit(sample_job("d-1"));
  ASSERT_TRUE(admission);
  EXPECT_EQ(*admission, Admission::kAccepted);
  ASSERT_TRUE(fs::exists(dir_ / "jobs" / "d-1.json"));
  std::ifstream in(dir_ / "jobs" / "d-1.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto record = record_from_json(text);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state, JobState::kQueued);
  EXPECT_EQ(record->job.commit_sha, sample_job("d-1").commit_sha);
  // Only the record: no temporary files are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "jobs"), fs::directory_iterator()), 1);
}

TEST_F(WebhookJobStore, DuplicateDeliveriesAreNotQueuedTwice) {
  auto store = open();
  EXPECT_EQ(*store->admit(sample_job("d-1")), Admission::kAccepted);
  EXPECT_EQ(*store->admit(sample_job("d-1")), Admission::kDuplicate);
  auto job = store->take();
  ASSERT_TRUE(job);
  EXPECT_EQ(*store->admit(sample_job("d-1")), Admission::kDuplicate);  // running
  ASSERT_TRUE(store->finish("d-1", uploaded()));
  EXPECT_EQ(*store->admit(sample_job("d-1")), Admission::kDuplicate);  // uploaded
  EXPECT_EQ(store->counts().queued, 0u);
}

TEST_F(WebhookJobStore, FailedDeliveryMayBeAcceptedAgain) {
  auto store = open();
  ASSERT_TRUE(store->admit(sample_job("d-1")));
  ASSERT_TRUE(store->take());
  ASSERT_TRUE(store->finish("d-1", failed(false)));
  EXPECT_EQ(store->find("d-1")->state, JobState::kFailed);
  EXPECT_EQ(*store->admit(sample_job("d-1")), Admission::kRequeued);
  auto record = store->find("d-1");
  EXPECT_EQ(record->state, JobState::kQueued);
  EXPECT_EQ(record->accepted, 2);
  EXPECT_EQ(record->job.attempts, 0);
}

TEST_F(WebhookJobStore, QueueFullRefusesWithoutWriting) {
  auto store = open({.max_queue = 2, .max_finished = 10});
  EXPECT_EQ(*store->admit(sample_job("d-1")), Admission::kAccepted);
  EXPECT_EQ(*store->admit(sample_job("d-2")), Admission::kAccepted);
  EXPECT_TRUE(store->queue_full());
  EXPECT_EQ(*store->admit(sample_job("d-3")), Admission::kQueueFull);
  EXPECT_FALSE(fs::exists(dir_ / "jobs" / "d-3.json"));
  ASSERT_TRUE(store->take());  // running jobs do not count against the queue
  EXPECT_EQ(*store->admit(sample_job("d-3")), Admission::kAccepted);
}

// Admissions write outside the store's lock: concurrent ones must still see
// each other, as duplicates and against the queue limit.
TEST_F(WebhookJobStore, ConcurrentAdmissionsOfOneDeliveryQueueItOnce) {
  auto store = open();
  std::vector<Admission> results(16);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = *store->admit(sample_job("d-same")); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(results.begin(), results.end(), Admission::kAccepted), 1);
  EXPECT_EQ(std::count(results.begin(), results.end(), Admission::kDuplicate), 15);
  EXPECT_EQ(store->counts().queued, 1u);
}

TEST_F(WebhookJobStore, ConcurrentAdmissionsStopExactlyAtTheQueueLimit) {
  auto store = open({.max_queue = 5, .max_finished = 10});
  std::vector<Admission> results(40);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = *store->admit(sample_job("d-" + std::to_string(i))); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(results.begin(), results.end(), Admission::kAccepted), 5);
  EXPECT_EQ(std::count(results.begin(), results.end(), Admission::kQueueFull), 35);
  EXPECT_EQ(store->counts().queued, 5u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "jobs"), fs::directory_iterator()), 5);
}

TEST_F(WebhookJobStore, UnwritableDirectoryIsAnErrorAndLeavesNothing) {
  auto store = open();
  // Works as root too: the directory is replaced by a plain file.
  fs::remove_all(dir_ / "jobs");
  std::ofstream(dir_ / "jobs") << "not a directory";
  EXPECT_FALSE(store->writable());
  auto admission = store->admit(sample_job("d-1"));
  ASSERT_FALSE(admission);
  EXPECT_EQ(admission.error().code, "io");
  EXPECT_FALSE(store->find("d-1"));
  EXPECT_EQ(store->counts().queued, 0u);
}

TEST_F(WebhookJobStore, TakeRunsJobsInOrderAndCountsAttempts) {
  auto store = open();
  ASSERT_TRUE(store->admit(sample_job("d-1")));
  ASSERT_TRUE(store->admit(sample_job("d-2")));
  auto first = store->take();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "d-1");
  EXPECT_EQ(first->attempts, 1);
  EXPECT_EQ(store->find("d-1")->state, JobState::kRunning);
  EXPECT_EQ(store->take()->id, "d-2");
}

TEST_F(WebhookJobStore, RetryWaitsUntilDue) {
  auto store = open();
  ASSERT_TRUE(store->admit(sample_job("d-1")));
  ASSERT_TRUE(store->take());
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  ASSERT_TRUE(store->finish("d-1", failed(true), now + 150));
  EXPECT_EQ(store->find("d-1")->state, JobState::kQueued);
  auto start = std::chrono::steady_clock::now();
  auto again = store->take();
  ASSERT_TRUE(again);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(again->attempts, 2);
}

TEST_F(WebhookJobStore, CloseWakesWaitingTakers) {
  auto store = open();
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store->close();
  });
  EXPECT_FALSE(store->take());
  closer.join();
  EXPECT_FALSE(store->take());
}

TEST_F(WebhookJobStore, RestartRequeuesQueuedAndInterruptedJobs) {
  {
    auto store = open();
    ASSERT_TRUE(store->admit(sample_job("d-1")));
    ASSERT_TRUE(store->admit(sample_job("d-2")));
    ASSERT_TRUE(store->admit(sample_job("d-3")));
    ASSERT_TRUE(store->take());  // d-1 running when the process "dies"
    ASSERT_TRUE(store->take());
    ASSERT_TRUE(store->finish("d-2", uploaded()));
    std::ofstream(dir_ / "jobs" / ".tmp-123-4") << "{half";  // torn write of a crash
  }
  auto store = open();
  JobCounts counts = store->counts();
  EXPECT_EQ(counts.queued, 2u);
  EXPECT_EQ(counts.running, 0u);
  EXPECT_EQ(counts.uploaded, 1u);
  EXPECT_FALSE(fs::exists(dir_ / "jobs" / ".tmp-123-4"));
  EXPECT_EQ(store->find("d-1")->state, JobState::kQueued);
  EXPECT_EQ(store->find("d-2")->sarif_id, uploaded().sarif_id);
  EXPECT_EQ(*store->admit(sample_job("d-2")), Admission::kDuplicate);  // dedup survives restarts
  auto job = store->take();
  ASSERT_TRUE(job);
  EXPECT_EQ(job->id, "d-1");
  EXPECT_EQ(job->attempts, 2);  // the interrupted attempt counts
}

TEST_F(WebhookJobStore, UnreadableRecordsAreSkippedWithAWarning) {
  fs::create_directories(dir_ / "jobs");
  std::ofstream(dir_ / "jobs" / "broken.json") << "{not json";
  auto store = open();
  EXPECT_EQ(store->counts().queued, 0u);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("broken.json"), std::string::npos);
}

TEST_F(WebhookJobStore, FinishedRecordsAreBounded) {
  auto store = open({.max_queue = 100, .max_finished = 2});
  for (std::string id : {"d-1", "d-2", "d-3"}) {
    ASSERT_TRUE(store->admit(sample_job(id)));
    ASSERT_TRUE(store->take());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_TRUE(store->finish(id, uploaded()));
  }
  EXPECT_EQ(store->counts().uploaded, 2u);
  EXPECT_FALSE(store->find("d-1"));
  EXPECT_FALSE(fs::exists(dir_ / "jobs" / "d-1.json"));
  EXPECT_TRUE(fs::exists(dir_ / "jobs" / "d-3.json"));
}

TEST_F(WebhookJobStore, PutBackDoesNotCountTheAttempt) {
  auto store = open();
  ASSERT_TRUE(store->admit(sample_job("d-1")));
  ASSERT_TRUE(store->take());
  ASSERT_TRUE(store->put_back("d-1"));
  auto record = store->find("d-1");
  EXPECT_EQ(record->state, JobState::kQueued);
  EXPECT_EQ(record->job.attempts, 0);
}

TEST_F(WebhookJobStore, ARecordedUploadIdSurvivesARestartAndComesBackWithTheJob) {
  {
    auto store = open();
    ASSERT_TRUE(store->admit(sample_job("d-1")));
    auto job = store->take();
    ASSERT_TRUE(job);
    EXPECT_EQ(job->recorded_sarif_id, "");
    ASSERT_TRUE(store->record_sarif_id("d-1", "sarif-7"));
    EXPECT_EQ(store->find("d-1")->state, JobState::kRunning);
    // The process dies here, while polling: the id is already on disk.
  }
  auto record = record_from_json(read_file(dir_ / "jobs" / "d-1.json"));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->sarif_id, "sarif-7");
  auto store = open();
  auto job = store->take();
  ASSERT_TRUE(job);
  EXPECT_EQ(job->recorded_sarif_id, "sarif-7");
  EXPECT_EQ(job->attempts, 2);
  // A put back (shutdown) keeps it too; finishing records the outcome's id.
  ASSERT_TRUE(store->put_back("d-1"));
  EXPECT_EQ(store->take()->recorded_sarif_id, "sarif-7");
  ASSERT_TRUE(store->finish("d-1", uploaded()));
  EXPECT_EQ(store->find("d-1")->sarif_id, uploaded().sarif_id);
  EXPECT_FALSE(store->record_sarif_id("d-404", "x"));
}

TEST_F(WebhookJobStore, RecordsWrittenByThePreviousVersionStillLoad) {
  // Exactly as the version before recorded upload ids wrote them: a job
  // interrupted before its upload, and one retried after a 202 whose status
  // could not be read (its id already kept by finish()).
  const std::string running = R"({
  "accepted": 1,
  "created_ms": 1714557600000,
  "error": "",
  "job": {
    "attempts": 1,
    "before_sha": "",
    "clone_url": "https://github.com/octo-org/hello-world.git",
    "commit_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
    "delivery_id": "old-1",
    "event": "push",
    "fetch_ref": "refs/heads/main",
    "id": "old-1",
    "installation_id": 2311213,
    "owner": "octo-org",
    "ref": "refs/heads/main",
    "repo": "hello-world"
  },
  "not_before_ms": 0,
  "sarif_id": "",
  "state": "running",
  "updated_ms": 1714557601000,
  "version": 1
}
)";
  std::string retried = running;
  for (auto [from, to] : {std::pair<std::string, std::string>{"old-1", "old-2"},
                          {R"("sarif_id": "")", R"("sarif_id": "sarif-3")"},
                          {R"("state": "running")", R"("state": "queued")"},
                          {"refs/heads/main", "refs/heads/next"}}) {
    for (size_t at = retried.find(from); at != std::string::npos; at = retried.find(from, at)) {
      retried.replace(at, from.size(), to);
    }
  }
  fs::create_directories(dir_ / "jobs");
  std::ofstream(dir_ / "jobs" / "old-1.json") << running;
  std::ofstream(dir_ / "jobs" / "old-2.json") << retried;
  auto store = open();
  EXPECT_TRUE(warnings_.empty());
  EXPECT_EQ(store->counts().queued, 2u);
  std::map<std::string, Job> taken;
  for (int i = 0; i < 2; ++i) {
    auto job = store->take();
    ASSERT_TRUE(job);
    taken[job->id] = *job;
  }
  EXPECT_EQ(taken["old-1"].recorded_sarif_id, "");  // uploads, as before
  EXPECT_EQ(taken["old-1"].attempts, 2);
  EXPECT_EQ(taken["old-1"].installation_id, 2311213);
  EXPECT_EQ(taken["old-1"].default_branch, "");            // written before the field: leaves alerts alone
  EXPECT_EQ(taken["old-2"].recorded_sarif_id, "sarif-3");  // polls its upload
  // And what this version writes, the previous one reads: same keys, same version.
  auto back = nlohmann::json::parse(read_file(dir_ / "jobs" / "old-1.json"));
  EXPECT_EQ(back["version"], 1);
  EXPECT_FALSE(back["job"].contains("recorded_sarif_id"));
}

}  // namespace
}  // namespace bindscan::webhook

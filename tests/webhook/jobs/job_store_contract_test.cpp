// The JobStore contract (webhook/jobs/job_store.h), run against every engine: the
// spool always, PostgreSQL when its binaries are installed (a throwaway
// cluster, tests/webhook/jobs/pg_cluster.h). Both engines must be impossible to
// tell apart through the interface: delivery order, one running job per ref,
// newer deliveries superseding older queued ones, awaiting-processing checks
// that hold no worker, retries due later, restarts that resume.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/webhook/jobs/store_engines.h"
#include "webhook/jobs/job_store.h"

namespace bindscan::webhook {
namespace {

using testing::StoreEngine;
using namespace std::chrono_literals;

const std::string kCommitA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
const std::string kCommitB = "0123456789abcdef0123456789abcdef01234567";

Job job_for(const std::string& id, const std::string& ref = "refs/heads/main",
            const std::string& commit = kCommitA) {
  Job job;
  job.id = id;
  job.delivery_id = id;
  job.event = "push";
  job.owner = "octo-org";
  job.repo = "hello-world";
  job.clone_url = "https://github.com/octo-org/hello-world.git";
  job.commit_sha = commit;
  job.ref = job.fetch_ref = ref;
  return job;
}

ProcessingCheck verdict(ProcessingCheck::Verdict v, Millis next = Millis(0)) {
  ProcessingCheck check;
  check.verdict = v;
  check.next_check = next;
  return check;
}

// take() with a bound, so a contract break fails instead of hanging.
std::optional<Job> take_within(JobStore& store, std::chrono::milliseconds limit) {
  std::optional<Job> job;
  std::atomic<bool> done{false};
  std::thread taker([&] {
    job = store.take();
    done = true;
  });
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  if (!done) store.close();  // wakes the taker with nullopt
  taker.join();
  return job;
}

class JobStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    engine_ = testing::make_store_engine(GetParam());
    if (!engine_->available()) GTEST_SKIP() << engine_->why_unavailable();
  }
  std::unique_ptr<JobStore> open(JobStoreOptions options = {}) {
    auto store = engine_->open(options);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }
  std::unique_ptr<StoreEngine> engine_;
};

TEST_P(JobStoreContract, AdmitsOnceAndCountsWhatItHolds) {
  auto store = open();
  EXPECT_EQ(*store->admit(job_for("d-1")), Admission::kAccepted);
  EXPECT_EQ(*store->admit(job_for("d-1")), Admission::kDuplicate);
  EXPECT_EQ(store->counts().queued, 1u);
  auto record = store->find("d-1");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->state, JobState::kQueued);
  EXPECT_EQ(record->job.commit_sha, kCommitA);
  EXPECT_FALSE(store->find("d-none"));
  EXPECT_TRUE(store->writable());
}

TEST_P(JobStoreContract, QueueLimitRefusesWithoutWriting) {
  auto store = open({.max_queue = 2, .max_finished = 10});
  EXPECT_EQ(*store->admit(job_for("q-1", "refs/heads/a")), Admission::kAccepted);
  EXPECT_EQ(*store->admit(job_for("q-2", "refs/heads/b")), Admission::kAccepted);
  EXPECT_EQ(*store->admit(job_for("q-3", "refs/heads/c")), Admission::kQueueFull);
  EXPECT_FALSE(store->find("q-3"));
  EXPECT_TRUE(store->queue_full());
}

TEST_P(JobStoreContract, DeliveryOrderAndOneRunningJobPerRef) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("o-1", "refs/heads/main", kCommitA)));
  ASSERT_TRUE(store->admit(job_for("o-2", "refs/heads/other", kCommitA)));
  auto first = take_within(*store, 5s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, "o-1");
  EXPECT_EQ(first->attempts, 1);
  EXPECT_TRUE(first->superseded_by.empty());
  EXPECT_GT(first->admitted_ms, 0);
  // A newer push to main while o-1 runs: it waits for o-1, other refs do not.
  ASSERT_TRUE(store->admit(job_for("o-3", "refs/heads/main", kCommitB)));
  auto second = take_within(*store, 5s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, "o-2");
  auto none = take_within(*store, 300ms);
  EXPECT_FALSE(none) << "took " << none->id << " while o-1 of the same ref runs";
}

TEST_P(JobStoreContract, ANewerDeliveryForTheRefSupersedesTheQueuedOlderOne) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("s-1", "refs/heads/main", kCommitA)));
  ASSERT_TRUE(store->admit(job_for("s-2", "refs/heads/main", kCommitB)));
  auto older = take_within(*store, 5s);
  ASSERT_TRUE(older);
  EXPECT_EQ(older->id, "s-1");
  EXPECT_EQ(older->superseded_by, "s-2");
  JobOutcome skipped;
  skipped.superseded = true;
  skipped.superseded_by = "newer delivery s-2";
  ASSERT_TRUE(store->finish("s-1", skipped));
  EXPECT_EQ(store->find("s-1")->state, JobState::kSuperseded);
  auto newer = take_within(*store, 5s);
  ASSERT_TRUE(newer);
  EXPECT_EQ(newer->id, "s-2");
  EXPECT_TRUE(newer->superseded_by.empty());
  // A finished superseded delivery is a duplicate, not queued again.
  EXPECT_EQ(*store->admit(job_for("s-1")), Admission::kDuplicate);
  EXPECT_EQ(store->counts().superseded, 1u);
}

TEST_P(JobStoreContract, AwaitingProcessingHoldsNoWorkerAndIsCheckedWhenDue) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("p-1", "refs/heads/main")));
  ASSERT_TRUE(store->admit(job_for("p-2", "refs/heads/next")));
  auto job = take_within(*store, 5s);
  ASSERT_TRUE(job);
  ASSERT_TRUE(store->record_sarif_id("p-1", "sarif-9"));
  ASSERT_TRUE(store->await_processing("p-1", "sarif-9", system_now_ms() + 400));
  EXPECT_EQ(store->find("p-1")->state, JobState::kAwaitingProcessing);
  EXPECT_EQ(store->counts().awaiting_processing, 1u);
  // The worker is free at once for the next job; the check comes when due.
  auto next = take_within(*store, 5s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->id, "p-2");
  EXPECT_FALSE(next->check_processing);
  auto check = take_within(*store, 5s);
  ASSERT_TRUE(check);
  EXPECT_EQ(check->id, "p-1");
  EXPECT_TRUE(check->check_processing);
  EXPECT_EQ(check->recorded_sarif_id, "sarif-9");
  EXPECT_EQ(check->processing_checks, 0);
  // Held while it is checked: nobody else takes it.
  EXPECT_FALSE(take_within(*store, 200ms));
}

TEST_P(JobStoreContract, ChecksCountUntilProcessed) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("c-1")));
  ASSERT_TRUE(take_within(*store, 5s));
  ASSERT_TRUE(store->await_processing("c-1", "sarif-1", 0));
  auto check = take_within(*store, 5s);
  ASSERT_TRUE(check && check->check_processing);
  ASSERT_TRUE(store->finish_check("c-1", verdict(ProcessingCheck::Verdict::kPending, Millis(50))));
  check = take_within(*store, 5s);
  ASSERT_TRUE(check && check->check_processing);
  EXPECT_EQ(check->processing_checks, 1);
  ASSERT_TRUE(store->finish_check("c-1", verdict(ProcessingCheck::Verdict::kProcessed)));
  auto record = store->find("c-1");
  EXPECT_EQ(record->state, JobState::kUploaded);
  EXPECT_EQ(record->sarif_id, "sarif-1");
  EXPECT_GE(record->processed_ms, record->created_ms);
}

TEST_P(JobStoreContract, AnUploadGitHubDoesNotKnowRunsAgain) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("u-1")));
  ASSERT_TRUE(take_within(*store, 5s));
  ASSERT_TRUE(store->await_processing("u-1", "sarif-lost", 0));
  ASSERT_TRUE(take_within(*store, 5s));
  ASSERT_TRUE(store->finish_check("u-1", verdict(ProcessingCheck::Verdict::kUploadAgain)));
  auto again = take_within(*store, 5s);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->check_processing);
  EXPECT_EQ(again->recorded_sarif_id, "");
  EXPECT_EQ(again->attempts, 2);
}

TEST_P(JobStoreContract, ARetryIsDueLaterAndFailuresMayBeRedelivered) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("r-1")));
  ASSERT_TRUE(take_within(*store, 5s));
  JobOutcome failure;
  failure.error = Error{"github-transient", "HTTP 502"};
  failure.retryable = true;
  ASSERT_TRUE(store->finish("r-1", failure, system_now_ms() + 600));
  EXPECT_FALSE(take_within(*store, 200ms));
  auto store2 = open();  // another process (spool: the same after a restart)
  auto again = take_within(*store2, 5s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 2);
  failure.retryable = false;
  ASSERT_TRUE(store2->finish("r-1", failure));
  EXPECT_EQ(store2->find("r-1")->state, JobState::kFailed);
  EXPECT_EQ(*store2->admit(job_for("r-1")), Admission::kRequeued);
}

TEST_P(JobStoreContract, PutBackDoesNotCountTheAttemptAndKeepsTheUploadId) {
  auto store = open();
  ASSERT_TRUE(store->admit(job_for("b-1")));
  ASSERT_TRUE(take_within(*store, 5s));
  ASSERT_TRUE(store->record_sarif_id("b-1", "sarif-5"));
  ASSERT_TRUE(store->put_back("b-1"));
  auto again = take_within(*store, 5s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(again->recorded_sarif_id, "sarif-5");
}

TEST_P(JobStoreContract, ARestartResumesQueuedRunningAndAwaitingJobs) {
  {
    auto store = open();
    ASSERT_TRUE(store->admit(job_for("x-1", "refs/heads/a")));
    ASSERT_TRUE(store->admit(job_for("x-2", "refs/heads/b")));
    ASSERT_TRUE(store->admit(job_for("x-3", "refs/heads/c")));
    ASSERT_TRUE(take_within(*store, 5s));  // x-1 running when the process dies
    ASSERT_TRUE(take_within(*store, 5s));  // x-2 ...
    ASSERT_TRUE(store->await_processing("x-2", "sarif-2", 0));
    engine_->crash(*store);
  }
  auto store = open();
  std::set<std::string> runs, checks;
  for (int i = 0; i < 3; ++i) {
    auto job = take_within(*store, 10s);
    ASSERT_TRUE(job) << "only " << runs.size() << " runs and " << checks.size() << " checks";
    (job->check_processing ? checks : runs).insert(job->id);
  }
  EXPECT_EQ(runs, (std::set<std::string>{"x-1", "x-3"}));
  EXPECT_EQ(checks, (std::set<std::string>{"x-2"}));
}

TEST_P(JobStoreContract, CloseWakesTakers) {
  auto store = open();
  std::thread taker([&] { EXPECT_FALSE(store->take()); });
  std::this_thread::sleep_for(50ms);
  store->close();
  taker.join();
  EXPECT_FALSE(store->take());
}

TEST_P(JobStoreContract, ConcurrentAdmissionsOfOneDeliveryMakeOneJob) {
  auto store = open();
  auto other = open();  // a second process on the same store
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      JobStore& s = (i % 2 == 0 || !engine_->shared()) ? *store : *other;
      auto admission = s.admit(job_for("same"));
      if (admission && *admission == Admission::kAccepted) ++accepted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Engines, JobStoreContract, ::testing::ValuesIn(testing::store_engine_names()),
                         [](const ::testing::TestParamInfo<std::string>& engine) { return engine.param; });

}  // namespace
}  // namespace bindscan::webhook

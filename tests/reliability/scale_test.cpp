// Issue 12: workers that never wait on GitHub, and the newest commit wins.
//
//   - Through the `serve` binary, a GitHub stand-in that takes 5 s to process
//     each SARIF: 200 deliveries of cached commits on two workers are all
//     uploaded and processed within 60 s (a worker waiting on processing
//     would manage about one job per 5 s).
//   - In process, with the real runner against a git daemon and the fake
//     GitHub behind a fault proxy:
//       (a) GitHub answers 502 while c1 uploads; c2 (which fixes the finding)
//           is pushed and uploaded; c1's retry must not upload after it;
//       (b) a late delivery for a commit a force push removed from the branch
//           is superseded, whether the mirror still has the commit or not;
//       (c) a burst of 20 pushes to one ref uploads the last commit only and
//           skips the other 19 as superseded.
#include <gtest/gtest.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "tests/reliability/serve_harness.h"
#include "tests/reliability/served_repo_test.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"
#include "webhook/jobs/job_store.h"
#include "webhook/jobs/runner.h"
#include "webhook/service.h"

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;
using testing::eventually;
using testing::FakeGitHub;
using testing::FaultProxy;
using testing::GitDaemon;
using testing::TestRepo;
using testing::WebhookPoster;
using namespace std::chrono_literals;

constexpr char kSecret[] = "scale-secret-Vq2";
constexpr char kToken[] = "scale-token-8Hn";
const std::string kZero(40, '0');

TEST(ServeAtScale, SlowProcessingHoldsNoWorker200CachedDeliveriesWithin60s) {
  constexpr int kDeliveries = 200;
  const fs::path root = testing::make_temp_root("bindscan-slowproc");
  TestRepo repo(root / "served" / "octo" / "hello");
  repo.write("app.py", "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\n");
  const std::string commit = repo.commit("one");
  for (int b = 0; b < kDeliveries; ++b) repo.git("branch b" + std::to_string(b));
  GitDaemon daemon(root / "served");
  FakeGitHub github(kToken);
  github.set_processing_time(5s);
  std::ofstream(root / "secret") << kSecret;
  const int port = testing::free_port();
  testing::ServeProcess serve(
      {"--listen", "127.0.0.1:" + std::to_string(port), "--webhook-secret-file", (root / "secret").string(),
       "--data-dir", (root / "data").string(), "--github-api", github.url(), "--allow-clone-host",
       "git://" + daemon.host_port(), "--workers", "2"},
      {std::string("GITHUB_TOKEN=") + kToken}, root / "serve.log");
  ASSERT_TRUE(serve.wait_healthy(port, 30s)) << testing::read_text(root / "serve.log");
  WebhookPoster poster(port, kSecret);
  const auto t0 = std::chrono::steady_clock::now();
  for (int b = 0; b < kDeliveries; ++b) {
    auto res = poster.post("push", "slow-" + std::to_string(b),
                           testing::push_payload("octo/hello", daemon.url("octo/hello"),
                                                 "refs/heads/b" + std::to_string(b), kZero, commit));
    ASSERT_TRUE(res && res->status == 202) << b;
  }
  double awaiting_seen = 0;
  std::string metrics;
  const bool done = eventually([&] {
    auto res = poster.get("/metrics");
    metrics = res ? res->body : "";
    awaiting_seen = std::max(awaiting_seen, testing::metric(metrics, "bindscan_jobs{state=\"awaiting-processing\"}"));
    return testing::metric(metrics, "bindscan_jobs{state=\"uploaded\"}") == kDeliveries;
  }, 60s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "200 cached deliveries, 2 workers, 5 s processing each: all processed after " << seconds
            << " s; awaiting processing at once (max seen) " << awaiting_seen << "\n";
  EXPECT_TRUE(done) << metrics;
  EXPECT_EQ(github.uploads().size(), static_cast<size_t>(kDeliveries));
  EXPECT_GT(awaiting_seen, 2) << "uploads awaiting processing should outnumber the workers";
  EXPECT_EQ(testing::metric(metrics, "bindscan_delivery_to_processed_seconds_count"), kDeliveries);
  EXPECT_TRUE(serve.terminate(30s));
  if (!HasFailure()) fs::remove_all(root);
}

class NewestCommitWins : public ServedRepoTest {
 protected:
  NewestCommitWins()
      : ServedRepoTest("bindscan-order", "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\n",
                       kSecret, kToken) {}

  // As `bindscan serve` runs it: no waits in workers, processing checked later.
  void start(std::chrono::milliseconds retry_delay = 50ms, int workers = 2) {
    RunnerConfig c = runner_config();
    c.http.retry.max_wait_in_call = Millis(0);
    c.http.poll = PollPolicy{Millis(20), 2.0, Millis(100), Millis(5000)};
    ServiceOptions options;
    options.workers = workers;
    options.retry.base_delay = retry_delay;
    ServedRepoTest::start(c, options);
  }

  // Commits uploaded to `ref`, in upload order.
  std::vector<std::string> uploads_to(const std::string& ref) const {
    std::vector<std::string> out;
    for (const auto& u : github_->uploads()) {
      if (u.ref == ref) out.push_back(u.commit_sha);
    }
    return out;
  }
};

TEST_F(NewestCommitWins, ARetryOfAnOlderCommitNeverUploadsAfterTheNewerOne) {
  start(/*retry_delay=*/1500ms);
  proxy_->set_fault({.status = 502, .headers = {}, .delay = 0ms, .times = -1, .all_requests = false});
  ASSERT_EQ(post_push("c1", c1_), 202);
  ASSERT_TRUE(eventually([&] {
    auto r = store_->find("c1");
    return r && r->state == JobState::kQueued && r->job.attempts == 1;
  }, 20s)) << log();
  // c2 fixes the finding; GitHub is back; c2 is delivered and uploaded first.
  repo_->write("app.py", "import socket\ns = socket.socket()\ns.bind((\"127.0.0.1\", 80))\n");
  const std::string c2 = repo_->commit("fix");
  proxy_->clear_fault();
  ASSERT_EQ(post_push("c2", c2), 202);
  EXPECT_EQ(finished("c2").state, JobState::kUploaded) << log();
  // c1's retry comes due afterwards: superseded, never uploaded.
  const JobRecord r1 = finished("c1");
  EXPECT_EQ(r1.state, JobState::kSuperseded) << r1.error << "\n" << log();
  EXPECT_EQ(uploads_to("refs/heads/main"), std::vector<std::string>{c2});
  // Logged (after the record changed) and counted.
  EXPECT_TRUE(eventually([&] { return log().find("\"outcome\":\"superseded\"") != std::string::npos; }, 5s));
}

TEST_F(NewestCommitWins, ALateDeliveryAfterAForcePushIsSupersededWithOrWithoutTheCommit) {
  start();
  ASSERT_EQ(post_push("old", c1_), 202);
  ASSERT_EQ(finished("old").state, JobState::kUploaded) << log();
  // A commit the service never saw, then a force push that drops both.
  repo_->write("extra.py", "x = 1\n");
  const std::string unseen = repo_->commit("unseen");
  repo_->git("checkout -q --orphan rewrite");
  repo_->write("app.py", "print('rewritten')\n");
  const std::string rewritten = repo_->commit("rewritten");
  repo_->git("branch -f main rewrite");
  repo_->git("checkout -q main");
  repo_->git("reflog expire --expire=now --all");
  repo_->git("gc -q --prune=now");
  ASSERT_EQ(post_push("new", rewritten), 202);
  ASSERT_EQ(finished("new").state, JobState::kUploaded) << log();
  // Late deliveries: c1 (still in the mirror) and `unseen` (never fetched, gone).
  ASSERT_EQ(post_push("late-known", c1_), 202);
  ASSERT_EQ(post_push("late-gone", unseen), 202);
  EXPECT_EQ(finished("late-known").state, JobState::kSuperseded) << log();
  EXPECT_EQ(finished("late-gone").state, JobState::kSuperseded) << log();
  EXPECT_EQ(uploads_to("refs/heads/main"), (std::vector<std::string>{c1_, rewritten}));
}

TEST_F(NewestCommitWins, ABurstOf20PushesToOneRefUploadsOnlyTheLast) {
  std::vector<std::string> commits;
  for (int i = 0; i < 20; ++i) {
    repo_->write("mod.py", "PORT = " + std::to_string(i) + "\n");
    commits.push_back(repo_->commit("push " + std::to_string(i)));
  }
  start();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(post_push("burst-" + std::to_string(i), commits[i]), 202);
  EXPECT_EQ(finished("burst-19").state, JobState::kUploaded) << log();
  int superseded = 0;
  for (int i = 0; i < 19; ++i) superseded += finished("burst-" + std::to_string(i)).state == JobState::kSuperseded;
  EXPECT_EQ(superseded, 19) << log();
  EXPECT_EQ(uploads_to("refs/heads/main"), std::vector<std::string>{commits.back()});
  EXPECT_NE(service_->metrics_text().find("bindscan_jobs{state=\"superseded\"} 19"), std::string::npos)
      << service_->metrics_text();
}

}  // namespace
}  // namespace bindscan::webhook

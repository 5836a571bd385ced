// Issue 12, PostgreSQL as the shared engine, through the `serve` binary with a
// throwaway cluster (tests/webhook/jobs/pg_cluster.h; skipped with the reason only
// when the server binaries are not installed):
//   - 400 signed deliveries spread over two replicas sharing one database;
//     one replica is killed with SIGKILL mid-burst and restarted, and the
//     database is restarted once mid-burst: every delivery answered 2xx is
//     uploaded, none twice for the same (commit, ref) except jobs that were
//     running when a process or the database went away, and the same
//     delivery posted to both replicas makes one job;
//   - the database down: /readyz 503, deliveries 503 + Retry-After, nothing
//     written; back up: the service reconnects by itself;
//   - a GitHub stand-in that takes 5 s to process each SARIF: 200 cached
//     deliveries on two workers are all processed within 60 s on PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <set>
#include <tuple>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"
#include "tests/webhook/jobs/pg_cluster.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kSecret[] = "shared-secret-Tz4";
constexpr char kToken[] = "ghs_sharedToken7Kp";
const std::string kZero(40, '0');

class SharedStore : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = std::make_unique<PgCluster>();
    if (!pg_->available()) GTEST_SKIP() << pg_->why_unavailable();
    root_ = make_temp_root("bindscan-shared");
    std::ofstream(root_ / "secret") << kSecret;
  }
  void TearDown() override {
    replicas_.clear();
    github_.reset();
    daemon_.reset();
    pg_.reset();
    if (!root_.empty() && !HasFailure()) fs::remove_all(root_);
    if (HasFailure()) std::cout << "kept " << root_ << "\n";
  }

  // `repos` repositories with `branches` branches each, branch b at commit b % 5.
  void make_repos(int repos, int branches) {
    commits_.assign(repos, {});
    for (int r = 0; r < repos; ++r) {
      TestRepo repo(root_ / "served" / "octo" / ("r" + std::to_string(r)));
      repo.write("app.py", "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\n");
      for (int k = 0; k < 5; ++k) {
        repo.write("mod" + std::to_string(k) + ".py", "PORT = " + std::to_string(k) + "\n");
        commits_[r].push_back(repo.commit("commit " + std::to_string(k)));
      }
      for (int b = 0; b < branches; ++b) repo.git("branch b" + std::to_string(b) + " " + commits_[r][b % 5]);
    }
    daemon_ = std::make_unique<GitDaemon>(root_ / "served");
    github_ = std::make_unique<FakeGitHub>(kToken);
  }

  // Replica `i` (its own port and data dir, the shared database).
  void start_replica(size_t i, int workers) {
    if (ports_.size() <= i) ports_.resize(i + 1, 0);
    if (replicas_.size() <= i) replicas_.resize(i + 1);
    if (ports_[i] == 0) ports_[i] = free_port();
    const std::string name = "replica" + std::to_string(i);
    replicas_[i] = std::make_unique<ServeProcess>(
        std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(ports_[i]),
                                 "--webhook-secret-file", (root_ / "secret").string(),
                                 "--data-dir", (root_ / name).string(), "--github-api", github_->url(),
                                 "--allow-clone-host", "git://" + daemon_->host_port(),
                                 "--workers", std::to_string(workers), "--lease-seconds", "3",
                                 "--retry-delay", "1", "--max-queue", "5000"},
        std::vector<std::string>{std::string("GITHUB_TOKEN=") + kToken, "BINDSCAN_DATABASE_URL=" + pg_->url()},
        root_ / (name + ".log"));
    ASSERT_TRUE(replicas_[i]->wait_healthy(ports_[i], 30s)) << read_text(root_ / (name + ".log"));
  }

  std::string payload(int r, int b) const {
    const std::string name = "octo/r" + std::to_string(r);
    return push_payload(name, daemon_->url(name), "refs/heads/b" + std::to_string(b), kZero, commits_[r][b % 5]);
  }

  std::string logs() const {
    std::string all;
    for (size_t i = 0; i < replicas_.size(); ++i) all += read_text(root_ / ("replica" + std::to_string(i) + ".log"));
    return all;
  }

  std::unique_ptr<PgCluster> pg_;
  fs::path root_;
  std::vector<std::vector<std::string>> commits_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<FakeGitHub> github_;
  std::vector<std::unique_ptr<ServeProcess>> replicas_;
  std::vector<int> ports_;
};

using Target = std::tuple<std::string, std::string, std::string>;  // repo, ref, commit

TEST_F(SharedStore, TwoReplicas400DeliveriesSurviveAKilledReplicaAndADatabaseRestart) {
  constexpr int kRepos = 4, kBranches = 100, kDeliveries = kRepos * kBranches;
  make_repos(kRepos, kBranches + 1);  // the last branch for the delivery posted twice
  start_replica(0, 4);
  start_replica(1, 4);

  std::vector<Target> targets(kDeliveries);
  std::vector<int> statuses(kDeliveries, -1);
  std::atomic<int> replied{0};
  const auto t0 = std::chrono::steady_clock::now();
  std::thread sender([&] {
    WebhookPoster a(ports_[0], kSecret), b(ports_[1], kSecret);
    for (int i = 0; i < kDeliveries; ++i) {
      const int r = i % kRepos, br = i / kRepos;
      targets[i] = {"octo/r" + std::to_string(r), "refs/heads/b" + std::to_string(br), commits_[r][br % 5]};
      WebhookPoster& poster = i % 2 == 0 ? a : b;
      auto res = poster.post("push", "shared-" + std::to_string(i), payload(r, br));
      statuses[i] = res ? res->status : 0;
      replied.fetch_add(1);
      std::this_thread::sleep_for(statuses[i] == 0 ? 30ms : 3ms);
    }
  });

  ASSERT_TRUE(eventually([&] { return replied.load() >= 100; }, 60s));
  replicas_[0]->kill_now();  // SIGKILL
  const auto killed_at = std::chrono::steady_clock::now();
  // Jobs running anywhere when the process died: the only ones that may upload twice.
  std::set<std::string> interrupted;
  {
    std::istringstream rows(pg_->psql("SELECT id FROM bindscan_jobs WHERE state = 'running'"));
    for (std::string id; std::getline(rows, id);) interrupted.insert(id);
  }
  std::this_thread::sleep_for(500ms);
  start_replica(0, 4);
  ASSERT_TRUE(eventually([&] { return replied.load() >= 250; }, 60s));
  {
    std::istringstream rows(pg_->psql("SELECT id FROM bindscan_jobs WHERE state = 'running'"));
    for (std::string id; std::getline(rows, id);) interrupted.insert(id);
  }
  pg_->stop();
  std::this_thread::sleep_for(1s);
  pg_->start();
  sender.join();

  // The same delivery posted to both replicas: one job.
  WebhookPoster a(ports_[0], kSecret), b(ports_[1], kSecret);
  auto first = a.post("push", "shared-twice", payload(0, kBranches));
  auto second = b.post("push", "shared-twice", payload(0, kBranches));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ(second->status, 200) << second->body;  // duplicate

  std::set<Target> wanted;
  int accepted = 0;
  for (int i = 0; i < kDeliveries; ++i) {
    if (statuses[i] >= 200 && statuses[i] < 300) {
      ++accepted;
      wanted.insert(targets[i]);
    }
  }
  auto uploaded = [&] {
    std::map<Target, int> count;
    for (const auto& u : github_->uploads()) count[{u.owner + "/" + u.repo, u.ref, u.commit_sha}]++;
    return count;
  };
  const bool all_done = eventually([&] {
    auto count = uploaded();
    return std::all_of(wanted.begin(), wanted.end(), [&](const Target& t) { return count.count(t) > 0; });
  }, 60s);
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::map<Target, std::string> delivery_of;
  for (int i = 0; i < kDeliveries; ++i) delivery_of[targets[i]] = "shared-" + std::to_string(i);
  int lost = 0, duplicated = 0, unexplained = 0;
  const auto count = uploaded();
  for (const auto& t : wanted) lost += count.count(t) == 0;
  for (const auto& [t, n] : count) {
    if (n > 1) {
      ++duplicated;
      if (!interrupted.count(delivery_of[t])) {
        ++unexplained;
        std::cout << "uploaded " << n << " times: " << delivery_of[t] << "\n";
      }
    }
  }
  const std::string superseded = pg_->psql("SELECT count(*) FROM bindscan_jobs WHERE state = 'superseded'");
  std::cout << "two replicas, 400 deliveries: 2xx " << accepted << ", lost " << lost << ", duplicated "
            << duplicated << " (unexplained " << unexplained << ", interrupted candidates " << interrupted.size()
            << "), superseded " << superseded << " all uploaded after "
            << total_s << " s (replica killed "
            << std::chrono::duration<double>(killed_at - t0).count() << " s in)\n";
  EXPECT_TRUE(all_done) << logs().substr(0, 4000);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(unexplained, 0);
  EXPECT_EQ(std::stoi(superseded), 0) << "every delivery names its branch's tip: nothing may be superseded";
  EXPECT_TRUE(eventually([&] {
    return pg_->psql("SELECT count(*) FROM bindscan_jobs WHERE id = 'shared-twice'") == "1\n" &&
           uploaded().count({"octo/r0", "refs/heads/b" + std::to_string(kBranches), commits_[0][kBranches % 5]}) == 1;
  }, 30s));
  EXPECT_GT(accepted, kDeliveries / 2);
  for (auto& replica : replicas_) EXPECT_TRUE(replica->terminate(30s));
}

TEST_F(SharedStore, DatabaseDownMeansReadyz503AndDeliveries503ThenItReconnects) {
  make_repos(1, 2);
  start_replica(0, 1);
  WebhookPoster poster(ports_[0], kSecret);
  pg_->stop();
  auto ready = poster.get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503) << ready->body;
  auto res = poster.post("push", "down-1", payload(0, 0));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  pg_->start();
  EXPECT_TRUE(eventually([&] {
    auto r = poster.get("/readyz");
    return r && r->status == 200;
  }, 20s));
  res = poster.post("push", "down-1", payload(0, 0));  // GitHub's redelivery
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202) << res->body;
  EXPECT_TRUE(eventually([&] { return github_->uploads().size() == 1; }, 30s)) << logs();
  EXPECT_TRUE(eventually([&] { return pg_->psql("SELECT state FROM bindscan_jobs WHERE id = 'down-1'") == "uploaded\n"; }, 30s));
}

TEST_F(SharedStore, SlowProcessingHoldsNoWorker200CachedDeliveriesWithin60s) {
  constexpr int kDeliveries = 200;
  make_repos(1, kDeliveries);
  github_->set_processing_time(5s);
  start_replica(0, 2);
  WebhookPoster poster(ports_[0], kSecret);
  const auto t0 = std::chrono::steady_clock::now();
  for (int b = 0; b < kDeliveries; ++b) {
    auto res = poster.post("push", "slow-" + std::to_string(b), payload(0, b));
    ASSERT_TRUE(res && res->status == 202) << b;
  }
  std::string metrics;
  const bool done = eventually([&] {
    auto res = poster.get("/metrics");
    metrics = res ? res->body : "";
    return metric(metrics, "bindscan_jobs{state=\"uploaded\"}") == kDeliveries;
  }, 60s);
  std::cout << "PostgreSQL: 200 cached deliveries, 2 workers, 5 s processing each: processed after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
  EXPECT_TRUE(done) << metrics;
  EXPECT_EQ(github_->uploads().size(), static_cast<size_t>(kDeliveries));
}

}  // namespace
}  // namespace bindscan::testing

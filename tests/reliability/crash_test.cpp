// Crash test (issue 6): while 200 signed deliveries are being posted,
// `kill -9` the real `bindscan serve`, restart it on the same data dir and
// port, and check with the fake GitHub's records that every delivery answered
// 2xx ends in an upload. Duplicates are allowed only for jobs the kill
// interrupted (records left "running" on disk) before GitHub's 202 was
// recorded: a job killed while polling has its SARIF id in its record and
// must poll it after the restart, not upload again. Prints the figures.
//
// Each delivery is a distinct (repository, branch, commit) so an upload can be
// traced back to the delivery that asked for it. Bounded: the whole test takes
// well under a minute (the service polls each upload's processing status after
// 5 s, so jobs are spread over many workers).
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kSecret[] = "crash-webhook-secret-8Jd1";
constexpr char kToken[] = "ghs_crashTokenP4w9";
constexpr int kDeliveries = 200;
// 4 * 50 = 200 distinct targets: each branch points at the commit its
// delivery names (an older commit pushed to a branch is superseded, not uploaded).
constexpr int kRepos = 4, kBranches = 50, kCommits = 5;
constexpr int kKillAt = 100;                              // replies received before kill -9

// (owner/repo, ref, commit)
using Target = std::tuple<std::string, std::string, std::string>;

TEST(Reliability, KillDashNineWhilePosting200DeliveriesLosesNothing) {
  const fs::path root = make_temp_root("bindscan-crash");
  std::vector<std::vector<std::string>> commits(kRepos);
  for (int r = 0; r < kRepos; ++r) {
    TestRepo repo(root / "served" / "octo" / ("r" + std::to_string(r)));
    repo.write("app.py", "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\n");
    for (int k = 0; k < kCommits; ++k) {
      repo.write("mod" + std::to_string(k) + ".py",
                 "import socketserver\nsocketserver.TCPServer((\"\", " + std::to_string(k) + "), None)\n");
      commits[r].push_back(repo.commit("commit " + std::to_string(k)));
    }
    for (int b = 0; b < kBranches; ++b) {
      repo.git("branch b" + std::to_string(b) + " " + commits[r][b % kCommits]);
    }
  }
  GitDaemon daemon(root / "served");
  FakeGitHub github(kToken);
  std::ofstream(root / "secret") << kSecret;

  const int port = free_port();
  auto start = [&] {
    auto serve = std::make_unique<ServeProcess>(
        std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port),
                                 "--webhook-secret-file", (root / "secret").string(),
                                 "--data-dir", (root / "data").string(),
                                 "--github-api", github.url(),
                                 "--allow-clone-host", "git://" + daemon.host_port(),
                                 "--workers", "100"},
        std::vector<std::string>{std::string("GITHUB_TOKEN=") + kToken},
        root / "serve.log");
    return serve;
  };
  auto serve = start();
  ASSERT_TRUE(serve->wait_healthy(port, 30s)) << read_text(root / "serve.log");

  std::vector<Target> targets(kDeliveries);
  std::vector<std::string> bodies(kDeliveries);
  for (int i = 0; i < kDeliveries; ++i) {
    const int r = i % kRepos, b = i / kRepos, k = b % kCommits;
    const std::string name = "octo/r" + std::to_string(r);
    targets[i] = {name, "refs/heads/b" + std::to_string(b), commits[r][k]};
    bodies[i] = push_payload(name, daemon.url(name.substr(0)), std::get<1>(targets[i]),
                             std::string(40, '0'), std::get<2>(targets[i]));
  }

  // Post all 200 from one thread, as GitHub would: one try each, no retry.
  std::vector<int> statuses(kDeliveries, -1);
  std::atomic<int> replied{0};
  WebhookPoster poster(port, kSecret);
  const auto t0 = std::chrono::steady_clock::now();
  std::thread sender([&] {
    for (int i = 0; i < kDeliveries; ++i) {
      auto res = poster.post("push", "crash-" + std::to_string(i), bodies[i]);
      statuses[i] = res ? res->status : 0;
      replied.fetch_add(1);
      // While the service is down, pace out so most deliveries still meet the restarted one.
      std::this_thread::sleep_for(statuses[i] == 0 ? 50ms : 5ms);
    }
  });

  ASSERT_TRUE(eventually([&] { return replied.load() >= kKillAt; }, 30s));
  const int killed_at = replied.load();
  const double killed_after_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  serve->kill_now();  // SIGKILL
  // Jobs the kill interrupted: left "running" on disk. Only these may upload twice.
  // Of those, the ones that had uploaded and were polling: their id is recorded.
  std::set<std::string> interrupted, interrupted_polling;
  size_t on_disk = 0;
  for (const auto& entry : fs::directory_iterator(root / "data" / "jobs")) {
    if (entry.path().extension() != ".json") continue;
    ++on_disk;
    json record = json::parse(read_text(entry.path()), nullptr, false);
    if (!record.is_object() || record["state"] != "running") continue;
    interrupted.insert(record["job"]["id"]);
    if (!record.value("sarif_id", "").empty()) interrupted_polling.insert(record["job"]["id"]);
  }
  const size_t uploads_before_restart = github.uploads().size();
  serve = start();
  ASSERT_TRUE(serve->wait_healthy(port, 30s)) << read_text(root / "serve.log");
  sender.join();

  std::set<Target> wanted;
  int accepted = 0, refused = 0;
  for (int i = 0; i < kDeliveries; ++i) {
    if (statuses[i] >= 200 && statuses[i] < 300) {
      ++accepted;
      wanted.insert(targets[i]);
    } else {
      ++refused;
    }
  }
  auto uploaded = [&] {
    std::map<Target, int> count;
    for (const auto& u : github.uploads()) count[{u.owner + "/" + u.repo, u.ref, u.commit_sha}]++;
    return count;
  };
  const bool all_done = eventually([&] {
    auto count = uploaded();
    for (const auto& t : wanted) {
      if (!count.count(t)) return false;
    }
    return true;
  }, 50s);
  // Let interrupted jobs that re-run finish too, so duplicates are all counted.
  eventually([&] {
    auto res = poster.get("/metrics");
    return res && metric(res->body, "bindscan_queue_depth") == 0 &&
           res->body.find("bindscan_jobs{state=\"running\"} 0") != std::string::npos;
  }, 20s);
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const auto count = uploaded();
  int lost = 0, duplicated = 0, unexplained_duplicates = 0, polling_duplicates = 0, extra = 0;
  std::map<Target, std::string> delivery_of;
  for (int i = 0; i < kDeliveries; ++i) delivery_of[targets[i]] = "crash-" + std::to_string(i);
  for (const auto& t : wanted) {
    if (!count.count(t)) ++lost;
  }
  for (const auto& [t, n] : count) {
    if (!wanted.count(t)) ++extra;  // stored, but the reply was cut by the kill
    if (n > 1) {
      ++duplicated;
      if (!interrupted.count(delivery_of[t])) ++unexplained_duplicates;
      if (interrupted_polling.count(delivery_of[t])) ++polling_duplicates;
    }
  }
  size_t total_uploads = github.uploads().size();
  std::cout << "crash test: posted " << kDeliveries << ", 2xx " << accepted << ", not 2xx " << refused
            << ", killed at " << killed_at << " replies (" << killed_after_s << " s), job records on disk "
            << on_disk << ", interrupted (running) " << interrupted.size() << " of which polling (id recorded) "
            << interrupted_polling.size() << ", uploads before restart "
            << uploads_before_restart << ", uploads after restart " << total_uploads - uploads_before_restart
            << ", distinct uploaded " << count.size() << ", duplicated " << duplicated
            << " (of jobs killed while polling " << polling_duplicates << ")"
            << ", uploaded without a 2xx " << extra << ", lost " << lost << ", total " << total_s << " s\n";
  RecordProperty("posted", kDeliveries);
  RecordProperty("accepted_2xx", accepted);
  RecordProperty("killed_at", killed_at);
  RecordProperty("uploads_after_restart", static_cast<int>(total_uploads - uploads_before_restart));
  RecordProperty("lost", lost);
  RecordProperty("interrupted", static_cast<int>(interrupted.size()));
  RecordProperty("interrupted_polling", static_cast<int>(interrupted_polling.size()));
  RecordProperty("duplicates", duplicated);

  EXPECT_TRUE(all_done);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(unexplained_duplicates, 0);
  EXPECT_EQ(polling_duplicates, 0);
  EXPECT_GT(accepted, kKillAt / 2);
  EXPECT_GT(refused + accepted, 0);
  const auto status = serve->terminate(30s);
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  const std::string log = read_text(root / "serve.log");
  EXPECT_EQ(log.find(kSecret), std::string::npos);
  EXPECT_EQ(log.find(kToken), std::string::npos);
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace bindscan::testing

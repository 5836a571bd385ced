// Overload test (issue 6): more deliveries than --max-queue. The real
// `bindscan serve --max-queue 20 --workers 2`, both workers stuck on uploads
// the fault proxy holds, then 2,000 signed deliveries from 8 client threads
// (a new connection each, as GitHub delivers) while another thread probes
// /healthz. Checks: every reply is 202 or 503, every 503 carries Retry-After,
// the 202s are bounded by the queue, /healthz keeps answering, and the
// child's VmRSS stays bounded. Prints the figures.
//
// The bound on 202s: JobStore::admit refuses once `max_queue` records are
// queued, and only take() moves a record out of "queued". Both workers have
// taken a job and are waiting on a held upload before the flood starts, so
// no take() happens during it: the flood gets exactly max_queue 202s, and
// never more than max_queue + workers in any case.
//
// The flood uses our own client, not wrk: wrk (an external load tool) drives
// the same scenario in bench/service.sh, so the test needs no extra package.
// Loopback only; about 10 s on the shared 2-core machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kSecret[] = "overload-webhook-secret-T5q";
constexpr char kToken[] = "ghs_overloadTokenW3k";
constexpr int kMaxQueue = 20;
constexpr int kWorkers = 2;
constexpr int kDeliveries = 2000;
constexpr int kClients = 8;

// VmRSS of `pid` in KiB, from /proc; -1 if unreadable.
long vm_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(Reliability, OverloadIs503WithRetryAfterAndStaysResponsive) {
  const fs::path root = make_temp_root("bindscan-overload");
  TestRepo repo(root / "served" / "octo" / "app");
  repo.write("app.py", "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", 80))\n");
  const std::string commit = repo.commit("first");
  GitDaemon daemon(root / "served");
  FakeGitHub github(kToken);
  FaultProxy proxy(github.port());
  proxy.hold_uploads();
  std::ofstream(root / "secret") << kSecret;

  const int port = free_port();
  ServeProcess serve({"--listen", "127.0.0.1:" + std::to_string(port),
                      "--webhook-secret-file", (root / "secret").string(),
                      "--data-dir", (root / "data").string(),
                      "--github-api", proxy.url(),
                      "--allow-clone-host", "git://" + daemon.host_port(),
                      "--workers", std::to_string(kWorkers),
                      "--max-queue", std::to_string(kMaxQueue)},
                     {std::string("GITHUB_TOKEN=") + kToken, "HOME=" + root.string()},
                     root / "serve.log");
  ASSERT_TRUE(serve.wait_healthy(port, 30s)) << read_text(root / "serve.log");
  const std::string body =
      push_payload("octo/app", daemon.url("octo/app"), "refs/heads/main", std::string(40, '0'), commit);

  // Occupy both workers: one job each, fetched, scanned and stuck on its upload.
  // One branch each: jobs of one ref take turns.
  WebhookPoster poster(port, kSecret);
  for (int i = 0; i < kWorkers; ++i) {
    repo.git("branch busy-" + std::to_string(i));
    auto res = poster.post("push", "busy-" + std::to_string(i),
                           push_payload("octo/app", daemon.url("octo/app"), "refs/heads/busy-" + std::to_string(i),
                                        std::string(40, '0'), commit));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 202) << res->body;
  }
  ASSERT_TRUE(eventually([&] { return proxy.waiting() == kWorkers; }, 30s)) << read_text(root / "serve.log");
  const long rss_before = vm_rss_kib(serve.pid());

  // /healthz from its own thread, every 20 ms, a new connection each time.
  std::atomic<bool> flooding{true};
  int probes = 0, probe_failures = 0;
  double probe_max_ms = 0;
  std::thread prober([&] {
    while (flooding.load()) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(5s);
      client.set_read_timeout(5s);
      const auto t0 = std::chrono::steady_clock::now();
      auto res = client.Get("/healthz");
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      ++probes;
      if (!res || res->status != 200) ++probe_failures;
      probe_max_ms = std::max(probe_max_ms, ms);
      std::this_thread::sleep_for(20ms);
    }
  });

  // The flood: kClients threads, each its share of distinct delivery ids.
  std::vector<int> statuses(kDeliveries, -1);
  std::vector<char> has_retry_after(kDeliveries, 0);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = c; i < kDeliveries; i += kClients) {
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(5s);
        client.set_read_timeout(10s);
        httplib::Headers headers = {{"X-GitHub-Event", "push"},
                                    {"X-GitHub-Delivery", "flood-" + std::to_string(i)},
                                    {"X-Hub-Signature-256", webhook::sign_sha256(kSecret, body)},
                                    {"User-Agent", "GitHub-Hookshot/overload"}};
        auto res = client.Post("/webhook", headers, body, "application/json");
        statuses[i] = res ? res->status : 0;
        if (res && res->status == 503) {
          const std::string retry_after = res->get_header_value("Retry-After");
          has_retry_after[i] = !retry_after.empty() &&
                               std::all_of(retry_after.begin(), retry_after.end(),
                                           [](unsigned char ch) { return std::isdigit(ch) != 0; });
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const double flood_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  flooding = false;
  prober.join();
  const long rss_after = vm_rss_kib(serve.pid());

  int accepted = 0, refused = 0, other = 0, refused_without_retry_after = 0;
  for (int i = 0; i < kDeliveries; ++i) {
    if (statuses[i] == 202) {
      ++accepted;
    } else if (statuses[i] == 503) {
      ++refused;
      if (!has_retry_after[i]) ++refused_without_retry_after;
    } else {
      ++other;
    }
  }
  auto metrics = poster.get("/metrics");
  const double queue_depth = metrics ? metric(metrics->body, "bindscan_queue_depth") : -1;
  std::cout << "overload test: " << kDeliveries << " deliveries from " << kClients << " clients in "
            << flood_s << " s (" << kDeliveries / flood_s << "/s); 202 " << accepted << ", 503 " << refused
            << " (without Retry-After " << refused_without_retry_after << "), other " << other
            << "; queue depth after " << queue_depth << "; /healthz probes " << probes << ", failed "
            << probe_failures << ", max " << probe_max_ms << " ms; VmRSS " << rss_before / 1024 << " -> "
            << rss_after / 1024 << " MiB\n";
  RecordProperty("accepted_202", accepted);
  RecordProperty("refused_503", refused);
  RecordProperty("healthz_max_ms", static_cast<int>(probe_max_ms));
  RecordProperty("rss_growth_kib", static_cast<int>(rss_after - rss_before));

  EXPECT_EQ(other, 0) << "every reply must be 202 or 503";
  EXPECT_EQ(refused_without_retry_after, 0);
  EXPECT_LE(accepted, kMaxQueue + kWorkers);
  EXPECT_GE(accepted, kMaxQueue) << "the queue should have filled";
  EXPECT_EQ(accepted + refused, kDeliveries);
  EXPECT_EQ(queue_depth, kMaxQueue);
  EXPECT_GT(probes, 0);
  EXPECT_EQ(probe_failures, 0);
  EXPECT_LT(probe_max_ms, 2000.0);
  ASSERT_GT(rss_before, 0);
  // AddressSanitizer keeps freed memory in a quarantine of up to 256 MiB.
#if defined(__SANITIZE_ADDRESS__)
  constexpr long kGrowthKiB = (50L + 256L) * 1024;
#else
  constexpr long kGrowthKiB = 50L * 1024;
#endif
  EXPECT_LT(rss_after - rss_before, kGrowthKiB) << "VmRSS grew by more than " << kGrowthKiB / 1024 << " MiB";

  // Let the held jobs go, so the service stops cleanly with the queue on disk.
  proxy.release();
  const auto status = serve.terminate(30s);
  EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  if (!HasFailure()) fs::remove_all(root);
}

}  // namespace
}  // namespace bindscan::testing

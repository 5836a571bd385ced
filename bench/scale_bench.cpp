// Issue 12's figures, measured through the `serve` binary on 127.0.0.1 with
// the test stand-ins (a git daemon, the fake GitHub API) and, for the shared
// engine, a throwaway PostgreSQL cluster:
//   1. jobs per second for cached commits (200 deliveries, every file already
//      in the result cache, GitHub processing at once) with 1, 2 and 4 workers,
//      on the spool and on PostgreSQL;
//   2. delivery-to-processed time p50/p99 under a 200-delivery burst, with
//      GitHub answering "pending" for 5 s after each upload (2 workers);
//   3. recovery after a replica is killed (two replicas on PostgreSQL,
//      --lease-seconds 10): from SIGKILL until every job the dead replica
//      had accepted is processed.
// Build: cmake --build build/release --target bench_scale
// Run:   build/release/tests/bench_scale
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"
#include "tests/webhook/jobs/pg_cluster.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kSecret[] = "bench-secret";
constexpr char kToken[] = "bench-token";
const std::string kZero(40, '0');

struct Setup {
  fs::path root;
  std::unique_ptr<GitDaemon> daemon;
  std::unique_ptr<FakeGitHub> github;
  std::string commit;
};

Setup make_setup(int branches) {
  Setup s;
  s.root = make_temp_root("bindscan-bench-scale");
  TestRepo repo(s.root / "served" / "octo" / "hello");
  for (int i = 0; i < 20; ++i) {
    repo.write("pkg/m" + std::to_string(i) + ".py",
               "import socket\ns = socket.socket()\ns.bind((\"0.0.0.0\", " + std::to_string(i) + "))\n");
  }
  s.commit = repo.commit("one");
  for (int b = 0; b < branches; ++b) repo.git("branch b" + std::to_string(b));
  s.daemon = std::make_unique<GitDaemon>(s.root / "served");
  s.github = std::make_unique<FakeGitHub>(kToken);
  std::ofstream(s.root / "secret") << kSecret;
  return s;
}

std::unique_ptr<ServeProcess> serve(const Setup& s, const std::string& name, int port, int workers,
                                    const std::string& database, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--listen", "127.0.0.1:" + std::to_string(port), "--webhook-secret-file",
                                (s.root / "secret").string(), "--data-dir", (s.root / name).string(),
                                "--github-api", s.github->url(), "--allow-clone-host",
                                "git://" + s.daemon->host_port(), "--workers", std::to_string(workers),
                                "--max-queue", "5000"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<std::string> env{std::string("GITHUB_TOKEN=") + kToken};
  if (!database.empty()) env.push_back("BINDSCAN_DATABASE_URL=" + database);
  auto p = std::make_unique<ServeProcess>(args, env, s.root / (name + ".log"));
  if (!p->wait_healthy(port, std::chrono::seconds(30))) throw std::runtime_error("serve did not start");
  return p;
}

std::string payload(const Setup& s, int b) {
  return push_payload("octo/hello", s.daemon->url("octo/hello"), "refs/heads/b" + std::to_string(b), kZero, s.commit);
}

double uploaded(WebhookPoster& poster) {
  auto res = poster.get("/metrics");
  return res ? metric(res->body, "bindscan_jobs{state=\"uploaded\"}") : -1;
}

// processed_ms - created_ms of every uploaded job, in seconds, sorted.
std::vector<double> latencies(const Setup& s, const std::string& name, PgCluster* pg) {
  std::vector<std::string> records;
  if (pg != nullptr) {
    std::istringstream rows(pg->psql("SELECT record FROM bindscan_jobs WHERE state = 'uploaded'"));
    std::string all = rows.str(), current;
    // Records are pretty-printed JSON objects; split at top-level "}\n{".
    int depth = 0;
    for (char c : all) {
      if (c == '{') ++depth;
      if (depth > 0) current += c;
      if (c == '}' && --depth == 0) {
        records.push_back(current);
        current.clear();
      }
    }
  } else {
    for (const auto& e : fs::directory_iterator(s.root / name / "jobs")) {
      if (e.path().extension() == ".json") records.push_back(read_text(e.path()));
    }
  }
  std::vector<double> out;
  for (const auto& text : records) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object() || j.value("state", "") != "uploaded" || j.value("processed_ms", 0LL) == 0) continue;
    out.push_back(static_cast<double>(j["processed_ms"].get<int64_t>() - j["created_ms"].get<int64_t>()) / 1000);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return -1;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())))];
}

struct Burst {
  double seconds = 0, jobs_per_s = 0, p50 = 0, p99 = 0;
};

// One replica; a warm-up delivery fills the cache, then `n` deliveries.
Burst burst(const std::string& engine, int workers, int n, std::chrono::milliseconds processing) {
  Setup s = make_setup(n + 1);
  std::unique_ptr<PgCluster> pg;
  if (engine == "postgres") {
    pg = std::make_unique<PgCluster>();
    if (!pg->available()) throw std::runtime_error(pg->why_unavailable());
  }
  const int port = free_port();
  auto p = serve(s, "data", port, workers, pg ? pg->url() : "");
  WebhookPoster poster(port, kSecret);
  poster.post("push", "warm", payload(s, n));
  eventually([&] { return uploaded(poster) == 1; }, std::chrono::seconds(30));
  s.github->set_processing_time(processing);
  const auto t0 = Clock::now();
  for (int b = 0; b < n; ++b) poster.post("push", "d-" + std::to_string(b), payload(s, b));
  eventually([&] { return uploaded(poster) == n + 1; }, std::chrono::seconds(180));
  Burst r;
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.jobs_per_s = n / r.seconds;
  auto lat = latencies(s, "data", pg.get());
  r.p50 = percentile(lat, 0.50);
  r.p99 = percentile(lat, 0.99);
  p->terminate(std::chrono::seconds(30));
  p.reset();
  pg.reset();
  fs::remove_all(s.root);
  return r;
}

// Two replicas on PostgreSQL; kill one after half of `n` deliveries.
double recovery(int n, int lease_seconds) {
  Setup s = make_setup(n + 1);
  PgCluster pg;
  if (!pg.available()) throw std::runtime_error(pg.why_unavailable());
  const int port_a = free_port(), port_b = free_port();
  const std::vector<std::string> lease{"--lease-seconds", std::to_string(lease_seconds)};
  auto a = serve(s, "a", port_a, 2, pg.url(), lease);
  auto b = serve(s, "b", port_b, 2, pg.url(), lease);
  WebhookPoster pa(port_a, kSecret), pb(port_b, kSecret);
  pa.post("push", "warm", payload(s, n));
  eventually([&] { return uploaded(pb) == 1; }, std::chrono::seconds(30));
  // Every GitHub call slow enough that jobs are in flight when A dies.
  s.github->set_processing_time(std::chrono::milliseconds(2000));
  int accepted = 0;
  for (int i = 0; i < n; ++i) {
    auto res = (i % 2 ? pb : pa).post("push", "r-" + std::to_string(i), payload(s, i));
    accepted += res && res->status / 100 == 2;
  }
  a->kill_now();
  const auto killed = Clock::now();
  eventually([&] { return uploaded(pb) == accepted + 1; }, std::chrono::seconds(180));
  const double seconds = std::chrono::duration<double>(Clock::now() - killed).count();
  b->terminate(std::chrono::seconds(30));
  fs::remove_all(s.root);
  return seconds;
}

}  // namespace
}  // namespace bindscan::testing

int main() {
  using namespace bindscan::testing;
  std::cout << std::fixed << std::setprecision(2);
  std::cout << "| engine | workers | 200 cached jobs (s) | jobs/s | delivery->processed p50 (s) | p99 (s) |\n"
               "|---|---|---|---|---|---|\n";
  for (std::string engine : {"spool", "postgres"}) {
    for (int workers : {1, 2, 4}) {
      Burst r = burst(engine, workers, 200, std::chrono::milliseconds(0));
      std::cout << "| " << engine << " | " << workers << " | " << r.seconds << " | " << r.jobs_per_s << " | "
                << r.p50 << " | " << r.p99 << " |\n";
    }
  }
  std::cout << "\nGitHub takes 5 s to process each SARIF, 200-delivery burst, 2 workers:\n"
               "| engine | all processed (s) | delivery->processed p50 (s) | p99 (s) |\n|---|---|---|---|\n";
  for (std::string engine : {"spool", "postgres"}) {
    Burst r = burst(engine, 2, 200, std::chrono::milliseconds(5000));
    std::cout << "| " << engine << " | " << r.seconds << " | " << r.p50 << " | " << r.p99 << " |\n";
  }
  const double rec = recovery(200, 10);
  std::cout << "\nTwo replicas on PostgreSQL, --lease-seconds 10, one killed (SIGKILL) after 200 deliveries "
               "were accepted: all of them processed "
            << rec << " s after the kill (lease 10 s + the jobs' own time)\n";
  return 0;
}

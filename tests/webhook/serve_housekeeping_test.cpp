// `bindscan serve` through the binary (issue 14, items 4 and 5): the service
// and `bindscan scan` agree on a commit, results are capped at GitHub's
// 25,000 per run with a notification, the data directory stays bounded over
// many commits, and the edges (oversize bodies, media types, configuration
// errors, log lines, /metrics sums) behave as documented.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <set>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"
#include "webhook/metrics.h"

namespace bindscan::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kZero(40, '0');
constexpr char kSecret[] = "housekeeping-secret-9Tq";
constexpr char kToken[] = "ghs_housekeepingTokenX2";
constexpr auto kWait = 60s;

std::vector<std::string> notifications_of(const json& sarif) {
  std::vector<std::string> out;
  for (const auto& n : sarif["runs"][0]["invocations"][0].value("toolExecutionNotifications", json::array())) {
    out.push_back(n["message"]["text"]);
  }
  return out;
}

// Bytes of the regular files under `dir`, each rounded up to a 4 KiB block.
uint64_t blocks_under(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += std::max<uint64_t>(4096, (entry.file_size() + 4095) / 4096 * 4096);
  }
  return total;
}

// POSTs `body` to 127.0.0.1:port/webhook with exactly the headers given
// (httplib's client would add a Content-Type); returns the whole reply.
std::string raw_post(int port, const std::vector<std::string>& headers, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  std::string request = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& h : headers) request += h + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string reply;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) reply.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return reply;
}

class ServeHousekeeping : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = make_temp_root("bindscan-housekeeping");
    repo_ = std::make_unique<TestRepo>(root_ / "served" / "octo" / "hello");
    daemon_ = std::make_unique<GitDaemon>(root_ / "served");
    github_ = std::make_unique<FakeGitHub>(kToken);
    std::ofstream(root_ / "secret") << kSecret << "\n";
  }
  void TearDown() override {
    serve_.reset();
    github_.reset();
    daemon_.reset();
    if (!HasFailure()) fs::remove_all(root_);
  }

  std::vector<std::string> base_args(const std::string& listen) {
    return {"--listen", listen,
            "--webhook-secret-file", (root_ / "secret").string(),
            "--data-dir", (root_ / "data").string(),
            "--github-api", github_->url(),
            "--allow-clone-host", "git://" + daemon_->host_port(),
            "--max-attempts", "1"};
  }
  void start_serve(std::vector<std::string> extra = {}) {
    port_ = free_port();
    auto args = base_args("127.0.0.1:" + std::to_string(port_));
    args.insert(args.end(), extra.begin(), extra.end());
    serve_ = std::make_unique<ServeProcess>(
        args, std::vector<std::string>{std::string("GITHUB_TOKEN=") + kToken, "HOME=" + root_.string()},
        root_ / "serve.log");
    poster_.set_port(port_);
    ASSERT_TRUE(serve_->wait_healthy(port_, 30s)) << read_text(root_ / "serve.log");
  }

  // Pushes `sha` to main and waits for its upload.
  std::optional<FakeGitHub::Upload> push_and_wait(const std::string& delivery, const std::string& before,
                                                  const std::string& sha) {
    auto res = poster_.post("push", delivery,
                            push_payload("octo/hello", daemon_->url("octo/hello"), "refs/heads/main", before, sha));
    if (!res || res->status != 202) return std::nullopt;
    eventually([&] { return github_->upload_for(sha).has_value(); }, kWait);
    return github_->upload_for(sha);
  }

  // `bindscan scan --format sarif` of the checkout, as the Action runs it.
  json cli_sarif() {
    const fs::path out = root_ / "cli.sarif";
    run("cd " + quote(repo_->dir().string()) + " && " + quote(BINDSCAN_BINARY) +
        " scan --format sarif -o " + quote(out.string()) + " . || test $? -eq 1");
    return json::parse(read_text(out));
  }

  // Runs `bindscan serve ARGS` expecting it to refuse to start; its output.
  std::string failed_start(std::vector<std::string> args, std::vector<std::string> env) {
    const fs::path log = root_ / "start.log";
    fs::remove(log);
    ServeProcess serve(std::move(args), std::move(env), log);
    EXPECT_TRUE(eventually([&] { return !serve.running(); }, 10s)) << "serve started anyway";
    return read_text(log);
  }

  fs::path root_;
  std::unique_ptr<TestRepo> repo_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<FakeGitHub> github_;
  std::unique_ptr<ServeProcess> serve_;
  WebhookPoster poster_{0, kSecret};
  int port_ = 0;
};

constexpr char kFinding[] = "import http.server\nsrv = http.server.HTTPServer((\"0.0.0.0\", 8000), None)\n";

TEST_F(ServeHousekeeping, ServiceAndCliScanTheSameFilesOfACommitAndCapResultsAt25000) {
  repo_->write("app.py", kFinding);
  repo_->write("node_modules/pkg/setup.py", kFinding);
  repo_->write(".venv/lib/site.py", kFinding);
  repo_->write("env/pyvenv.cfg", "home = /usr/bin\n");
  repo_->write("env/lib/tool.py", kFinding);
  repo_->write("bin/tool", std::string("#!/usr/bin/env python3\n") + kFinding);
  // Over the service's old 2 MiB limit, well under the shared 64 MiB one.
  repo_->write("big.py", "# " + std::string(3 << 20, 'x') + "\n" + kFinding);
  repo_->symlink("app.py", "link.py");
  const std::string c1 = repo_->commit("mixed tree");
  start_serve();

  auto upload = push_and_wait("agree-1", kZero, c1);
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  const std::set<ResultKey> expected = {{"app.py", 2, "bind-all-interfaces"},
                                        {"big.py", 3, "bind-all-interfaces"},
                                        {"bin/tool", 3, "bind-all-interfaces"}};
  EXPECT_EQ(results_of(upload->sarif), expected);
  EXPECT_EQ(results_of(cli_sarif()), expected);

  // 25,010 results in one commit: both keep 25,000 and say what was left out.
  std::string many = "import http.server\n";
  for (int i = 1; i <= 25'010; ++i) many += "http.server.HTTPServer((\"0.0.0.0\", " + std::to_string(i) + "), None)\n";
  repo_->write("many.py", many);
  const std::string c2 = repo_->commit("many servers");
  upload = push_and_wait("agree-2", c1, c2);
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  const json cli = cli_sarif();
  EXPECT_EQ(upload->sarif["runs"][0]["results"].size(), 25'000u);
  EXPECT_EQ(cli["runs"][0]["results"].size(), 25'000u);
  EXPECT_EQ(results_of(upload->sarif), results_of(cli));
  for (const json* sarif : std::initializer_list<const json*>{&upload->sarif, &cli}) {
    const auto notes = notifications_of(*sarif);
    const bool said = std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
      return n.find("13 of 25013 results were left out: GitHub accepts at most 25000 results per run") !=
             std::string::npos;
    });
    EXPECT_TRUE(said) << json(notes).dump();
  }
  EXPECT_EQ(serve_->terminate(30s).value_or(-1), 0);
}

TEST_F(ServeHousekeeping, TheDataDirectoryStaysBoundedOverManyCommits) {
  constexpr int kCommits = 30;
  constexpr uint64_t kCacheBudget = 64 * 1024;
  repo_->write("app.py", kFinding);
  std::string before = kZero;
  start_serve({"--cache-max-bytes", std::to_string(kCacheBudget)});
  const fs::path mirror = root_ / "data" / "git" / "octo" / "hello.git";
  for (int i = 0; i < kCommits; ++i) {
    // A new blob each time: one more cache entry, one more pack fetched.
    // Each push waits for its upload: a newer push would supersede it.
    repo_->write("gen/file" + std::to_string(i) + ".py", "VALUE = " + std::to_string(i) + "\n");
    const std::string sha = repo_->commit("commit " + std::to_string(i));
    ASSERT_TRUE(push_and_wait("bounded-" + std::to_string(i), before, sha)) << read_text(root_ / "serve.log");
    before = sha;
  }
  // 31 blobs were cached over time; the budget holds 16 blocks.
  EXPECT_LE(blocks_under(root_ / "data" / "cache"), kCacheBudget + 4096);
  size_t packs = 0;
  for (const auto& entry : fs::directory_iterator(mirror / "objects" / "pack")) {
    packs += entry.path().extension() == ".pack";
  }
  EXPECT_LE(packs, 9u) << "one pack per fetch is compacted once there are more than 8";
  const std::string counted = run("git --git-dir=" + quote(mirror.string()) + " count-objects -v");
  EXPECT_NE(counted.find("count: 0\n"), std::string::npos) << counted;
  const std::string refs = run("git --git-dir=" + quote(mirror.string()) + " for-each-ref --format='%(refname)'");
  EXPECT_EQ(std::count(refs.begin(), refs.end(), '\n'), 1) << refs;
  EXPECT_EQ(refs.rfind("refs/bindscan/commits/", 0), 0u) << refs;
  // The compacted mirror still holds the whole history the last job needs.
  EXPECT_NO_THROW(run("git --git-dir=" + quote(mirror.string()) + " fsck --connectivity-only --no-dangling"));
  EXPECT_EQ(serve_->terminate(30s).value_or(-1), 0);
}

TEST_F(ServeHousekeeping, OversizeBodiesMediaTypesAndLogLines) {
  start_serve({"--max-body-bytes", "2000", "--max-header-bytes", "1024"});
  const std::string ping = R"({"zen":"Keep it logically awesome.","hook_id":1})";
  auto signed_headers = [&](const std::string& body, const std::string& delivery) {
    return std::vector<std::string>{"X-GitHub-Event: ping", "X-GitHub-Delivery: " + delivery,
                                    "X-Hub-Signature-256: " + webhook::sign_sha256(kSecret, body)};
  };

  // Oversize, and past the stream's bound too (headers + body limit):
  // 413 with a JSON error, logged and counted once.
  const std::string big(100'000, ' ');
  auto headers = signed_headers(big, "too-big");
  headers.push_back("Content-Type: application/json");
  const std::string reply = raw_post(port_, headers, big);
  ASSERT_EQ(reply.substr(0, 12), "HTTP/1.1 413") << reply;
  const json error = json::parse(reply.substr(reply.find("\r\n\r\n") + 4), nullptr, false);
  ASSERT_TRUE(error.is_object()) << reply;
  EXPECT_NE(error.value("error", "").find("larger than 2000 bytes"), std::string::npos) << reply;

  // Media types compare case-insensitively; a missing Content-Type is refused.
  headers = signed_headers(ping, "mixed-case");
  headers.push_back("Content-Type: Application/JSON; charset=UTF-8");
  EXPECT_EQ(raw_post(port_, headers, ping).substr(0, 12), "HTTP/1.1 200");
  const std::string missing = raw_post(port_, signed_headers(ping, "no-type"), ping);
  EXPECT_EQ(missing.substr(0, 12), "HTTP/1.1 415") << missing;
  EXPECT_NE(missing.find("no Content-Type is not accepted"), std::string::npos) << missing;

  const std::string metrics = poster_.get("/metrics")->body;
  EXPECT_NE(metrics.find(R"(bindscan_webhook_deliveries_total{event="ping",outcome="too-large"} 1)"),
            std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("request-too-large"), std::string::npos) << metrics;
  EXPECT_EQ(serve_->terminate(30s).value_or(-1), 0);

  // IPv6: the listening line puts the address in brackets.
  const int port6 = free_port();
  {
    ServeProcess serve6(base_args("[::1]:" + std::to_string(port6)),
                        {std::string("GITHUB_TOKEN=") + kToken, "HOME=" + root_.string()}, root_ / "serve.log");
    ASSERT_TRUE(eventually([&] {
      return read_text(root_ / "serve.log").find("\"[::1]:" + std::to_string(port6) + "\"") != std::string::npos;
    }, 30s)) << read_text(root_ / "serve.log");
    EXPECT_EQ(serve6.terminate(30s).value_or(-1), 0);
  }

  // One shape for every line: JSON with time, level and msg.
  const std::string log = read_text(root_ / "serve.log");
  std::istringstream lines(log);
  int too_large = 0;
  int line_count = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_count;
    const json parsed = json::parse(line, nullptr, false);
    ASSERT_TRUE(parsed.is_object()) << line;
    EXPECT_TRUE(parsed.contains("time") && parsed.contains("level") && parsed.contains("msg")) << line;
    if (parsed.value("outcome", "").find("too-large") != std::string::npos) ++too_large;
  }
  EXPECT_GE(line_count, 8);  // listening, 3 deliveries, stopping, stopped, listening, stopping...
  EXPECT_EQ(too_large, 1) << log;
  EXPECT_NE(log.find(R"("level":"warning")"), std::string::npos) << log;
}

TEST_F(ServeHousekeeping, ConfigurationErrorsNameFlagPathAndReasonInALogLine) {
  const std::vector<std::string> env = {std::string("GITHUB_TOKEN=") + kToken, "HOME=" + root_.string()};
  auto args_with = [&](const std::string& flag, const std::string& value) {
    auto args = base_args("127.0.0.1:" + std::to_string(free_port()));
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == flag) args[i + 1] = value;
    }
    if (std::find(args.begin(), args.end(), flag) == args.end()) args.insert(args.end(), {flag, value});
    return args;
  };
  std::ofstream(root_ / "empty");
  fs::create_directories(root_ / "a-directory");
  struct Case {
    std::string flag;
    fs::path path;
    std::string reason;
  };
  for (const Case& c : {Case{"--webhook-secret-file", root_ / "empty", "the file is empty"},
                        Case{"--webhook-secret-file", root_ / "a-directory", "Is a directory"},
                        Case{"--webhook-secret-file", root_ / "missing", "No such file or directory"},
                        Case{"--token-file", root_ / "empty", "the file is empty"},
                        Case{"--token-file", root_ / "a-directory", "Is a directory"},
                        Case{"--token-file", root_ / "missing", "No such file or directory"}}) {
    const std::string out = failed_start(args_with(c.flag, c.path.string()), env);
    const json line = json::parse(out.substr(0, out.find('\n')), nullptr, false);
    ASSERT_TRUE(line.is_object()) << out;
    EXPECT_EQ(line.value("level", ""), "error") << out;
    EXPECT_TRUE(line.contains("time")) << out;
    EXPECT_EQ(line.value("error", "").rfind(c.flag + " " + c.path.string() + ": " + c.reason, 0), 0u) << out;
  }
}

// /metrics sums print every digit a double holds: at 1e6 seconds a stream's
// default six digits would print 1e+06 and freeze rate().
TEST(ServiceMetrics, HistogramSumsAreExact) {
  webhook::Metrics metrics;
  webhook::JobOutcome outcome;
  outcome.uploaded = true;
  metrics.count_job(outcome, "uploaded", 999'999.75);
  metrics.count_job(outcome, "uploaded", 0.5);
  metrics.observe_reply(0.001234567);
  const std::string text = metrics.render({});
  EXPECT_NE(text.find("bindscan_job_duration_seconds_sum 1000000.25\n"), std::string::npos) << text;
  EXPECT_NE(text.find("bindscan_webhook_reply_seconds_sum 0.001234567\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace bindscan::testing

// `bindscan serve` end to end, through the real binary (issue 3, last test
// bullet; issue 6, secrets): a git daemon serving a repository built here, the
// fake GitHub API behind a fault proxy, and the service as a child process
// configured only through its flags and environment.
//
//   1. a signed push -> the fake GitHub receives a SARIF with exactly the
//      expected results (paths, lines, rule ids);
//   2. a push changing one file -> the upload carries the full result set and
//      /metrics shows one more file parsed, the rest reused;
//   3. GitHub hangs on an upload while a second job waits: SIGTERM lets the
//      upload in flight finish, records it as awaiting processing, leaves the
//      queued job on disk, exits 0; a restart on the same data dir checks the
//      first (no second upload) and runs the other;
//   4. neither the log nor any HTTP reply contains the webhook secret or token;
//   6. (third test, issue 13) the commit's own .bindscan.toml: an allowed
//      folder's bind is uploaded as suppressed (external) while the same code
//      elsewhere is uploaded as open; excludes, include, per-file-ignores and
//      severity apply as in `bindscan scan`; a later commit with a broken
//      pyproject.toml fails its job, logging file, key and line, uploads nothing.
//   7. (fourth test, issue 13) [tool.bindscan] allowing docker/**: the
//      default branch's docker/ alert is dismissed with the reason and comment
//      while the same code elsewhere stays open; a feature branch's allow entry
//      dismisses nothing; a person's dismissal is left alone; removing the
//      entry reopens the alert; an alerts API answering 500 leaves the upload
//      standing, is logged and counted, and the next push catches up.
//   5. (second test) GitHub answers 503 with Retry-After: 4: the job goes back
//      to the queue due no sooner than that and the only worker runs another
//      job meanwhile; SIGTERM exits 0 at once, and the restarted service
//      uploads the job exactly once.
// Every wait is bounded; the child is killed in teardown whatever happens.
#include <gtest/gtest.h>

#include <iostream>
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

const std::string kZero(40, '0');
constexpr char kSecret[] = "e2e-webhook-secret-Qm7v2";
constexpr char kToken[] = "ghs_e2eTokenZx81b0c";
constexpr auto kWait = 30s;

class ServeEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = make_temp_root("bindscan-e2e");
    repo_ = std::make_unique<TestRepo>(root_ / "served" / "octo" / "hello");
    repo_->write("app.py", "import http.server\nsrv = http.server.HTTPServer((\"0.0.0.0\", 8000), None)\n");
    repo_->write("clean.py", "import socketserver\nsrv = socketserver.TCPServer((\"127.0.0.1\", 1), None)\n");
    c0_ = repo_->commit("first");
    repo_->write("srv/server.py",
                 "import socketserver\n\n\ndef serve():\n    return socketserver.TCPServer((\"\", 8000), None)\n");
    repo_->write("lib/util.py", "def add(a, b):\n    return a + b\n");
    repo_->write("README.md", "s.bind((\"0.0.0.0\", 1))\n");
    c1_ = repo_->commit("second");
    daemon_ = std::make_unique<GitDaemon>(root_ / "served");
    github_ = std::make_unique<FakeGitHub>(kToken);
    proxy_ = std::make_unique<FaultProxy>(github_->port());
    std::ofstream(root_ / "secret") << kSecret << "\n";
  }
  void TearDown() override {
    serve_.reset();  // SIGKILL if still running
    proxy_.reset();
    github_.reset();
    daemon_.reset();
    if (!HasFailure()) fs::remove_all(root_);
  }

  void start_serve(int workers = 1, std::vector<std::string> extra = {}) {
    port_ = free_port();
    std::vector<std::string> args{"--listen", "127.0.0.1:" + std::to_string(port_),
                                  "--webhook-secret-file", (root_ / "secret").string(),
                                  "--data-dir", (root_ / "data").string(),
                                  "--github-api", proxy_->url(),
                                  "--allow-clone-host", "git://" + daemon_->host_port(),
                                  "--workers", std::to_string(workers)};
    args.insert(args.end(), extra.begin(), extra.end());
    serve_ = std::make_unique<ServeProcess>(
        args,
        std::vector<std::string>{std::string("GITHUB_TOKEN=") + kToken, "HOME=" + root_.string()},
        root_ / "serve.log");
    poster_.set_port(port_);
    ASSERT_TRUE(serve_->wait_healthy(port_, kWait)) << read_text(root_ / "serve.log");
  }

  std::string push(const std::string& ref, const std::string& before, const std::string& after) {
    return push_payload("octo/hello", daemon_->url("octo/hello"), ref, before, after);
  }

  // The first upload for (commit, ref), waiting for it at most kWait.
  std::optional<FakeGitHub::Upload> upload_for(const std::string& commit, const std::string& ref) {
    eventually([&] { return github_->upload_for(commit, ref).has_value(); }, kWait);
    return github_->upload_for(commit, ref);
  }

  std::string metrics() {
    auto res = poster_.get("/metrics");
    return res ? res->body : "";
  }

  json job_record(const std::string& id) {
    return json::parse(read_text(root_ / "data" / "jobs" / (id + ".json")), nullptr, false);
  }

  fs::path root_;
  std::unique_ptr<TestRepo> repo_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<FakeGitHub> github_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<ServeProcess> serve_;
  WebhookPoster poster_{0, kSecret};
  int port_ = 0;
  std::string c0_, c1_;
};

TEST_F(ServeEndToEnd, PushUploadOneFileChangeRestartAndNoSecretsLeak) {
  start_serve();
  const std::set<ResultKey> first = {{"app.py", 2, "bind-all-interfaces"},
                                     {"srv/server.py", 5, "bind-all-interfaces"}};

  // 1. First push of the branch: every Python file parsed, exact results.
  auto res = poster_.post("push", "e2e-1", push("refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  EXPECT_EQ(json::parse(res->body)["status"], "queued");
  auto upload = upload_for(c1_, "refs/heads/main");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  EXPECT_EQ(upload->owner, "octo");
  EXPECT_EQ(upload->repo, "hello");
  EXPECT_EQ(upload->tool_name, "bindscan");
  EXPECT_EQ(results_of(upload->sarif), first);
  const json& run = upload->sarif["runs"][0];
  EXPECT_EQ(run["automationDetails"]["id"], "bindscan/python/");
  EXPECT_EQ(run["versionControlProvenance"][0]["revisionId"], c1_);
  EXPECT_EQ(run["versionControlProvenance"][0]["branch"], "refs/heads/main");
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_files_parsed_total") == 4; }, kWait))
      << metrics();
  EXPECT_EQ(metric(metrics(), "bindscan_files_reused_total"), 0);

  // A redelivery of the same delivery id is a duplicate, not a second job.
  res = poster_.post("push", "e2e-1", push("refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;

  // 2. One file changes: one parse, three reused, the full result set uploaded.
  repo_->write("clean.py", "import socketserver\n\nsrv = socketserver.TCPServer((\"0.0.0.0\", 1), None)\n");
  const std::string c2 = repo_->commit("open clean.py up");
  res = poster_.post("push", "e2e-2", push("refs/heads/main", c1_, c2));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  upload = upload_for(c2, "refs/heads/main");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  auto second = first;
  second.emplace("clean.py", 3, "bind-all-interfaces");
  EXPECT_EQ(results_of(upload->sarif), second);
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_files_parsed_total") == 5; }, kWait))
      << metrics();
  EXPECT_EQ(metric(metrics(), "bindscan_files_reused_total"), 3);

  // 3. GitHub hangs on an upload while a second job waits (one worker).
  repo_->write("lib/util.py", "import socketserver\nsrv = socketserver.TCPServer((\"0.0.0.0\", 2), None)\n");
  const std::string c3 = repo_->commit("util listens");
  repo_->git("branch release " + c1_);
  proxy_->hold_uploads();
  res = poster_.post("push", "e2e-3", push("refs/heads/main", c2, c3));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  res = poster_.post("push", "e2e-4", push("refs/heads/release", kZero, c1_));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(eventually([&] { return proxy_->waiting() == 1; }, kWait))
      << "no upload held; uploads seen: " << proxy_->upload_requests();
  EXPECT_EQ(proxy_->upload_requests(), 2 + 1);  // two earlier jobs, then the held one

  // SIGTERM: no new connections, the upload in flight completes, its id is
  // recorded as awaiting processing (checked after the restart); the queued job stays.
  ASSERT_EQ(::kill(serve_->pid(), SIGTERM), 0);
  EXPECT_TRUE(eventually([&] { return !port_accepts(port_); }, 10s)) << "still accepting after SIGTERM";
  proxy_->release();
  const auto status = serve_->terminate(kWait);
  ASSERT_TRUE(status) << "serve did not exit within 30 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  EXPECT_EQ(job_record("e2e-3")["state"], "awaiting-processing");
  EXPECT_EQ(job_record("e2e-3")["sarif_id"], "sarif-3");
  EXPECT_EQ(job_record("e2e-4")["state"], "queued");
  auto third = second;
  third.emplace("lib/util.py", 2, "bind-all-interfaces");
  upload = upload_for(c3, "refs/heads/main");
  ASSERT_TRUE(upload);
  EXPECT_EQ(results_of(upload->sarif), third);

  // Restart on the same data dir with GitHub healthy: the queued job runs,
  // entirely from the on-disk cache.
  start_serve();
  upload = upload_for(c1_, "refs/heads/release");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  EXPECT_EQ(results_of(upload->sarif), first);
  ASSERT_TRUE(eventually([&] { return job_record("e2e-4")["state"] == "uploaded"; }, kWait));
  ASSERT_TRUE(eventually([&] { return job_record("e2e-3")["state"] == "uploaded"; }, kWait));
  EXPECT_EQ(job_record("e2e-3")["sarif_id"], "sarif-3");
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_files_reused_total") == 4; }, kWait))
      << metrics();
  EXPECT_EQ(metric(metrics(), "bindscan_files_parsed_total"), 0);
  EXPECT_EQ(github_->uploads().size(), 4u);  // one per job, no duplicate (e2e-3 polled its id)
  const auto status2 = serve_->terminate(kWait);
  ASSERT_TRUE(status2);
  EXPECT_TRUE(WIFEXITED(*status2) && WEXITSTATUS(*status2) == 0) << *status2;

  // 4. Secrets: the token was used (GitHub saw it) but never shown anywhere.
  const std::string log = read_text(root_ / "serve.log");
  EXPECT_NE(log.find("\"msg\":\"job\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"msg\":\"delivery\""), std::string::npos) << log;
  const auto auths = github_->authorizations();
  ASSERT_FALSE(auths.empty());
  EXPECT_EQ(auths.front(), std::string("Bearer ") + kToken);
  const std::string replies = poster_.replies();
  EXPECT_FALSE(replies.empty());
  for (const std::string& secret : {std::string(kSecret), std::string(kToken)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "secret in the service log";
    EXPECT_EQ(replies.find(secret), std::string::npos) << "secret in an HTTP reply";
    for (const auto& u : github_->uploads()) {
      EXPECT_EQ(u.sarif.dump().find(secret), std::string::npos) << "secret in an uploaded SARIF";
    }
  }
  // Nor in the mirror's config (the token goes through the credential callback).
  const std::string mirror_config = read_text(root_ / "data" / "git" / "octo" / "hello.git" / "config");
  EXPECT_EQ(mirror_config.find(kToken), std::string::npos) << mirror_config;
}

// Issue 10's service constraint, through the running service: settings.py
// changes from loopback to every interface, and the upload for that push has
// the finding in server.py, which did not change, while the job parsed only
// settings.py (bindscan_files_parsed_total grows by one).
TEST_F(ServeEndToEnd, ASettingsChangeAddsTheFindingToTheUnchangedServerParsingOnlySettings) {
  start_serve();
  repo_->write("settings.py", "HOST = \"127.0.0.1\"\n");
  repo_->write("server.py",
               "import socketserver\nfrom settings import HOST\n\n"
               "socketserver.TCPServer((HOST, 8000), socketserver.BaseRequestHandler)\n");
  const std::string loopback = repo_->commit("settings on loopback");
  auto res = poster_.post("push", "settings-1", push("refs/heads/main", kZero, loopback));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  auto upload = upload_for(loopback, "refs/heads/main");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  const std::set<ResultKey> before = {{"app.py", 2, "bind-all-interfaces"},
                                      {"srv/server.py", 5, "bind-all-interfaces"}};
  EXPECT_EQ(results_of(upload->sarif), before);
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_files_parsed_total") == 6; }, kWait)) << metrics();

  repo_->write("settings.py", "HOST = \"0.0.0.0\"\n");
  const std::string wildcard = repo_->commit("settings on every interface");
  res = poster_.post("push", "settings-2", push("refs/heads/main", loopback, wildcard));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  upload = upload_for(wildcard, "refs/heads/main");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  auto after = before;
  after.emplace("server.py", 4, "bind-all-interfaces");
  EXPECT_EQ(results_of(upload->sarif), after);
  std::string related_files;
  for (const auto& result : upload->sarif["runs"][0]["results"])
    for (const auto& location : result.value("relatedLocations", json::array()))
      related_files += location["physicalLocation"]["artifactLocation"]["uri"].get<std::string>() + " ";
  EXPECT_NE(related_files.find("settings.py"), std::string::npos) << related_files;
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_files_parsed_total") == 7; }, kWait)) << metrics();
  EXPECT_EQ(metric(metrics(), "bindscan_files_reused_total"), 5);
}

TEST_F(ServeEndToEnd, ARetryAfterHoldsNoWorkerAndSigtermExitsAtOnceThenTheJobUploadsOnce) {
  // One worker: while GitHub asks the first job to wait, the worker runs another.
  start_serve(1, {"--retry-delay", "1"});
  proxy_->set_fault({.status = 503, .headers = {{"Retry-After", "4"}}, .delay = 0ms, .times = 1,
                     .all_requests = false});
  auto res = poster_.post("push", "e2e-wait", push("refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(eventually([&] {
    const json record = job_record("e2e-wait");  // absent until admitted, then replaced whole
    return record.is_object() && record["job"]["attempts"] == 1 && record["state"] == "queued";
  }, kWait))
      << read_text(root_ / "serve.log");
  const int64_t due = job_record("e2e-wait")["not_before_ms"];
  const int64_t updated = job_record("e2e-wait")["updated_ms"];
  EXPECT_GE(due - updated, 3900) << "Retry-After: 4 is a floor for the retry";
  repo_->git("branch other " + c0_);
  res = poster_.post("push", "e2e-other", push("refs/heads/other", kZero, c0_));
  ASSERT_TRUE(res);
  ASSERT_TRUE(upload_for(c0_, "refs/heads/other")) << "the only worker was held by the wait";

  const auto t0 = std::chrono::steady_clock::now();
  const auto status = serve_->terminate(5s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(status) << "serve did not exit within 5 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
  std::cout << "SIGTERM with a job waiting on Retry-After: exit 0 after " << seconds << " s\n";
  EXPECT_LT(seconds, 5.0);
  EXPECT_EQ(job_record("e2e-wait")["state"], "queued");
  const auto uploads = github_->uploads();  // a copy: one vector for begin() and end()
  EXPECT_TRUE(std::none_of(uploads.begin(), uploads.end(), [&](const auto& u) { return u.commit_sha == c1_; }));

  // The restarted service runs it when due; it uploads once.
  start_serve(1, {"--retry-delay", "1"});
  ASSERT_TRUE(upload_for(c1_, "refs/heads/main")) << read_text(root_ / "serve.log");
  ASSERT_TRUE(eventually([&] { return job_record("e2e-wait")["state"] == "uploaded"; }, kWait));
  EXPECT_EQ(job_record("e2e-wait")["job"]["attempts"], 2);
  int uploads_of_c1 = 0;
  for (const auto& u : github_->uploads()) uploads_of_c1 += u.commit_sha == c1_;
  EXPECT_EQ(uploads_of_c1, 1);
  const auto status2 = serve_->terminate(kWait);
  ASSERT_TRUE(status2);
  EXPECT_TRUE(WIFEXITED(*status2) && WEXITSTATUS(*status2) == 0) << *status2;
  const std::string log = read_text(root_ / "serve.log");
  EXPECT_NE(log.find("\"outcome\":\"retry\""), std::string::npos) << log;
}

// The commit's root configuration is read from its tree and applied as the CLI
// applies it (issue 13, service side).
TEST_F(ServeEndToEnd, TheCommitsOwnConfigurationDecidesWhatIsUploaded) {
  const std::string bind = "import http.server\nsrv = http.server.HTTPServer((\"0.0.0.0\", 8000), None)\n";
  repo_->write("docker/entrypoint.py", bind);
  repo_->write("app/main.py", bind);
  repo_->write("vendored/lib.py", bind);  // extend-exclude
  repo_->write("scripts/dev.py", bind);   // per-file-ignores
  repo_->write("bin/launch", bind);       // include: no extension, no shebang
  repo_->write(".bindscan.toml",
               "extend-exclude = [\"vendored\"]\n"
               "include = [\"bin/*\"]\n"
               "per-file-ignores = { \"scripts/*\" = [\"bind-all-interfaces\"] }\n"
               "severity = { bind-all-interfaces = \"error\" }\n"
               "allow = [{ path = \"docker/**\", reason = \"published only on the container's port\" }]\n");
  // A pyproject.toml in the same folder loses to .bindscan.toml, as in the CLI.
  repo_->write("pyproject.toml", "[tool.bindscan]\nselect = [\"no-such-rule\"]\n");
  const std::string configured = repo_->commit("configured");
  start_serve();

  ASSERT_EQ(poster_.post("push", "e2e-config", push("refs/heads/main", kZero, configured))->status, 202);
  auto upload = upload_for(configured, "refs/heads/main");
  ASSERT_TRUE(upload) << read_text(root_ / "serve.log");
  // docker/entrypoint.py's bind is allowed: uploaded with an external
  // suppression, so its alert exists to be dismissed (the next test); the
  // same code in app/ (and bin/launch, included) is uploaded as open.
  EXPECT_EQ(results_of(upload->sarif), (std::set<ResultKey>{{"app.py", 2, "bind-all-interfaces"},
                                                            {"app/main.py", 2, "bind-all-interfaces"},
                                                            {"bin/launch", 2, "bind-all-interfaces"},
                                                            {"docker/entrypoint.py", 2, "bind-all-interfaces"},
                                                            {"srv/server.py", 5, "bind-all-interfaces"}}));
  const json& run = upload->sarif["runs"][0];
  for (const json& result : run["results"]) {
    EXPECT_EQ(result["level"], "error") << result.dump();
    const bool allowed =
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docker/entrypoint.py";
    EXPECT_EQ(result["suppressions"], allowed ? json::parse(R"([{"kind": "external",
        "justification": "published only on the container's port"}])")
                                              : json::array())
        << result.dump();
  }
  bool rule_seen = false;
  for (const json& rule : run["tool"]["driver"]["rules"]) {
    if (rule["id"] != "bind-all-interfaces") continue;
    rule_seen = true;
    EXPECT_EQ(rule["defaultConfiguration"]["level"], "error");
    EXPECT_EQ(rule["properties"]["security-severity"], "8.0");
  }
  EXPECT_TRUE(rule_seen) << run["tool"].dump();

  // A broken configuration in a later commit: the job fails naming the file,
  // key and line; nothing is scanned with defaults, nothing is uploaded.
  repo_->remove(".bindscan.toml");
  repo_->write("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.bindscan]\nexlude = [\"docker\"]\n");
  const std::string broken = repo_->commit("broken config");
  ASSERT_EQ(poster_.post("push", "e2e-broken", push("refs/heads/main", configured, broken))->status, 202);
  ASSERT_TRUE(eventually([&] { return job_record("e2e-broken")["state"] == "failed"; }, kWait))
      << read_text(root_ / "serve.log");
  const std::string error = job_record("e2e-broken")["error"];
  EXPECT_NE(error.find("pyproject.toml:5:1: key 'exlude': unknown key, did you mean 'exclude'?"), std::string::npos)
      << error;
  // The job's log line is written after its record: wait for it too.
  EXPECT_TRUE(eventually(
      [&] { return read_text(root_ / "serve.log").find("pyproject.toml:5:1: key 'exlude'") != std::string::npos; },
      kWait))
      << read_text(root_ / "serve.log");
  EXPECT_FALSE(github_->upload_for(broken, "refs/heads/main"));
}

// Issue 13, Done when: a repository whose [tool.bindscan] allows docker/**
// gets no open alert for its container entrypoint through `bindscan serve`,
// and still gets one for the same code elsewhere.
TEST_F(ServeEndToEnd, AllowedFindingsAlertsAreDismissedAndReopenedWhenTheEntryGoes) {
  const std::string bind = "import http.server\nsrv = http.server.HTTPServer((\"0.0.0.0\", 8000), None)\n";
  const std::string allow_docker =
      "[project]\nname = \"hello\"\n\n[tool.bindscan]\n"
      "allow = [{ path = \"docker/**\", reason = \"container entrypoint: published on one port\" }]\n";
  repo_->write("docker/entrypoint.py", bind);
  repo_->write("app/main.py", bind);
  repo_->write("pyproject.toml", allow_docker);
  const std::string allowed = repo_->commit("allow the container entrypoint");
  start_serve();
  auto alert = [&](const std::string& path, int line = 2) { return github_->alert_at(path, line); };
  auto state_of = [&](const std::string& path, int line = 2) {
    auto a = alert(path, line);
    return a ? a->state : std::string("none");
  };

  // 1. Default branch: the docker/ alert is dismissed, with the entry's reason.
  ASSERT_EQ(poster_.post("push", "allow-1", push("refs/heads/main", kZero, allowed))->status, 202);
  ASSERT_TRUE(upload_for(allowed, "refs/heads/main")) << read_text(root_ / "serve.log");
  ASSERT_TRUE(eventually([&] { return state_of("docker/entrypoint.py") == "dismissed"; }, kWait))
      << state_of("docker/entrypoint.py") << "\n"
      << read_text(root_ / "serve.log");
  EXPECT_EQ(alert("docker/entrypoint.py")->dismissed_reason, "won't fix");
  EXPECT_EQ(alert("docker/entrypoint.py")->dismissed_comment,
            "bindscan: allowed by pyproject.toml:5: container entrypoint: published on one port");
  EXPECT_EQ(state_of("app/main.py"), "open");
  EXPECT_EQ(state_of("app.py"), "open");
  EXPECT_EQ(state_of("srv/server.py", 5), "open");
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_alerts_dismissed_total") == 1; }, kWait));
  ASSERT_TRUE(eventually([&] { return job_record("allow-1")["state"] == "uploaded"; }, kWait));

  // 2. A feature branch that allows app/** dismisses nothing: a dismissal
  //    holds on every branch, and the entry is not reviewed into main yet.
  repo_->git("checkout -q -b feature");
  repo_->write(
      ".bindscan.toml",
      "allow = [{ path = \"docker/**\", reason = \"container\" }, { path = \"app/**\", reason = \"mine\" }]\n");
  const std::string feature = repo_->commit("feature allows app/");
  repo_->git("checkout -q main");
  ASSERT_EQ(poster_.post("push", "allow-feature", push("refs/heads/feature", kZero, feature))->status, 202);
  ASSERT_TRUE(upload_for(feature, "refs/heads/feature")) << read_text(root_ / "serve.log");
  ASSERT_TRUE(eventually([&] { return job_record("allow-feature")["state"] == "uploaded"; }, kWait))
      << read_text(root_ / "serve.log");
  EXPECT_EQ(state_of("app/main.py"), "open");
  EXPECT_EQ(alert("docker/entrypoint.py")->dismissed_comment,
            "bindscan: allowed by pyproject.toml:5: container entrypoint: published on one port");

  // 3. A person dismisses app.py's alert; then main drops the allow entry:
  //    bindscan reopens its own dismissal and leaves the person's alone.
  github_->dismiss_as_person(alert("app.py")->number, "false positive", "dev only");
  repo_->write("pyproject.toml", "[project]\nname = \"hello\"\n");
  const std::string removed = repo_->commit("no allow entry");
  ASSERT_EQ(poster_.post("push", "allow-2", push("refs/heads/main", allowed, removed))->status, 202);
  ASSERT_TRUE(eventually([&] { return state_of("docker/entrypoint.py") == "open"; }, kWait))
      << read_text(root_ / "serve.log");
  EXPECT_EQ(state_of("app.py"), "dismissed");
  EXPECT_EQ(alert("app.py")->dismissed_comment, "dev only");
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_alerts_reopened_total") == 1; }, kWait));

  // 4. The entry comes back while the alerts API fails: the upload stands
  //    (the job is uploaded), the failure is logged and counted, the alert
  //    stays open; the next push's sync dismisses it.
  repo_->write("pyproject.toml", allow_docker);
  const std::string again = repo_->commit("allow it again");
  github_->fail_alerts_api(500, 2);  // the open and the dismissed alerts lists
  ASSERT_EQ(poster_.post("push", "allow-3", push("refs/heads/main", removed, again))->status, 202);
  ASSERT_TRUE(eventually([&] { return job_record("allow-3")["state"] == "uploaded"; }, kWait))
      << read_text(root_ / "serve.log");
  EXPECT_TRUE(github_->upload_for(again, "refs/heads/main"));
  ASSERT_TRUE(eventually([&] { return metric(metrics(), "bindscan_alert_sync_failures_total") >= 1; }, kWait))
      << metrics();
  EXPECT_EQ(state_of("docker/entrypoint.py"), "open");
  // The job's log line is written after its record and the metric: wait for it.
  EXPECT_TRUE(eventually(
      [&] {
        return read_text(root_ / "serve.log").find("\"alerts_error\":\"GET /repos/octo/hello/code-scanning/alerts") !=
               std::string::npos;
      },
      kWait))
      << read_text(root_ / "serve.log");
  const std::string log = read_text(root_ / "serve.log");
  EXPECT_NE(log.find("HTTP 500"), std::string::npos) << log;
  EXPECT_EQ(log.find(kToken), std::string::npos) << "token in the service log";

  repo_->write("docker/README.md", "how to run\n");
  const std::string later = repo_->commit("docs");
  ASSERT_EQ(poster_.post("push", "allow-4", push("refs/heads/main", again, later))->status, 202);
  ASSERT_TRUE(eventually([&] { return state_of("docker/entrypoint.py") == "dismissed"; }, kWait))
      << read_text(root_ / "serve.log");
  EXPECT_EQ(state_of("app/main.py"), "open");
  EXPECT_EQ(state_of("app.py"), "dismissed");
  EXPECT_EQ(alert("app.py")->dismissed_by, "a-person");
}

}  // namespace
}  // namespace bindscan::testing

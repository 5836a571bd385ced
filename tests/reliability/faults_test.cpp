// Fault tests (issue 6) that tests/webhook/*_test.cpp did not cover yet. The
// service runs in-process with its real job store and, where the fault is on
// GitHub's or git's side, the real runner against a git daemon and the fake
// GitHub behind a fault proxy. Already covered elsewhere and not repeated:
// 500/502/503 and 429 + Retry-After (runner_test, github_client_test), network
// errors in the client, a git remote that is down and a commit that no longer
// exists in the runner (runner_test, git_source_test), queue full and an
// unwritable jobs path (service_test).
//
// Added here:
//   - GitHub answers slower than the client's read timeout -> retried, uploaded;
//     always slower -> the job fails retryable with the reason, then for good;
//   - GitHub refuses connections -> the job fails with the reason recorded;
//   - 202 then processing status "failed" -> the job is failed (not uploaded)
//     with GitHub's errors recorded, and a redelivery may queue it again;
//   - a commit that no longer exists -> that job fails clearly, the next runs;
//   - the data dir full or read-only (a 256 KiB tmpfs) -> 503 + Retry-After,
//     nothing half-written, /readyz 503; recovery once space returns.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cstring>

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
using nlohmann::json;
using testing::eventually;
using testing::FakeGitHub;
using testing::FaultProxy;
using testing::GitDaemon;
using testing::TestRepo;
using testing::WebhookPoster;
using namespace std::chrono_literals;

constexpr char kSecret[] = "faults-secret-Lr3";
constexpr char kToken[] = "faults-token-9Yx";
const std::string kZero(40, '0');

class ReliabilityFaults : public ServedRepoTest {
 protected:
  ReliabilityFaults()
      : ServedRepoTest("bindscan-faults",
                       "import http.server\nsrv = http.server.HTTPServer((\"0.0.0.0\", 8000), None)\n", kSecret,
                       kToken) {}

  // GitHub is reached through the proxy unless `api` says otherwise. Fast
  // client policies keep the test short.
  void start(std::string api = "", int max_attempts = 2) {
    RunnerConfig c = runner_config();
    if (!api.empty()) c.github_api = api;
    c.http.connect_timeout = Millis(1000);
    c.http.io_timeout = Millis(400);
    c.http.retry.max_attempts = 2;
    c.http.retry.initial_delay = Millis(10);
    c.http.poll = PollPolicy{Millis(10), 2.0, Millis(50), Millis(2000)};
    ServiceOptions options;
    options.workers = 1;
    options.retry.base_delay = 50ms;
    options.retry.max_attempts = max_attempts;
    options.retry_after_seconds = 11;
    ServedRepoTest::start(c, options, {.max_queue = 100, .max_finished = 100});
  }
};

TEST_F(ReliabilityFaults, SlowAnswerPastTheClientTimeoutIsRetriedThenUploaded) {
  start();
  proxy_->set_fault({.status = 504, .headers = {}, .delay = 1500ms, .times = 1, .all_requests = false});  // answered after the client gave up
  ASSERT_EQ(post_push("slow-1", c1_), 202);
  const JobRecord r = finished("slow-1");
  EXPECT_EQ(r.state, JobState::kUploaded) << r.error << "\n" << log();
  EXPECT_EQ(proxy_->upload_requests(), 2);
  EXPECT_EQ(github_->uploads().size(), 1u);
}

TEST_F(ReliabilityFaults, AlwaysSlowGitHubFailsTheJobWithTheReasonAfterBoundedTries) {
  start();
  proxy_->set_fault({.status = 504, .headers = {}, .delay = 700ms, .times = -1, .all_requests = false});
  ASSERT_EQ(post_push("slow-2", c1_), 202);
  const JobRecord r = finished("slow-2");
  EXPECT_EQ(r.state, JobState::kFailed) << log();
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.job.attempts, 2);                 // the service's bound
  EXPECT_EQ(proxy_->upload_requests(), 2 * 2);  // times the client's bound
  EXPECT_TRUE(github_->uploads().empty());
  EXPECT_NE(log().find("\"outcome\":\"retry\""), std::string::npos) << log();
}

TEST_F(ReliabilityFaults, ConnectionRefusedFailsWithTheReasonRecorded) {
  start("http://127.0.0.1:" + std::to_string(testing::free_port()));
  ASSERT_EQ(post_push("refused-1", c1_), 202);
  const JobRecord r = finished("refused-1");
  EXPECT_EQ(r.state, JobState::kFailed) << log();
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.job.attempts, 2);
}

TEST_F(ReliabilityFaults, ProcessingFailedAfter202FailsTheJobWithGitHubsErrors) {
  start();
  github_->set_processing_status("failed", 1, {"locationFromSarifResult: expected artifact location"});
  ASSERT_EQ(post_push("proc-1", c1_), 202);
  const JobRecord r = finished("proc-1");
  EXPECT_EQ(r.state, JobState::kFailed) << "GitHub rejected the analysis, yet the job says "
                                        << to_string(r.state) << "\n" << log();
  EXPECT_NE(r.error.find("expected artifact location"), std::string::npos) << r.error;
  EXPECT_EQ(r.job.attempts, 1);  // not retryable: GitHub's processing verdict is final
  // A person redelivers it once the cause is fixed: queued again, then uploaded.
  github_->set_processing_status("complete");
  ASSERT_EQ(post_push("proc-1", c1_), 202);
  EXPECT_TRUE(eventually([&] {
    auto rec = store_->find("proc-1");
    return rec && rec->state == JobState::kUploaded;
  }, 20s)) << log();
}

TEST_F(ReliabilityFaults, ACommitGoneFromTheBranchIsSupersededAndTheNextJobRuns) {
  start();
  ASSERT_EQ(post_push("gone-1", "0123456789abcdef0123456789abcdef01234567"), 202);
  const JobRecord gone = finished("gone-1");
  EXPECT_EQ(gone.state, JobState::kSuperseded) << gone.error << "\n" << log();
  EXPECT_EQ(gone.job.attempts, 1);
  EXPECT_NE(gone.error.find(c1_), std::string::npos) << gone.error;
  ASSERT_EQ(post_push("next-1", c1_), 202);
  EXPECT_EQ(finished("next-1").state, JobState::kUploaded) << log();
  EXPECT_EQ(github_->uploads().size(), 1u);
}

// The data dir on a small tmpfs: filled up, then read-only.
class ReliabilityDisk : public ReliabilityFaults {
 protected:
  void SetUp() override {
    ReliabilityFaults::SetUp();
    fs::create_directories(root_ / "data");
    if (::mount("tmpfs", (root_ / "data").c_str(), "tmpfs", 0, "size=256k") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << ")";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (service_) service_->stop();
    service_.reset();
    if (mounted_) ::umount2((root_ / "data").c_str(), MNT_DETACH);
    ReliabilityFaults::TearDown();
  }
  std::vector<std::string> leftovers() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_ / "data" / "jobs")) {
      names.push_back(e.path().filename().string());
    }
    return names;
  }
  bool mounted_ = false;
};

TEST_F(ReliabilityDisk, FullDataDirIs503ThenRecovers) {
  start();
  ASSERT_EQ(post_push("disk-0", c1_), 202);
  ASSERT_EQ(finished("disk-0").state, JobState::kUploaded) << log();
  const auto before = leftovers();
  {
    std::ofstream fill(root_ / "data" / "filler", std::ios::binary);
    std::string block(4096, 'x');
    while (fill.write(block.data(), block.size())) {}
  }
  auto res = poster_->post("push", "disk-1",
                           testing::push_payload("octo/hello", daemon_->url("octo/hello"),
                                                 "refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_EQ(res->get_header_value("Retry-After"), "11");
  EXPECT_EQ(poster_->get("/readyz")->status, 503);
  EXPECT_EQ(leftovers(), before);  // no record, no temporary file
  EXPECT_FALSE(store_->find("disk-1"));

  fs::remove(root_ / "data" / "filler");
  EXPECT_EQ(poster_->get("/readyz")->status, 200);
  ASSERT_EQ(post_push("disk-1", c1_), 202);
  EXPECT_EQ(finished("disk-1").state, JobState::kUploaded) << log();
}

TEST_F(ReliabilityDisk, ReadOnlyDataDirIs503ThenRecovers) {
  start();
  const auto data = (root_ / "data").string();
  ASSERT_EQ(::mount("tmpfs", data.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=256k"), 0)
      << std::strerror(errno);
  auto res = poster_->post("push", "ro-1",
                           testing::push_payload("octo/hello", daemon_->url("octo/hello"),
                                                 "refs/heads/main", kZero, c1_));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_FALSE(res->get_header_value("Retry-After").empty());
  EXPECT_EQ(poster_->get("/readyz")->status, 503);
  EXPECT_TRUE(leftovers().empty());
  ASSERT_EQ(::mount("tmpfs", data.c_str(), "tmpfs", MS_REMOUNT, "size=256k"), 0) << std::strerror(errno);
  EXPECT_EQ(poster_->get("/readyz")->status, 200);
  ASSERT_EQ(post_push("ro-1", c1_), 202);
  EXPECT_EQ(finished("ro-1").state, JobState::kUploaded) << log();
}

}  // namespace
}  // namespace bindscan::webhook

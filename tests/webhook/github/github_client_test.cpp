#include "webhook/github/github_client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"

namespace bindscan::webhook {
namespace {

using bindscan::testing::FakeGitHub;

constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";
constexpr const char* kSarif =
    R"({"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bindscan","rules":[]}},"results":[]}]})";

// Fast policies; waits are recorded instead of slept.
struct Recorder {
  std::mutex mutex;
  std::vector<Millis> waits;
};

ClientOptions fast_options(const std::string& api, Recorder& recorder) {
  ClientOptions options;
  options.api_base = api;
  options.connect_timeout = Millis(2000);
  options.io_timeout = Millis(5000);
  options.retry.max_attempts = 3;
  options.retry.initial_delay = Millis(1);
  options.poll = PollPolicy{Millis(1), 2.0, Millis(4), Millis(1000)};
  options.sleep = [&recorder](Millis d) {
    std::lock_guard lock(recorder.mutex);
    recorder.waits.push_back(d);
  };
  return options;
}

SarifUpload upload() { return SarifUpload{kSha, "refs/heads/main", kSarif, "bindscan", "2024-01-02T03:04:05Z"}; }

TEST(GitHubClient, UploadsGzippedBase64SarifWithTheRequiredHeaders) {
  FakeGitHub github("tok");
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  ASSERT_TRUE(client.ok()) << client.error().message;
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_EQ(receipt->id, "sarif-1");
  auto uploads = github.uploads();
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].owner, "octo");
  EXPECT_EQ(uploads[0].repo, "hello");
  EXPECT_EQ(uploads[0].commit_sha, kSha);
  EXPECT_EQ(uploads[0].ref, "refs/heads/main");
  EXPECT_EQ(uploads[0].tool_name, "bindscan");
  EXPECT_EQ(uploads[0].started_at, "2024-01-02T03:04:05Z");
  EXPECT_EQ(uploads[0].user_agent, std::string("bindscan/") + BINDSCAN_VERSION);
  EXPECT_EQ(uploads[0].sarif, nlohmann::json::parse(kSarif));
}

TEST(GitHubClient, GzipBase64RoundTrips) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>(i % 251);
  for (std::string sample : {std::string(), std::string("a"), std::string("ab"), std::string("abc"), data}) {
    const std::string encoded = gzip_base64(sample);
    EXPECT_EQ(encoded.find('\n'), std::string::npos);
    auto zipped = testing::decode_base64(encoded);
    ASSERT_TRUE(zipped);
    EXPECT_EQ(testing::gunzip(*zipped), sample);
  }
}

TEST(GitHubClient, RetriesServerErrorsWithBackoff) {
  FakeGitHub github("tok");
  github.script_upload_replies({{500, "", {}}, {503, "", {}}});
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  EXPECT_EQ(github.upload_attempts(), 3);
  EXPECT_EQ(recorder.waits.size(), 2u);
  EXPECT_EQ(github.uploads().size(), 1u);
}

TEST(GitHubClient, HonoursRetryAfterOn429) {
  FakeGitHub github("tok");
  github.script_upload_replies({{429, R"({"message":"API rate limit exceeded"})", {{"Retry-After", "2"}}}});
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  ASSERT_EQ(recorder.waits.size(), 1u);
  EXPECT_EQ(recorder.waits[0], Millis(2000));
}

TEST(GitHubClient, GivesUpAfterTheLastAttemptAsTransient) {
  FakeGitHub github("tok");
  github.script_upload_replies({{500, "", {}}, {500, "", {}}, {500, "", {}}, {500, "", {}}});
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  ASSERT_FALSE(receipt.ok());
  EXPECT_TRUE(is_transient(receipt.error()));
  EXPECT_NE(receipt.error().message.find("HTTP 500"), std::string::npos);
  EXPECT_EQ(github.upload_attempts(), 3);
}

TEST(GitHubClient, PermanentFailureKeepsGitHubsMessageAndNeverTheToken) {
  FakeGitHub github("tok-SECRET");
  github.script_upload_replies(
      {{422, R"({"message":"Invalid request. tok-SECRET is not a valid ref"})", {}}});
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok-SECRET");
  ASSERT_FALSE(receipt.ok());
  EXPECT_EQ(receipt.error().code, "github");
  EXPECT_NE(receipt.error().message.find("HTTP 422"), std::string::npos);
  EXPECT_NE(receipt.error().message.find("is not a valid ref"), std::string::npos);
  EXPECT_EQ(receipt.error().message.find("tok-SECRET"), std::string::npos);
  EXPECT_EQ(github.upload_attempts(), 1);
}

TEST(GitHubClient, BadCredentialsAreA401) {
  FakeGitHub github("right");
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "wrong");
  ASSERT_FALSE(receipt.ok());
  EXPECT_EQ(receipt.error().code, "github");
  EXPECT_NE(receipt.error().message.find("Bad credentials"), std::string::npos);
}

TEST(GitHubClient, NetworkErrorsAreTransient) {
  const int port = testing::free_port();  // nobody listens there
  Recorder recorder;
  auto client = GitHubClient::create(fast_options("http://127.0.0.1:" + std::to_string(port), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  ASSERT_FALSE(receipt.ok());
  EXPECT_TRUE(is_transient(receipt.error())) << receipt.error().message;
  EXPECT_NE(receipt.error().message.find("could not connect"), std::string::npos)
      << receipt.error().message;
}

TEST(GitHubClient, StopsRetryingAtTheDeadline) {
  FakeGitHub github("tok");
  github.script_upload_replies({{503, "", {{"Retry-After", "30"}}}});
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok",
                                      std::chrono::steady_clock::now() + std::chrono::seconds(5));
  ASSERT_FALSE(receipt.ok());
  EXPECT_TRUE(is_transient(receipt.error()));
  EXPECT_NE(receipt.error().message.find("time budget"), std::string::npos);
}

TEST(GitHubClient, PollsUntilProcessingCompletes) {
  FakeGitHub github("tok");
  github.set_processing_status("complete", 2);
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  ASSERT_TRUE(receipt.ok());
  auto status = client->wait_for_processing("octo", "hello", receipt->id, "tok");
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->status, "complete");
  EXPECT_EQ(github.status_polls(), 3);
  ASSERT_EQ(recorder.waits.size(), 3u);
  EXPECT_LT(recorder.waits[0], recorder.waits[1]);
}

TEST(GitHubClient, ReportsFailedProcessingWithGitHubsErrors) {
  FakeGitHub github("tok");
  github.set_processing_status("failed", 0, {"locationFromSarifResult: expected artifact location"});
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  auto status = client->wait_for_processing("octo", "hello", receipt->id, "tok");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, "failed");
  ASSERT_EQ(status->errors.size(), 1u);
  EXPECT_NE(status->errors[0].find("expected artifact location"), std::string::npos);
}

TEST(GitHubClient, PollingGivesUpAsPendingWhenTheBudgetIsSpent) {
  FakeGitHub github("tok");
  github.set_processing_status("complete", 1000);
  Recorder recorder;
  ClientOptions options = fast_options(github.url(), recorder);
  options.poll = PollPolicy{Millis(10), 2.0, Millis(40), Millis(100)};
  auto client = GitHubClient::create(options);
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok");
  auto status = client->wait_for_processing("octo", "hello", receipt->id, "tok");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, "pending");
  Millis total{0};
  for (Millis w : recorder.waits) total += w;
  EXPECT_LE(total, Millis(100));
}

TEST(GitHubClient, AStopCutsARetryAfterWaitShort) {
  FakeGitHub github("tok");
  github.script_upload_replies({{503, "", {{"Retry-After", "60"}}}});
  Recorder recorder;
  ClientOptions options = fast_options(github.url(), recorder);
  options.sleep = nullptr;  // really wait, so that only the stop can end it
  auto client = GitHubClient::create(options);
  StopSignal stop;
  std::thread stopper([&] {
    while (github.upload_attempts() == 0) std::this_thread::sleep_for(Millis(5));
    std::this_thread::sleep_for(Millis(100));
    stop.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  auto receipt = client->upload_sarif("octo", "hello", upload(), "tok", std::nullopt, &stop);
  const auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  ASSERT_FALSE(receipt.ok());
  EXPECT_TRUE(is_stopped(receipt.error())) << receipt.error().message;
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(github.upload_attempts(), 1);
  EXPECT_TRUE(github.uploads().empty());

  // Already stopped: polling does not wait at all.
  auto status = client->wait_for_processing("octo", "hello", "sarif-1", "tok", std::nullopt, &stop);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(is_stopped(status.error()));
  EXPECT_EQ(github.status_polls(), 0);
}

TEST(GitHubClient, AnUnknownSarifIdIsAStatusNotAnError) {
  FakeGitHub github("tok");
  Recorder recorder;
  auto client = GitHubClient::create(fast_options(github.url(), recorder));
  auto status = client->processing_status("octo", "hello", "sarif-404", "tok");
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->status, "unknown");
}

TEST(GitHubClient, RejectsUnusableApiUrls) {
  for (const char* url : {"ftp://x", "api.github.com", "https://", "file:///etc/passwd"}) {
    ClientOptions options;
    options.api_base = url;
    auto client = GitHubClient::create(options);
    ASSERT_FALSE(client.ok()) << url;
    EXPECT_EQ(client.error().code, "config");
  }
  ClientOptions ghes;
  ghes.api_base = "https://ghe.example.com/api/v3/";
  EXPECT_TRUE(GitHubClient::create(ghes).ok());
}

}  // namespace
}  // namespace bindscan::webhook

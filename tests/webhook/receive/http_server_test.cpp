// Hostile and ordinary clients against the service's HTTP server
// (webhook/receive/http_server.h), over raw loopback sockets.
#include "webhook/receive/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "webhook/jobs/runner.h"
#include "webhook/service.h"
#include "webhook/receive/signature.h"

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSecret = "http-limits-secret-77c1";

std::string payload(const std::string& name) {
  std::ifstream in(std::string(BINDSCAN_SOURCE_DIR) + "/tests/webhook/payloads/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string signed_post(std::string_view event, std::string_view delivery, const std::string& body) {
  return "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "X-GitHub-Event: " + std::string(event) + "\r\nX-GitHub-Delivery: " + std::string(delivery) +
         "\r\nX-Hub-Signature-256: " + sign_sha256(kSecret, body) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

constexpr std::string_view kGetHealthz = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// A loopback client socket; closed on destruction.
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  // False once the server has closed or reset the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads into received() for up to `time`; true when the server closed the
  // connection (end of stream or reset) by then.
  bool closed_within(std::chrono::milliseconds time) {
    auto until = Clock::now() + time;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      pollfd pfd{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return true;
      received_.append(chunk, static_cast<size_t>(n));
    }
  }

  // Reads until `count` whole responses (headers and Content-Length body) have
  // arrived or `time` has passed; returns their status codes.
  std::vector<int> responses(size_t count, std::chrono::milliseconds time = 5s) {
    std::vector<int> statuses;
    auto until = Clock::now() + time;
    size_t at = 0;
    while (statuses.size() < count) {
      size_t head_end = received_.find("\r\n\r\n", at);
      if (head_end != std::string::npos) {
        std::string head = received_.substr(at, head_end - at);
        size_t length = 0;
        if (size_t cl = head.find("Content-Length: "); cl != std::string::npos) {
          length = std::stoul(head.substr(cl + 16));
        }
        if (received_.size() >= head_end + 4 + length) {
          statuses.push_back(std::stoi(head.substr(9, 3)));
          at = head_end + 4 + length;
          continue;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      pollfd pfd{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      received_.append(chunk, static_cast<size_t>(n));
    }
    return statuses;
  }

  const std::string& received() const { return received_; }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "bindscan-http-XXXXXX").string();
  char* dir = mkdtemp(pattern.data());
  EXPECT_NE(dir, nullptr);
  return dir;
}

class HttpLimits : public ::testing::Test {
 protected:
  // Tight limits so each test runs in seconds. No workers: an admitted job
  // stays queued, so the store's counts tell what the HTTP side let through.
  void start(int http_threads = 4) {
    auto store = JobStore::open(dir_ / "jobs", {.max_queue = 100, .max_finished = 100});
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store.value());
    ServiceOptions options;
    options.port = 0;
    options.webhook_secret = Secret(std::string(kSecret));
    options.clone_hosts = {*parse_clone_host("github.com")};
    options.max_body_bytes = 8 * 1024 * 1024;
    options.read_timeout = 5s;
    options.request_timeout = 1s;
    options.max_header_bytes = 64 * 1024;
    options.http_threads = http_threads;
    options.idle_timeout = 1s;
    options.workers = 0;
    service_ = std::make_unique<Service>(options, *store_, *runner_, [this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_ += line + "\n";
    });
    ASSERT_TRUE(service_->start());
  }
  void TearDown() override {
    if (service_) service_->stop();
    fs::remove_all(dir_);
  }

  httplib::Result get_healthz() {
    httplib::Client client("127.0.0.1", service_->port());
    client.set_connection_timeout(5s);
    client.set_read_timeout(5s);
    return client.Get("/healthz");
  }
  // The server answered 400, closed, and logged the limit as `outcome`.
  void expect_cut_with_400(const RawClient& client, std::string_view outcome) {
    EXPECT_EQ(client.received().substr(0, 25), "HTTP/1.1 400 Bad Request\r");
    std::lock_guard lock(log_mutex_);
    EXPECT_NE(log_.find(R"("outcome":")" + std::string(outcome) + "\""), std::string::npos) << log_;
  }

  fs::path dir_ = make_temp_dir();
  std::unique_ptr<JobRunner> runner_ = make_github_runner({});  // never called: no workers
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<Service> service_;
  std::mutex log_mutex_;
  std::string log_;
};

// Sends `prefix`, then `drip` `step` bytes at a time, `pause` apart, until
// the server closes the connection; `meanwhile` runs after the second step.
// Returns the time from the first byte to the close, or nullopt if the
// connection is still open 3 s after the last byte.
std::optional<Clock::duration> drip_until_closed(RawClient& client, std::string_view prefix,
                                                 std::string_view drip, size_t step,
                                                 std::chrono::milliseconds pause,
                                                 const std::function<void()>& meanwhile = {}) {
  auto begin = Clock::now();
  bool closed = !client.send(prefix);
  for (size_t at = 0; at < drip.size() && !closed; at += step) {
    if (!client.send(drip.substr(at, step))) break;
    if (at == step && meanwhile) meanwhile();
    closed = client.closed_within(pause);
  }
  if (!closed && !client.closed_within(3s)) return std::nullopt;
  return Clock::now() - begin;
}

// Sends `request` from another thread while reading; true when the server
// closed the connection within 5 s.
bool flood_until_closed(RawClient& client, const std::string& request) {
  std::thread sender([&] { client.send(request); });  // fails once the server closes
  bool closed = client.closed_within(5s);
  sender.join();
  return closed;
}

TEST_F(HttpLimits, SlowHeadersAreCutAtTheRequestDeadlineWhileOthersAreServed) {
  start();
  RawClient slow(service_->port());
  auto elapsed = drip_until_closed(slow, "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                                   std::string(20, 'a'), 1, 300ms, [&] {
    auto health = get_healthz();  // meanwhile, on other connections
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    RawClient normal(service_->port());
    ASSERT_TRUE(normal.send(signed_post("push", "d-normal", payload("push.json"))));
    EXPECT_EQ(normal.responses(1), std::vector<int>{202});
  });
  ASSERT_TRUE(elapsed);
  EXPECT_GE(*elapsed, 900ms);
  EXPECT_LT(*elapsed, 3s);
  expect_cut_with_400(slow, "request-timeout");
  EXPECT_EQ(store_->counts().queued, 1u);  // the normal delivery only
}

TEST_F(HttpLimits, SlowBodyIsCutAtTheRequestDeadlineAndQueuesNothing) {
  start();
  std::string body = R"({"zen":")" + std::string(1000 - 10, 'z') + "\"}";
  ASSERT_EQ(body.size(), 1000u);
  std::string request = signed_post("ping", "d-slow-body", body);
  RawClient slow(service_->port());
  auto elapsed = drip_until_closed(slow, request.substr(0, request.size() - body.size()), body,
                                   10, 200ms);
  ASSERT_TRUE(elapsed);
  EXPECT_GE(*elapsed, 900ms);
  EXPECT_LT(*elapsed, 3s);
  expect_cut_with_400(slow, "request-timeout");
  EXPECT_EQ(store_->counts().queued, 0u);
}

TEST_F(HttpLimits, TenThousandHeadersAre400AndClosed) {
  start();
  std::string request = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 10'000; ++i) {
    std::string name = "X-Pad-" + std::to_string(i) + ": ";
    request += name + std::string(100 - name.size() - 2, 'p') + "\r\n";
  }
  request += "\r\n";
  ASSERT_GT(request.size(), 1'000'000u);
  RawClient client(service_->port());
  EXPECT_TRUE(flood_until_closed(client, request));
  expect_cut_with_400(client, "headers-too-large");
  EXPECT_EQ(store_->counts().queued, 0u);
  auto health = get_healthz();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(HttpLimits, KeepAliveAndPipelinedRequestsAreAllAnswered) {
  start();
  RawClient client(service_->port());
  ASSERT_TRUE(client.send(kGetHealthz));
  ASSERT_EQ(client.responses(1), std::vector<int>{200});
  ASSERT_TRUE(client.send(kGetHealthz));
  ASSERT_EQ(client.responses(2), (std::vector<int>{200, 200}));

  // One write holding a POST with a body and two GETs: no byte read ahead
  // for one request may be lost to the next.
  RawClient pipelined(service_->port());
  std::string three = signed_post("push", "d-pipelined", payload("push.json")) +
                      std::string(kGetHealthz) + "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_TRUE(pipelined.send(three));
  EXPECT_EQ(pipelined.responses(3), (std::vector<int>{202, 200, 200}));
  EXPECT_EQ(store_->counts().queued, 1u);
}

TEST_F(HttpLimits, FiveMegabyteBodyAtLoopbackSpeedIsAccepted) {
  start();
  // JSON allows any amount of trailing whitespace.
  std::string body = payload("push.json") + std::string(5 * 1000 * 1000, ' ');
  RawClient client(service_->port());
  ASSERT_TRUE(client.send(signed_post("push", "d-large", body)));
  EXPECT_EQ(client.responses(1), std::vector<int>{202});
  EXPECT_EQ(store_->counts().queued, 1u);
}

TEST_F(HttpLimits, ChunkedBodyPastHeadersPlusMaxBodyIsCut) {
  start();
  // cpp-httplib 0.11 does not hold chunked bodies to payload_max_length;
  // the byte cap of the stream under it does.
  std::string chunk = "10000\r\n" + std::string(0x10000, 'c') + "\r\n";
  std::string request =
      "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 140; ++i) request += chunk;  // 140 x 64 KiB > 8 MiB + 64 KiB
  request += "0\r\n\r\n";
  RawClient client(service_->port());
  EXPECT_TRUE(flood_until_closed(client, request));
  expect_cut_with_400(client, "request-too-large");
  EXPECT_EQ(store_->counts().queued, 0u);
}

TEST_F(HttpLimits, IdleConnectionsBeyondTheThreadCountAreClosedThenHealthzIsAnswered) {
  start(/*http_threads=*/2);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 6; ++i) {
    idle.push_back(std::make_unique<RawClient>(service_->port()));
    ASSERT_TRUE(idle.back()->connected());
  }
  auto begin = Clock::now();
  // Two threads, 1 s idle timeout: the six are closed in three rounds, and
  // the health check waits its turn behind them.
  auto health = get_healthz();
  auto answered = Clock::now() - begin;
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_GE(answered, 2500ms);
  EXPECT_LT(answered, 5s);
  for (auto& client : idle) {
    EXPECT_TRUE(client->closed_within(1s));
    EXPECT_EQ(client->received(), "");
  }
}

}  // namespace
}  // namespace bindscan::webhook

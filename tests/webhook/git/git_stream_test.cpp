// Socket timeouts of libgit2 connections (webhook/git/git_stream.h), end to end
// through GitMirror::fetch: a remote that accepts and never answers, over
// git:// and https://, a connect that is never answered, a closed port. Each
// test is bounded: the listeners stop by themselves after kLifetime.
#include "webhook/git/git_stream.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/webhook/git/git_server.h"
#include "webhook/git/git_source.h"

namespace bindscan::webhook {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kLifetime = 20s;
const std::string kCommit(40, 'a');

int loopback_listener(int backlog) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      ::listen(fd, backlog) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  return fd;
}

int port_of(int fd) {
  sockaddr_in addr{};
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &length);
  return ntohs(addr.sin_port);
}

// Accepts every connection on 127.0.0.1 and never sends a byte. Stops (and
// closes everything) when destroyed or after kLifetime, whichever is first.
class SilentRemote {
public:
  SilentRemote() : listener_(loopback_listener(16)), port_(port_of(listener_)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~SilentRemote() {
    stop_ = true;
    thread_.join();
  }
  int port() const { return port_; }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_; }

private:
  void serve() {
    std::vector<int> peers;
    const auto until = Clock::now() + kLifetime;
    while (!stop_ && Clock::now() < until) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) == 1) {
        const int peer = ::accept(listener_, nullptr, nullptr);
        if (peer >= 0) {
          peers.push_back(peer);
          ++accepted_;
        }
      }
    }
    for (int peer : peers)
      ::close(peer);
    ::close(listener_);
  }

  int listener_;
  int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

class GitStreamTest : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("bindscan-stream-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  // The timeouts are process-wide: leave the defaults for the next test.
  void TearDown() override {
    ASSERT_TRUE(use_git_timeouts(GitTimeouts{}).ok());
    fs::remove_all(root_);
  }

  GitSourceOptions options(const std::string &allowed,
                           GitTimeouts timeouts) const {
    GitSourceOptions o;
    o.mirrors_dir = root_ / "git";
    o.allowed_hosts = {*parse_clone_host(allowed)};
    o.socket_timeouts = timeouts;
    return o;
  }

  fs::path root_;
};

TEST(GitStreamDuration, SpellsDurationsForMessages) {
  EXPECT_EQ(describe_duration(60s), "60 s");
  EXPECT_EQ(describe_duration(1500ms), "1.5 s");
  EXPECT_EQ(describe_duration(1050ms), "1.05 s");
  EXPECT_EQ(describe_duration(250ms), "250 ms");
}

TEST_F(GitStreamTest, OpeningAMirrorSetsTheProcessWideTimeouts) {
  EXPECT_EQ(current_git_timeouts().connect, 15s);
  EXPECT_EQ(current_git_timeouts().idle, 60s);
  ASSERT_TRUE(GitMirror::open(options("git://127.0.0.1:9418", {2s, 3s}), "octo",
                              "hello")
                  .ok());
  EXPECT_EQ(current_git_timeouts().connect, 2s);
  EXPECT_EQ(current_git_timeouts().idle, 3s);
  ASSERT_TRUE(use_git_timeouts({-1s, -1s}).ok());
  EXPECT_EQ(current_git_timeouts().idle, 0s);
}

// Fetches from a remote that accepts and never answers, with a 1 s idle
// timeout.
void expect_silent_remote_fails(const std::string &scheme,
                                const GitSourceOptions &base) {
  SilentRemote remote;
  GitSourceOptions o = base;
  o.allowed_hosts = {*parse_clone_host(scheme + "://" + remote.host_port())};
  o.socket_timeouts = {2s, 1s};
  auto mirror = GitMirror::open(o, "octo", "hello");
  ASSERT_TRUE(mirror.ok()) << mirror.error().message;
  const auto start = Clock::now();
  auto fetched =
      mirror->fetch(scheme + "://" + remote.host_port() + "/octo/hello.git",
                    "refs/heads/main", kCommit, "");
  const auto took = Clock::now() - start;
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git"); // retryable, like any network error
  EXPECT_NE(fetched.error().message.find("git remote " + remote.host_port() +
                                         " silent for 1 s"),
            std::string::npos)
      << fetched.error().message;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 10s);
  EXPECT_GE(remote.accepted(), 1);
}

TEST_F(GitStreamTest,
       ARemoteThatAcceptsAndStaysSilentFailsAfterTheIdleTimeout) {
  expect_silent_remote_fails("git", options("git://127.0.0.1:9418", {}));
}

// https goes through the same stream: the TLS handshake waits for the
// server's hello, the read times out, and the message survives the TLS layer.
TEST_F(GitStreamTest, TheSameTimeoutCoversHttps) {
  expect_silent_remote_fails("https", options("https://127.0.0.1:443", {}));
}

TEST_F(GitStreamTest, AClosedPortFailsAtOnceWithTheReason) {
  const int port = testing::free_port();
  const std::string host_port = "127.0.0.1:" + std::to_string(port);
  auto mirror =
      GitMirror::open(options("git://" + host_port, {2s, 1s}), "octo", "hello");
  const auto start = Clock::now();
  auto fetched = mirror->fetch("git://" + host_port + "/octo/hello.git",
                               "refs/heads/main", kCommit, "");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git");
  EXPECT_NE(fetched.error().message.find("cannot connect to git remote " +
                                         host_port +
                                         " (127.0.0.1: Connection refused)"),
            std::string::npos)
      << fetched.error().message;
  EXPECT_LT(Clock::now() - start, 2s);
}

// A listener whose accept queue is full drops new SYNs, so the connect is
// never answered: what a firewall that drops packets looks like.
TEST_F(GitStreamTest, AConnectThatIsNeverAnsweredFailsAfterTheConnectTimeout) {
  const int listener = loopback_listener(0);
  const int port = port_of(listener);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    const int fd =
        ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    (void)::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(100ms); // let the handshakes that fit complete

  const std::string host_port = "127.0.0.1:" + std::to_string(port);
  auto mirror = GitMirror::open(options("git://" + host_port, {500ms, 1s}),
                                "octo", "hello");
  const auto start = Clock::now();
  auto fetched = mirror->fetch("git://" + host_port + "/octo/hello.git",
                               "refs/heads/main", kCommit, "");
  const auto took = Clock::now() - start;
  for (int fd : fillers)
    ::close(fd);
  ::close(listener);
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code, "git");
  EXPECT_NE(
      fetched.error().message.find("cannot connect to git remote " + host_port +
                                   " (127.0.0.1: no answer within 500 ms)"),
      std::string::npos)
      << fetched.error().message;
  EXPECT_LT(took, 5s);
}

// The custom stream carries real fetches too (git_source_test has the rest).
TEST_F(GitStreamTest, AFetchFromAHealthyRemoteWorksWithShortTimeouts) {
  testing::TestRepo repo(root_ / "served" / "octo" / "hello");
  repo.write("app.py", "print('hi')\n");
  const std::string c1 = repo.commit("first");
  testing::GitDaemon daemon(root_ / "served");
  auto mirror = GitMirror::open(
      options("git://" + daemon.host_port(), {2s, 2s}), "octo", "hello");
  auto fetched =
      mirror->fetch(daemon.url("octo/hello"), "refs/heads/main", c1, "");
  ASSERT_TRUE(fetched.ok()) << fetched.error().message;
  EXPECT_TRUE(mirror->has_commit(c1));
}

} // namespace
} // namespace bindscan::webhook

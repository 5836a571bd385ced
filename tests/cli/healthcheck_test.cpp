// `bindscan healthcheck` against a real cpp-httplib server on an ephemeral
// loopback port: 200 is healthy, anything else (status, refusal, timeout,
// bad option) is unhealthy with exit status 1, never 2.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "cli/commands.h"

namespace bindscan::cli {
namespace {

struct Invocation {
  int status;
  std::string out;
  std::string err;
};

Invocation healthcheck(std::vector<std::string> args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  int status = run_healthcheck(views, out, err);
  return {status, out.str(), err.str()};
}

class HealthcheckCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    server_.Get("/readyz", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("queue full\n", "text/plain");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2500));
      res.set_content("late\n", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(HealthcheckCommand, OkIsHealthy) {
  Invocation run = healthcheck({"--url", url("/healthz")});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.err, "");
}

TEST_F(HealthcheckCommand, InlineValuesWork) {
  EXPECT_EQ(healthcheck({"--url=" + url("/healthz"), "--timeout=2"}).status, 0);
}

TEST_F(HealthcheckCommand, OtherStatusIsUnhealthyAndNamed) {
  Invocation run = healthcheck({"--url", url("/readyz")});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("503"), std::string::npos) << run.err;
  EXPECT_EQ(healthcheck({"--url", url("/missing")}).status, 1);
}

TEST_F(HealthcheckCommand, RefusedConnectionIsUnhealthy) {
  std::string closed = url("/healthz");
  TearDown();
  Invocation run = healthcheck({"--url", closed, "--timeout", "1"});
  EXPECT_EQ(run.status, 1);
  EXPECT_FALSE(run.err.empty());
}

TEST_F(HealthcheckCommand, TimeoutIsShortAndUnhealthy) {
  auto start = std::chrono::steady_clock::now();
  Invocation run = healthcheck({"--url", url("/slow"), "--timeout", "1"});
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.status, 1);
  EXPECT_LT(elapsed, std::chrono::milliseconds(2400));
}

TEST_F(HealthcheckCommand, DefaultUrlFollowsBindscanListen) {
  std::string listen = "0.0.0.0:" + std::to_string(port_);
  ::setenv("BINDSCAN_LISTEN", listen.c_str(), 1);
  Invocation run = healthcheck({});
  ::unsetenv("BINDSCAN_LISTEN");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("http://127.0.0.1:" + std::to_string(port_) + "/healthz"), std::string::npos) << run.out;
}

TEST(HealthcheckUsage, BadOptionsExitOneNotTwo) {
  Invocation typo = healthcheck({"--ulr", "http://127.0.0.1:1/healthz"});
  EXPECT_EQ(typo.status, 1);
  EXPECT_NE(typo.err.find("did you mean '--url'"), std::string::npos) << typo.err;
  EXPECT_EQ(healthcheck({"--url", "ftp://127.0.0.1/healthz"}).status, 1);
  EXPECT_EQ(healthcheck({"--timeout", "0"}).status, 1);
  EXPECT_EQ(healthcheck({"--url"}).status, 1);
  Invocation help = healthcheck({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("usage: bindscan healthcheck"), std::string::npos);
}

}  // namespace
}  // namespace bindscan::cli

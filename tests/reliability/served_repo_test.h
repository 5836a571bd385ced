// A fixture for in-process service tests against real git: one repository
// ("octo/hello", one commit of app.py) served by a git daemon, the fake
// GitHub behind a fault proxy, and the service with its real runner and job
// store, started by the test with the client and retry policies it needs.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "tests/reliability/serve_harness.h"
#include "tests/webhook/github/fake_github.h"
#include "tests/webhook/git/git_server.h"
#include "webhook/jobs/job_store.h"
#include "webhook/jobs/runner.h"
#include "webhook/service.h"

namespace bindscan::webhook {

class ServedRepoTest : public ::testing::Test {
 protected:
  // `name` prefixes the temporary directory; `app` is app.py of the first commit.
  ServedRepoTest(std::string name, std::string app, std::string secret, std::string token)
      : name_(std::move(name)), app_(std::move(app)), secret_(std::move(secret)), token_(std::move(token)) {}

  void SetUp() override {
    root_ = testing::make_temp_root(name_);
    repo_ = std::make_unique<testing::TestRepo>(root_ / "served" / "octo" / "hello");
    repo_->write("app.py", app_);
    c1_ = repo_->commit("first");
    daemon_ = std::make_unique<testing::GitDaemon>(root_ / "served");
    github_ = std::make_unique<testing::FakeGitHub>(token_);
    proxy_ = std::make_unique<testing::FaultProxy>(github_->port());
  }
  void TearDown() override {
    if (service_) service_->stop();
    service_.reset();
    proxy_.reset();
    github_.reset();
    daemon_.reset();
    if (!HasFailure()) std::filesystem::remove_all(root_);  // kept for a look when the test failed
  }

  // The runner's settings every test shares; GitHub through the proxy.
  RunnerConfig runner_config() const {
    RunnerConfig c;
    c.data_dir = root_ / "data";
    c.github_api = proxy_->url();
    c.allowed_clone_hosts = {*parse_clone_host("git://" + daemon_->host_port())};
    c.credentials.token = token_;
    c.job_timeout = std::chrono::seconds(30);
    return c;
  }

  // Starts the service on an ephemeral loopback port.
  void start(const RunnerConfig& config, ServiceOptions options, JobStoreOptions store_options = {}) {
    runner_ = make_github_runner(config);
    auto store = JobStore::open(root_ / "data" / "jobs", store_options);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    options.port = 0;
    options.webhook_secret = Secret(secret_);
    options.clone_hosts = config.allowed_clone_hosts;
    service_ = std::make_unique<Service>(options, *store_, *runner_, [this](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_ += line + "\n";
    });
    ASSERT_TRUE(service_->start());
    poster_ = std::make_unique<testing::WebhookPoster>(service_->port(), secret_);
  }

  // The HTTP status the service answers a signed push of `commit` to `ref`.
  int post_push(const std::string& delivery, const std::string& commit, const std::string& ref = "refs/heads/main") {
    auto res = poster_->post("push", delivery,
                             testing::push_payload("octo/hello", daemon_->url("octo/hello"), ref,
                                                   std::string(40, '0'), commit));
    return res ? res->status : 0;
  }

  // Waits until the job is uploaded or failed; returns its record.
  JobRecord finished(const std::string& id) {
    testing::eventually([&] {
      auto r = store_->find(id);
      return r && is_finished(r->state);
    }, std::chrono::seconds(20));
    auto r = store_->find(id);
    return r ? *r : JobRecord{};
  }

  std::string log() {
    std::lock_guard lock(log_mutex_);
    return log_;
  }

  std::filesystem::path root_;
  std::unique_ptr<testing::TestRepo> repo_;
  std::unique_ptr<testing::GitDaemon> daemon_;
  std::unique_ptr<testing::FakeGitHub> github_;
  std::unique_ptr<testing::FaultProxy> proxy_;
  std::unique_ptr<JobRunner> runner_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<testing::WebhookPoster> poster_;
  std::mutex log_mutex_;
  std::string log_;
  std::string c1_;

 private:
  std::string name_, app_, secret_, token_;
};

}  // namespace bindscan::webhook

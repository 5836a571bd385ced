// Test harness for `bindscan serve` as a real child process, and a fault
// injector to put between it and the fake GitHub API (tests/webhook/github/fake_github.h).
//
//   ServeProcess serve(serve_args(...), {"GITHUB_TOKEN=tok"}, dir / "serve.log");
//   ASSERT_TRUE(serve.wait_healthy(port, 30s));
//   WebhookPoster poster(port, secret);  poster.push(delivery, payload);
//   serve.terminate(30s);   // SIGTERM, bounded; SIGKILL if it does not exit
//
//   FaultProxy proxy(github.port());   // --github-api proxy.url()
//   proxy.set_fault({.status = 503});  // every upload answered 503 until cleared
//   proxy.hold_uploads();  ...  proxy.release();
//
// Everything is loopback-only and every wait is bounded. The child always
// dies with the ServeProcess object (SIGKILL in the destructor).
#pragma once

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "webhook/receive/signature.h"

extern char** environ;

namespace bindscan::testing {

using namespace std::chrono_literals;

inline std::filesystem::path make_temp_root(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `bindscan serve` (BINDSCAN_BINARY) in a child process. stdout and stderr are
// appended to `log_file`, so restarts on the same file keep one log. The
// environment is exactly `env` (plus PATH): nothing of the test's leaks in.
class ServeProcess {
 public:
  ServeProcess(std::vector<std::string> args, std::vector<std::string> env,
               const std::filesystem::path& log_file) {
    args.insert(args.begin(), {BINDSCAN_BINARY, "serve"});
    env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
    // Sanitizer settings (LeakSanitizer suppressions among them) apply to the child too.
    for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS"})
      if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid_, BINDSCAN_BINARY, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot spawn " + std::string(BINDSCAN_BINARY));
    }
  }
  ~ServeProcess() { kill_now(); }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const { return pid_; }

  // True while the child has not exited (reaps it when it has).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }

  // Polls GET /healthz until 200, the child exits, or `timeout`.
  bool wait_healthy(int port, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1s);
    client.set_read_timeout(2s);
    while (std::chrono::steady_clock::now() < until && running()) {
      if (auto res = client.Get("/healthz"); res && res->status == 200) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // SIGTERM, then wait up to `timeout`; SIGKILL if it is still there. The raw
  // wait status, or nullopt when it had to be killed.
  std::optional<int> terminate(std::chrono::milliseconds timeout) {
    if (!running()) return exit_status_;
    ::kill(pid_, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (!running()) return exit_status_;
      std::this_thread::sleep_for(10ms);
    }
    kill_now();
    return std::nullopt;
  }

  // SIGKILL and reap, at once.
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = status;
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// Posts signed deliveries the way GitHub does and keeps every reply (status,
// headers, body) for the secrets check.
class WebhookPoster {
 public:
  WebhookPoster(int port, std::string secret) : port_(port), secret_(std::move(secret)) {}

  httplib::Result post(const std::string& event, const std::string& delivery, const std::string& body) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2s);
    client.set_read_timeout(10s);
    httplib::Headers headers = {{"X-GitHub-Event", event},
                                {"X-GitHub-Delivery", delivery},
                                {"X-Hub-Signature-256", webhook::sign_sha256(secret_, body)},
                                {"User-Agent", "GitHub-Hookshot/e2e"}};
    auto result = client.Post("/webhook", headers, body, "application/json");
    if (result) remember(*result);
    return result;
  }
  httplib::Result get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(2s);
    client.set_read_timeout(10s);
    auto result = client.Get(path.c_str());
    if (result) remember(*result);
    return result;
  }
  void set_port(int port) { port_ = port; }
  // Every reply seen so far, status line, headers and body as text.
  std::string replies() const {
    std::lock_guard lock(mutex_);
    return replies_;
  }

 private:
  void remember(const httplib::Response& res) {
    std::string text = std::to_string(res.status) + "\n";
    for (const auto& [k, v] : res.headers) text += k + ": " + v + "\n";
    std::lock_guard lock(mutex_);
    replies_ += text + res.body + "\n";
  }
  int port_;
  std::string secret_;
  mutable std::mutex mutex_;
  std::string replies_;
};

// A push delivery as GitHub sends it, for a repository served at `clone_url`.
inline std::string push_payload(const std::string& full_name, const std::string& clone_url,
                                const std::string& ref, const std::string& before,
                                const std::string& after) {
  const std::string owner = full_name.substr(0, full_name.find('/'));
  const std::string name = full_name.substr(full_name.find('/') + 1);
  std::ostringstream out;
  out << R"({"ref":")" << ref << R"(","before":")" << before << R"(","after":")" << after
      << R"(","created":false,"deleted":false,"forced":false,"repository":{"id":1,"name":")" << name
      << R"(","full_name":")" << full_name << R"(","private":false,"owner":{"name":")" << owner
      << R"(","login":")" << owner << R"("},"clone_url":")" << clone_url
      << R"(","default_branch":"main","created_at":1700000000,"pushed_at":1714557600},)"
      << R"("pusher":{"name":"octocat"},"sender":{"login":"octocat"},"head_commit":{"id":")" << after
      << R"("},"commits":[]})";
  return out.str();
}

// The value of an unlabelled sample `name` in Prometheus text, or -1.
inline double metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

// Polls `done` every 20 ms until it is true or `timeout` passes.
template <typename F>
bool eventually(F done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// An HTTP server on 127.0.0.1 that forwards every request to the fake GitHub
// on `upstream_port`, except while a fault is set: then upload POSTs (or all
// requests with `all_requests`) get the fault instead. Thread-safe.
class FaultProxy {
 public:
  struct Fault {
    int status = 0;  // 0: forward (after `delay`); else answer this status
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};  // wait before answering or forwarding
    int times = -1;                      // faulty answers before forwarding again; -1: until cleared
    bool all_requests = false;           // also the processing-status polls
  };

  explicit FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Patch(".*", handler);  // the code-scanning alerts API
    server_.new_task_queue = [] { return new httplib::ThreadPool(8); };
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~FaultProxy() {
    release();
    server_.stop();
    thread_.join();
  }
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void set_fault(Fault fault) {
    std::lock_guard lock(mutex_);
    fault_ = std::move(fault);
  }
  void clear_fault() {
    std::lock_guard lock(mutex_);
    fault_.reset();
  }
  // Upload POSTs that no fault answers wait (at most 60 s) until release(),
  // then are forwarded.
  void hold_uploads() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  // Upload POSTs that have arrived (including held or faulted ones).
  int upload_requests() const {
    std::lock_guard lock(mutex_);
    return upload_requests_;
  }
  int waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

 private:
  void handle(const httplib::Request& req, httplib::Response& res) {
    const bool upload = req.method == "POST";
    std::optional<Fault> fault;
    {
      std::unique_lock lock(mutex_);
      if (upload) ++upload_requests_;
      if (fault_ && (upload || fault_->all_requests)) {
        fault = fault_;
        if (fault_->times > 0 && --fault_->times == 0) fault_.reset();
      } else if (upload && held_) {
        ++waiting_;
        changed_.notify_all();
        changed_.wait_for(lock, 60s, [&] { return !held_; });
        --waiting_;
      }
    }
    if (fault && fault->delay.count() > 0) std::this_thread::sleep_for(fault->delay);
    if (fault && fault->status != 0) {
      res.status = fault->status;
      for (const auto& [k, v] : fault->headers) res.set_header(k.c_str(), v);
      res.set_content(R"({"message":"injected fault"})", "application/json");
      return;
    }
    httplib::Client client("127.0.0.1", upstream_port_);
    client.set_connection_timeout(5s);
    client.set_read_timeout(30s);
    httplib::Headers headers;
    for (const char* name : {"Authorization", "Accept", "X-GitHub-Api-Version", "User-Agent"}) {
      if (req.has_header(name)) headers.emplace(name, req.get_header_value(name));
    }
    // The query (the alerts list's ref, state, page) goes along.
    const std::string target = httplib::append_query_params(req.path, req.params);
    auto result = upload                  ? client.Post(target.c_str(), headers, req.body, "application/json")
                  : req.method == "PATCH" ? client.Patch(target.c_str(), headers, req.body, "application/json")
                                          : client.Get(target.c_str(), headers);
    if (!result) {
      res.status = 502;
      return;
    }
    res.status = result->status;
    res.set_content(result->body, result->get_header_value("Content-Type").c_str());
  }

  int upstream_port_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Fault> fault_;
  bool held_ = false;
  int upload_requests_ = 0;
  int waiting_ = 0;
};

}  // namespace bindscan::testing

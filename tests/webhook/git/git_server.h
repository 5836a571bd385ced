// A real git server on 127.0.0.1 for tests, and a helper to build the
// repositories it serves with the `git` CLI.
//
//   TestRepo repo(root / "octo" / "hello");         // git init (non-bare)
//   repo.write("app.py", "...");  std::string c1 = repo.commit("first");
//   GitDaemon daemon(root);                         // git daemon --export-all
//   daemon.url("octo/hello")  // "git://127.0.0.1:PORT/octo/hello"
//
// `git daemon` listens on a port picked free just before it starts; the
// constructor waits (at most ~10 s) until it accepts connections. The
// destructor stops it. Everything is loopback-only and bounded in time.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace bindscan::testing {

// A TCP port on 127.0.0.1 that was free when asked (closed again on return).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("free_port: cannot bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool port_accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Runs a shell command; throws with the output when it fails. Returns stdout.
inline std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("command failed: " + command + "\n" + output);
  return output;
}

inline std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A non-bare repository built commit by commit with the git CLI.
class TestRepo {
 public:
  explicit TestRepo(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    git("init -q -b main");
    git("config user.name Test");
    git("config user.email test@example.invalid");
    git("config commit.gpgsign false");
  }

  const std::filesystem::path& dir() const { return dir_; }

  // Runs `git ARGS` in the repository; returns stdout.
  std::string git(const std::string& args) const {
    return run("git -C " + quote(dir_.string()) + " " + args);
  }

  void write(const std::string& path, const std::string& content) const {
    const auto file = dir_ / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  void remove(const std::string& path) const { git("rm -q " + quote(path)); }
  void symlink(const std::string& target, const std::string& path) const {
    std::filesystem::create_directories((dir_ / path).parent_path());
    std::filesystem::create_symlink(target, dir_ / path);
  }
  // A submodule entry (mode 160000) pointing at `sha`, without a .gitmodules.
  void submodule(const std::string& path, const std::string& sha) const {
    git("update-index --add --cacheinfo 160000," + sha + "," + quote(path));
  }

  // Stages everything and commits; returns the new commit's SHA.
  std::string commit(const std::string& message) const {
    git("add -A");
    git("commit -q --allow-empty -m " + quote(message));
    return head();
  }
  std::string head() const {
    std::string sha = git("rev-parse HEAD");
    while (!sha.empty() && (sha.back() == '\n' || sha.back() == '\r')) sha.pop_back();
    return sha;
  }

 private:
  std::filesystem::path dir_;
};

// `git daemon` serving every repository under `base` over git:// on 127.0.0.1.
class GitDaemon {
 public:
  explicit GitDaemon(std::filesystem::path base) : base_(std::move(base)) {
    for (int tries = 0; tries < 5 && pid_ <= 0; ++tries) start();
    if (pid_ <= 0) throw std::runtime_error("git daemon did not start");
  }
  ~GitDaemon() { stop(); }
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;

  int port() const { return port_; }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  // URL of the repository at `base/path`.
  std::string url(const std::string& path) const { return "git://" + host_port() + "/" + path; }

  // Stops the daemon and its per-connection children (one process group):
  // SIGTERM, then SIGKILL if it has not gone within 2 s.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(-pid_, SIGKILL);  // any child left behind
    pid_ = -1;
  }

 private:
  void start() {
    port_ = free_port();
    const std::string base_arg = "--base-path=" + base_.string();
    const std::string port_arg = "--port=" + std::to_string(port_);
    // The daemon binary itself, not the `git` wrapper, so signals reach it.
    static const std::string daemon = [] {
      std::string path = run("git --exec-path");
      while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
      return path + "/git-daemon";
    }();
    std::vector<std::string> args = {daemon, "--reuseaddr", "--export-all",
                                     "--listen=127.0.0.1", port_arg, base_arg,
                                     "--enable=upload-pack", base_.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, daemon.c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) return;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) return;  // exited: port taken? try again
      if (port_accepts(port_)) {
        pid_ = pid;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }

  std::filesystem::path base_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace bindscan::testing

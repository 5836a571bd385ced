// `bindscan serve` configuration: flags, each with an environment variable,
// parsed by a pure function (the environment and file reads are passed in).
// Secrets are held in Secret so that nothing prints them by accident.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/python_files.h"
#include "common/result.h"
#include "webhook/receive/validate.h"

namespace bindscan::webhook {

// A secret value. Has no stream operator on purpose; use reveal() only where
// the bytes are needed (HMAC key, Authorization header, JWT signing).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

// Where the GitHub credentials come from. Only names and the env token are
// held here; the job side reads the files (webhook/github/credentials.h).
struct AuthChoice {
  enum class Kind { kToken, kTokenFile, kApp };
  Kind kind = Kind::kToken;
  Secret token;                               // kToken: from GITHUB_TOKEN
  std::filesystem::path token_file;           // kTokenFile
  std::string app_id;                         // kApp: numeric id or client id (JWT iss)
  std::filesystem::path app_private_key_file; // kApp
};

struct ServeConfig {
  std::string listen_host = "127.0.0.1";  // IPv6 without brackets
  uint16_t listen_port = 8080;            // 0: any free port (tests)
  Secret webhook_secret;
  std::filesystem::path data_dir = "bindscan-data";
  std::string github_api = "https://api.github.com";  // no trailing '/'
  std::vector<CloneHost> clone_hosts;                 // default: github.com
  AuthChoice auth;
  int workers = 2;
  size_t max_queue = 1000;
  std::string category = "bindscan/python/";  // SARIF automationDetails.id
  size_t max_body_bytes = 25 * 1024 * 1024;
  std::chrono::seconds read_timeout{10};     // per read or write
  std::chrono::seconds request_timeout{10};  // a whole request; GitHub gives up after 10 s
  std::chrono::seconds idle_timeout{5};      // keep-alive
  size_t max_header_bytes = 64 * 1024;
  int http_threads = 16;
  std::chrono::seconds git_timeout{60};      // silence of a git remote; 0: none
  int max_attempts = 5;  // per job, retryable failures included
  uint64_t max_file_bytes = files::kDefaultMaxFileBytes;  // larger files are not scanned
  size_t max_files = 20000;                               // Python files per commit
  uint64_t cache_max_bytes = uint64_t{1} << 30;           // result cache budget; 0: none
  std::chrono::seconds retry_delay{30};  // before a failed job's 2nd try; doubles after
  // PostgreSQL connection string; empty: the spool in data_dir/jobs.
  Secret database_url;
  std::chrono::seconds lease{30};  // shared store: unrenewed running jobs are taken over after this
  std::vector<std::string> warnings;  // worth logging at start-up (e.g. listening on all interfaces)
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads a whole file; error code "io", message "PATH: reason" (strerror, or
// "not a regular file").
using FileReader = std::function<Result<std::string>(const std::filesystem::path&)>;

// Parses `serve` arguments (without "bindscan serve"). Flags win over the
// environment. Error code "usage" (unknown flag, with "did you mean ...",
// bad value, missing secret or credentials) or "io" (a file could not be
// read). Messages name the flag and variable, never a secret's value.
// "--help" gives error code "help" with the usage text as message.
Result<ServeConfig> parse_serve_config(std::span<const std::string_view> args,
                                       const EnvLookup& env, const FileReader& read_file);

// "HOST:PORT" or "[IPV6]:PORT" -> host (no brackets) and port (0-65535).
Result<std::pair<std::string, uint16_t>> parse_listen(std::string_view text);

// The flag table as help text.
std::string serve_usage();

// The real environment and file system. read_whole_file refuses what is not
// a regular file (a directory, a FIFO) with "PATH: reason".
std::optional<std::string> process_env(std::string_view name);
Result<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace bindscan::webhook

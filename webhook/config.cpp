#include "webhook/config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "common/spelling.h"

namespace bindscan::webhook {
namespace {

struct Flag {
  std::string_view name;
  std::string_view env;  // empty: no variable
  std::string_view metavar;
  std::string_view help;
};

constexpr Flag kFlags[] = {
    {"--listen", "BINDSCAN_LISTEN", "HOST:PORT", "address to serve on (default 127.0.0.1:8080; [::1]:8080 for IPv6)"},
    {"--webhook-secret-file", "BINDSCAN_WEBHOOK_SECRET_FILE", "PATH", "file holding the webhook secret (or BINDSCAN_WEBHOOK_SECRET); required"},
    {"--data-dir", "BINDSCAN_DATA_DIR", "DIR", "job queue, git mirrors and result cache (default ./bindscan-data)"},
    {"--github-api", "BINDSCAN_GITHUB_API", "URL", "REST API base (default https://api.github.com; GHES: https://HOST/api/v3)"},
    {"--allow-clone-host", "BINDSCAN_ALLOW_CLONE_HOST", "HOST[:PORT]", "clone host to accept, repeatable (variable: comma-separated; default github.com)"},
    {"--token-file", "BINDSCAN_TOKEN_FILE", "PATH", "file holding a GitHub token (or GITHUB_TOKEN)"},
    {"--app-id", "BINDSCAN_APP_ID", "ID", "GitHub App id, with --app-private-key-file"},
    {"--app-private-key-file", "BINDSCAN_APP_PRIVATE_KEY_FILE", "PEM", "GitHub App private key"},
    {"--workers", "BINDSCAN_WORKERS", "N", "jobs run at once (default 2)"},
    {"--max-queue", "BINDSCAN_MAX_QUEUE", "N", "queued jobs before deliveries get 503 (default 1000)"},
    {"--category", "BINDSCAN_CATEGORY", "NAME", "SARIF automationDetails.id (default bindscan/python/)"},
    {"--max-body-bytes", "BINDSCAN_MAX_BODY_BYTES", "N", "largest webhook body accepted (default 26214400 = 25 MiB)"},
    {"--read-timeout", "BINDSCAN_READ_TIMEOUT", "SECONDS", "longest wait for the next byte of a request, or to write a reply (default 10)"},
    {"--request-timeout", "BINDSCAN_REQUEST_TIMEOUT", "SECONDS", "time to receive a whole request, from its first byte (default 10)"},
    {"--idle-timeout", "BINDSCAN_IDLE_TIMEOUT", "SECONDS", "keep-alive wait for a connection's next request (default 5)"},
    {"--max-header-bytes", "BINDSCAN_MAX_HEADER_BYTES", "N", "largest request line plus headers (default 65536)"},
    {"--http-threads", "BINDSCAN_HTTP_THREADS", "N", "connections served at once (default 16)"},
    {"--git-timeout", "BINDSCAN_GIT_TIMEOUT", "SECONDS", "longest silence of a git remote before the fetch fails; 0: none (default 60)"},
    {"--max-attempts", "BINDSCAN_MAX_ATTEMPTS", "N", "tries per job for retryable failures (default 5)"},
    {"--retry-delay", "BINDSCAN_RETRY_DELAY", "SECONDS", "wait before a failed job's 2nd try, doubling after (default 30; GitHub's Retry-After is a floor)"},
    {"--database-url", "BINDSCAN_DATABASE_URL", "URL", "PostgreSQL (postgres://USER@HOST/DB) for the queue and cache shared by replicas (default: the spool in --data-dir)"},
    {"--lease-seconds", "BINDSCAN_LEASE_SECONDS", "SECONDS", "with --database-url: a job whose replica stopped renewing it for this long is taken over (default 30)"},
};

Error usage(std::string message) { return Error{"usage", std::move(message)}; }

Error unknown_flag(std::string_view given) {
  std::string_view best;
  size_t best_distance = 4;
  for (const Flag& flag : kFlags) {
    size_t d = edit_distance(given, flag.name);
    if (d < best_distance || (flag.name.rfind(given, 0) == 0 && given.size() > 3)) {
      best = flag.name;
      best_distance = std::min(d, best_distance);
    }
  }
  std::string message = "unknown flag " + std::string(given);
  if (!best.empty()) message += "; did you mean " + std::string(best) + "?";
  return usage(message + " (see bindscan serve --help)");
}

template <typename T>
Result<T> parse_number(std::string_view what, std::string_view text, T min, T max) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    return usage(std::string(what) + " must be a whole number from " + std::to_string(min) +
                 " to " + std::to_string(max) + ", got \"" + std::string(text) + "\"");
  }
  return value;
}

std::string trim_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<std::pair<std::string, uint16_t>> parse_listen(std::string_view text) {
  auto fail = [&] {
    return usage("--listen \"" + std::string(text) + "\" is not HOST:PORT or [IPV6]:PORT");
  };
  std::string host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find("]:");
    if (close == std::string_view::npos || close == 1) return fail();
    host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return fail();
    host = std::string(text.substr(0, colon));
    if (host.find(':') != std::string::npos) return fail();  // bare IPv6 needs brackets
    port = text.substr(colon + 1);
  }
  Result<unsigned> number = parse_number<unsigned>("--listen port", port, 0, 65535);
  if (!number) return number.error();
  return std::pair{host, static_cast<uint16_t>(*number)};
}

Result<ServeConfig> parse_serve_config(std::span<const std::string_view> args,
                                       const EnvLookup& env, const FileReader& read_file) {
  std::map<std::string_view, std::vector<std::string>> given;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") return Error{"help", serve_usage()};
    std::string_view name = arg.substr(0, arg.find('='));
    auto flag = std::find_if(std::begin(kFlags), std::end(kFlags),
                             [&](const Flag& f) { return f.name == name; });
    if (flag == std::end(kFlags)) {
      if (arg.rfind("-", 0) != 0) return usage("serve takes no positional argument, got \"" + std::string(arg) + "\"");
      return unknown_flag(name);
    }
    if (name.size() < arg.size()) {
      given[flag->name].emplace_back(arg.substr(name.size() + 1));
    } else if (i + 1 < args.size()) {
      given[flag->name].emplace_back(args[++i]);
    } else {
      return usage(std::string(flag->name) + " needs a value " + std::string(flag->metavar));
    }
  }
  // A flag's last value wins, then its variable; repeatable flags keep all values.
  auto value = [&](std::string_view name) -> std::optional<std::string> {
    if (auto it = given.find(name); it != given.end()) return it->second.back();
    auto flag = std::find_if(std::begin(kFlags), std::end(kFlags),
                             [&](const Flag& f) { return f.name == name; });
    std::optional<std::string> from_env = env(flag->env);
    if (from_env && !from_env->empty()) return from_env;
    return std::nullopt;
  };

  ServeConfig config;
  if (auto listen = value("--listen")) {
    Result<std::pair<std::string, uint16_t>> parsed = parse_listen(*listen);
    if (!parsed) return parsed.error();
    std::tie(config.listen_host, config.listen_port) = *parsed;
  }
  if (config.listen_host == "0.0.0.0" || config.listen_host == "::" || config.listen_host.empty()) {
    config.warnings.push_back("listening on all interfaces (" + config.listen_host +
                              "): the service is reachable from every network this host is on");
  }

  if (auto path = value("--webhook-secret-file")) {
    Result<std::string> text = read_file(*path);
    if (!text) return Error{"io", "--webhook-secret-file: " + text.error().message};
    config.webhook_secret = Secret(trim_line_end(std::move(*text)));
  } else if (auto secret = env("BINDSCAN_WEBHOOK_SECRET")) {
    config.webhook_secret = Secret(*secret);
  }
  if (config.webhook_secret.empty()) {
    return usage("no webhook secret: give --webhook-secret-file PATH or set BINDSCAN_WEBHOOK_SECRET "
                 "(the same secret as in GitHub's webhook settings); refusing to accept unsigned deliveries");
  }

  if (auto dir = value("--data-dir")) config.data_dir = *dir;
  if (auto api = value("--github-api")) {
    std::string url = *api;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
      return usage("--github-api must be an http(s) URL, got \"" + *api + "\"");
    }
    config.github_api = url;
  }

  std::vector<std::string> hosts;
  if (auto it = given.find("--allow-clone-host"); it != given.end()) {
    hosts = it->second;
  } else if (auto from_env = env("BINDSCAN_ALLOW_CLONE_HOST"); from_env && !from_env->empty()) {
    hosts = split_commas(*from_env);
  } else {
    hosts = {"github.com"};
  }
  for (const std::string& spec : hosts) {
    Result<CloneHost> host = parse_clone_host(spec);
    if (!host) return usage(host.error().message);
    config.clone_hosts.push_back(*host);
  }

  std::optional<std::string> app_id = value("--app-id");
  std::optional<std::string> key_file = value("--app-private-key-file");
  std::optional<std::string> token_file = value("--token-file");
  if (app_id || key_file) {
    if (!app_id || !key_file) return usage("--app-id and --app-private-key-file go together");
    if (token_file) return usage("give either --token-file or --app-id, not both");
    config.auth.kind = AuthChoice::Kind::kApp;
    config.auth.app_id = *app_id;
    config.auth.app_private_key_file = *key_file;
  } else if (token_file) {
    config.auth.kind = AuthChoice::Kind::kTokenFile;
    config.auth.token_file = *token_file;
  } else if (auto token = env("GITHUB_TOKEN"); token && !token->empty()) {
    config.auth.kind = AuthChoice::Kind::kToken;
    config.auth.token = Secret(trim_line_end(*token));
  } else {
    return usage("no GitHub credentials: give --token-file PATH (or GITHUB_TOKEN), or --app-id ID "
                 "with --app-private-key-file PEM");
  }

  // Sets `out` from a whole-number flag when given; a value out of range is a usage error.
  std::optional<Error> bad_number;
  auto number = [&]<typename T>(std::string_view flag, T min, T max, T& out) {
    if (bad_number) return;
    if (auto text = value(flag)) {
      Result<T> n = parse_number<T>(flag, *text, min, max);
      if (n) out = *n;
      else bad_number = n.error();
    }
  };
  auto seconds = [&](std::string_view flag, int min, int max, std::chrono::seconds& out) {
    int n = static_cast<int>(out.count());
    number(flag, min, max, n);
    out = std::chrono::seconds(n);
  };
  number("--workers", 1, 256, config.workers);
  number("--max-queue", size_t{1}, size_t{1000000}, config.max_queue);
  number("--max-body-bytes", size_t{1}, size_t{1} << 31, config.max_body_bytes);
  number("--max-header-bytes", size_t{1024}, size_t{1} << 20, config.max_header_bytes);
  seconds("--read-timeout", 1, 300, config.read_timeout);
  seconds("--request-timeout", 1, 600, config.request_timeout);
  seconds("--idle-timeout", 1, 600, config.idle_timeout);
  number("--http-threads", 1, 1024, config.http_threads);
  seconds("--git-timeout", 0, 3600, config.git_timeout);
  number("--max-attempts", 1, 100, config.max_attempts);
  seconds("--retry-delay", 1, 3600, config.retry_delay);
  seconds("--lease-seconds", 3, 3600, config.lease);
  if (bad_number) return *bad_number;
  if (auto url = value("--database-url"); url && !url->empty()) {
    if (!url->starts_with("postgres://") && !url->starts_with("postgresql://")) {
      return usage("--database-url must start with postgres:// or postgresql://");
    }
    config.database_url = Secret(*url);  // may hold a password: never printed
  }
  if (auto category = value("--category")) {
    if (category->empty()) return usage("--category must not be empty");
    config.category = *category;
  }
  return config;
}

std::string serve_usage() {
  std::ostringstream out;
  out << "usage: bindscan serve [FLAGS]\n\n"
         "Receives GitHub webhooks on POST /webhook, scans pushed commits and uploads SARIF.\n"
         "Also serves GET /healthz, /readyz and /metrics. Every flag has an environment variable.\n\n";
  for (const Flag& flag : kFlags) {
    std::string left = std::string(flag.name) + " " + std::string(flag.metavar);
    out << "  " << left << std::string(left.size() < 34 ? 34 - left.size() : 1, ' ') << flag.help
        << "\n  " << std::string(34, ' ') << "env " << flag.env << "\n";
  }
  out << "\nSecrets come only from files or the environment: BINDSCAN_WEBHOOK_SECRET, GITHUB_TOKEN.\n";
  return out.str();
}

std::optional<std::string> process_env(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"io", "cannot read " + path.string()};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace bindscan::webhook

// `bindscan healthcheck`: probes a running `bindscan serve` so a container's
// HEALTHCHECK needs no curl or wget in the image.
#include <charconv>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>

#include <httplib.h>

#include "cli/commands.h"
#include "cli/options.h"

namespace bindscan::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: bindscan healthcheck [--url URL] [--timeout SECONDS]

Sends GET URL and exits 0 when the reply is 200 OK, 1 otherwise (refused,
timed out, any other status, or a bad option: container engines reserve
exit status 2 for healthchecks).

options:
  --url URL            http:// or https:// URL to probe (default: /healthz on
                       the address in BINDSCAN_LISTEN, with 0.0.0.0 and :: read
                       as loopback; without it http://127.0.0.1:8080/healthz)
  --timeout SECONDS    connect and read timeout, 1 to 60 (default: 3)
)";

constexpr int kHealthy = 0;
constexpr int kUnhealthy = 1;

// BINDSCAN_LISTEN is what `serve` listens on; a wildcard host is reached
// through loopback from inside the same container or machine.
std::string default_url() {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  if (const char* listen = std::getenv("BINDSCAN_LISTEN"); listen && *listen) {
    std::string_view text = listen;
    if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
      std::string_view h = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (h == "[::]") host = "[::1]";
      else if (!h.empty() && h != "0.0.0.0") host = h;
    }
  }
  return "http://" + host + ":" + port + "/healthz";
}

struct Target {
  std::string origin;  // scheme://host[:port]
  std::string path;    // starts with '/'
};

std::optional<Target> split_url(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) return std::nullopt;
  size_t host_start = url.find("://") + 3;
  size_t slash = url.find('/', host_start);
  if (slash == host_start) return std::nullopt;
  Target target{std::string(url.substr(0, slash)), slash == std::string_view::npos ? "/" : std::string(url.substr(slash))};
  if (target.origin.size() == host_start) return std::nullopt;
  return target;
}

}  // namespace

int run_healthcheck(Args args, std::ostream& out, std::ostream& err) {
  std::string url;
  int timeout_seconds = 3;
  static constexpr std::string_view kFlags[] = {"--url", "--timeout", "--help"};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    std::optional<std::string_view> inline_value;
    if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> std::optional<std::string_view> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    if (flag == "--help" || flag == "-h") {
      out << kUsage;
      return kHealthy;
    }
    if (flag == "--url") {
      auto v = value();
      if (!v || v->empty()) {
        err << "bindscan healthcheck: --url needs a URL\n";
        return kUnhealthy;
      }
      url = *v;
    } else if (flag == "--timeout") {
      auto v = value().value_or("");
      int n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > 60) {
        err << "bindscan healthcheck: --timeout needs whole seconds from 1 to 60, not '" << v << "'\n";
        return kUnhealthy;
      }
      timeout_seconds = n;
    } else {
      err << "bindscan healthcheck: unknown option '" << flag << "'" << did_you_mean(flag, kFlags)
          << "; `bindscan healthcheck --help` lists them\n";
      return kUnhealthy;
    }
  }
  if (url.empty()) url = default_url();

  std::optional<Target> target = split_url(url);
  if (!target) {
    err << "bindscan healthcheck: --url must be an http:// or https:// URL, not '" << url << "'\n";
    return kUnhealthy;
  }
  httplib::Client client(target->origin);
  if (!client.is_valid()) {
    err << "bindscan healthcheck: cannot use '" << url << "' (https needs a build with OpenSSL)\n";
    return kUnhealthy;
  }
  client.set_connection_timeout(timeout_seconds, 0);
  client.set_read_timeout(timeout_seconds, 0);
  client.set_write_timeout(timeout_seconds, 0);
  httplib::Result reply = client.Get(target->path);
  if (!reply) {
    err << "bindscan healthcheck: " << url << ": " << httplib::to_string(reply.error()) << '\n';
    return kUnhealthy;
  }
  if (reply->status != 200) {
    err << "bindscan healthcheck: " << url << " answered " << reply->status << ", expected 200\n";
    return kUnhealthy;
  }
  out << "bindscan healthcheck: " << url << " is healthy\n";
  return kHealthy;
}

}  // namespace bindscan::cli

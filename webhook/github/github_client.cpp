#include "webhook/github/github_client.h"

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <thread>

namespace bindscan::webhook {
namespace {

using nlohmann::json;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(data[k])); };
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kBase64Alphabet[(n >> shift) & 63];
  }
  if (i + 1 == data.size()) {
    const uint32_t n = byte(i) << 16;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string gzip(std::string_view data) {
  z_stream stream{};
  // 15 window bits + 16: a gzip wrapper rather than zlib's.
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::bad_alloc();
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::bad_alloc();
  return out;
}

double unit_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

int64_t now_epoch_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Removes every occurrence of the token, in case a server echoes it.
std::string scrub(std::string text, std::string_view token) {
  if (token.empty()) return text;
  for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
    text.replace(at, token.size(), "***");
  }
  return text;
}

// GitHub's error body: {"message": "...", "errors": [...], "documentation_url": "..."}.
std::string github_message(const std::string& body) {
  const json doc = json::parse(body, nullptr, false);
  std::string text;
  if (doc.is_object()) {
    if (auto it = doc.find("message"); it != doc.end() && it->is_string()) text = *it;
    if (auto it = doc.find("errors"); it != doc.end() && !it->is_null()) {
      text += (text.empty() ? "" : "; errors: ") + it->dump();
    }
    if (auto it = doc.find("documentation_url"); it != doc.end() && it->is_string()) {
      text += " (" + it->get<std::string>() + ")";
    }
  } else {
    text = body.substr(0, 300);
  }
  return text;
}

std::string describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection: return "could not connect";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "failed reading the response (or it timed out)";
    case httplib::Error::Write: return "failed sending the request (or it timed out)";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "could not load CA certificates";
    case httplib::Error::SSLServerVerification: return "server certificate not trusted";
    default: return "HTTP client error: " + httplib::to_string(error);
  }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return {};
}

std::string gzip_base64(std::string_view data) { return base64(gzip(data)); }

bool is_transient(const Error& error) { return error.code == "github-transient"; }

bool is_stopped(const Error& error) { return error.code == "stopped"; }

Result<GitHubClient> GitHubClient::create(ClientOptions options) {
  static const std::regex url(R"(^(https?)://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?(/[^?#]*)?$)");
  std::smatch m;
  if (!std::regex_match(options.api_base, m, url)) {
    return Error{"config", "GitHub API URL '" + options.api_base +
                               "' is not http(s)://HOST[:PORT][/PATH] (e.g. "
                               "https://api.github.com or https://HOST/api/v3)"};
  }
  const std::string scheme = m[1];
  const std::string port = m[4].matched ? m[4].str() : (scheme == "https" ? "443" : "80");
  std::string base_path = m[5].matched ? m[5].str() : "";
  while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  if (options.user_agent.empty()) options.user_agent = std::string("bindscan/") + BINDSCAN_VERSION;
  return GitHubClient(std::move(options),
                      Endpoint{scheme + "://" + m[2].str() + ":" + port, std::move(base_path)});
}

GitHubClient::GitHubClient(ClientOptions options, Endpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

bool GitHubClient::wait(Millis delay, const StopSignal* stop) const {
  if (stop != nullptr && stop->stop_requested()) return false;
  if (options_.sleep) {
    options_.sleep(delay);
    return stop == nullptr || !stop->stop_requested();
  }
  if (stop != nullptr) return stop->wait_for(delay);
  std::this_thread::sleep_for(delay);
  return true;
}

Result<HttpResponse> GitHubClient::request(std::string_view method, std::string_view path,
                                           const std::string& body, std::string_view token,
                                           Deadline deadline, const StopSignal* stop) const {
  const std::string target = endpoint_.base_path + std::string(path);
  const std::string what = std::string(method) + " " + target;
  httplib::Headers headers = {
      {"Accept", "application/vnd.github+json"},
      {"X-GitHub-Api-Version", "2022-11-28"},
      {"User-Agent", options_.user_agent},
  };
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + std::string(token));

  for (int attempt = 1;; ++attempt) {
    httplib::Client client(endpoint_.scheme_host_port);
    client.set_connection_timeout(options_.connect_timeout);
    client.set_read_timeout(options_.io_timeout);
    client.set_write_timeout(options_.io_timeout);
    client.set_follow_location(false);
    client.set_keep_alive(false);
    client.enable_server_certificate_verification(true);

    httplib::Result result =
        method == "GET"    ? client.Get(target, headers)
        : method == "POST" ? client.Post(target, headers, body, "application/json")
        : method == "PATCH" ? client.Patch(target, headers, body, "application/json")
                            : client.Delete(target, headers, body, "application/json");

    AttemptResult seen;
    HttpResponse response;
    std::string failure;
    if (result) {
      response.status = result->status;
      response.body = result->body;
      for (const auto& [key, value] : result->headers) response.headers.emplace_back(key, value);
      seen.status = response.status;
      if (auto v = response.header("Retry-After"); !v.empty()) seen.retry_after = v;
      if (auto v = response.header("x-ratelimit-remaining"); !v.empty()) seen.ratelimit_remaining = v;
      if (auto v = response.header("x-ratelimit-reset"); !v.empty()) seen.ratelimit_reset = v;
      if (response.status >= 400) {
        seen.message = scrub(github_message(response.body), token);
        failure = "HTTP " + std::to_string(response.status) +
                  (seen.message.empty() ? "" : ": " + seen.message);
      }
    } else {
      failure = describe(result.error());
    }

    RetryDecision decision = decide(options_.retry, attempt, seen, now_epoch_seconds(), unit_random());
    if (classify(seen) == Outcome::kSuccess) return response;
    if (!decision.retry) {
      const bool transient = classify(seen) == Outcome::kTransient;
      const char* code = transient ? "github-transient" : seen.status == 404 ? "github-not-found" : "github";
      return Error{code, what + ": " + failure + (transient ? " (" + decision.reason + ")" : "")};
    }
    if (decision.delay > options_.retry.max_wait_in_call) {
      Error later{"github-transient", what + ": " + failure + " (next try in " +
                                          std::to_string(decision.delay.count()) + " ms)"};
      later.retry_after_ms = decision.delay.count();
      return later;
    }
    if (deadline && std::chrono::steady_clock::now() + decision.delay > *deadline) {
      return Error{"github-transient",
                   what + ": " + failure + " (the job's time budget ends before the next try)"};
    }
    if (!wait(decision.delay, stop)) {
      return Error{"stopped", what + ": " + failure + " (stopped while waiting to retry)"};
    }
  }
}

Result<UploadReceipt> GitHubClient::upload_sarif(std::string_view owner, std::string_view repo,
                                                 const SarifUpload& upload, std::string_view token,
                                                 Deadline deadline, const StopSignal* stop) const {
  json body = {{"commit_sha", upload.commit_sha},
               {"ref", upload.ref},
               {"sarif", gzip_base64(upload.sarif)},
               {"tool_name", upload.tool_name}};
  if (!upload.started_at.empty()) body["started_at"] = upload.started_at;
  const std::string path =
      "/repos/" + std::string(owner) + "/" + std::string(repo) + "/code-scanning/sarifs";
  auto response = request("POST", path, body.dump(), token, deadline, stop);
  if (!response) return response.error();
  const json doc = json::parse(response->body, nullptr, false);
  if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string()) {
    return Error{"github", "POST " + path + ": HTTP " + std::to_string(response->status) +
                               " without a sarif id in the reply"};
  }
  UploadReceipt receipt{doc["id"], ""};
  if (doc.contains("url") && doc["url"].is_string()) receipt.url = doc["url"];
  return receipt;
}

Result<ProcessingStatus> GitHubClient::processing_status(std::string_view owner,
                                                         std::string_view repo,
                                                         std::string_view sarif_id,
                                                         std::string_view token,
                                                         Deadline deadline,
                                                         const StopSignal* stop) const {
  const std::string path = "/repos/" + std::string(owner) + "/" + std::string(repo) +
                           "/code-scanning/sarifs/" + std::string(sarif_id);
  auto response = request("GET", path, "", token, deadline, stop);
  if (!response) {
    if (response.error().code == "github-not-found") return ProcessingStatus{"unknown", {}, {}};
    return response.error();
  }
  const json doc = json::parse(response->body, nullptr, false);
  if (!doc.is_object() || !doc.contains("processing_status") ||
      !doc["processing_status"].is_string()) {
    return Error{"github", "GET " + path + ": reply has no processing_status"};
  }
  ProcessingStatus status;
  status.status = doc["processing_status"];
  if (auto it = doc.find("errors"); it != doc.end() && it->is_array()) {
    for (const auto& e : *it) status.errors.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  }
  if (auto it = doc.find("analyses_url"); it != doc.end() && it->is_string()) {
    status.analyses_url = *it;
  }
  return status;
}

Result<ProcessingStatus> GitHubClient::wait_for_processing(std::string_view owner,
                                                           std::string_view repo,
                                                           std::string_view sarif_id,
                                                           std::string_view token,
                                                           Deadline deadline,
                                                           const StopSignal* stop) const {
  ProcessingStatus last{"pending", {}, {}};
  Millis waited{0};
  for (int polls = 0;; ++polls) {
    const Millis delay = poll_delay(options_.poll, polls);
    if (waited + delay > options_.poll.total ||
        (deadline && std::chrono::steady_clock::now() + delay > *deadline)) {
      return last;
    }
    if (!wait(delay, stop)) {
      return Error{"stopped", "processing status of SARIF " + std::string(sarif_id) +
                                  ": stopped while waiting to poll"};
    }
    waited += delay;
    auto status = processing_status(owner, repo, sarif_id, token, deadline, stop);
    if (!status) return status.error();
    if (status->status == "unknown") continue;
    last = std::move(*status);
    if (last.status == "complete" || last.status == "failed") return last;
  }
}

}  // namespace bindscan::webhook

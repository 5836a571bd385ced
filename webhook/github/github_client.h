// The GitHub REST client: SARIF upload, processing status, and the generic
// request the App token exchange uses. cpp-httplib with OpenSSL underneath;
// its Error enum and HTTP statuses become our Error here and nowhere else.
//
// Every request carries Accept `application/vnd.github+json`,
// `X-GitHub-Api-Version: 2022-11-28`, `User-Agent: bindscan/<version>` and,
// when a token is given, `Authorization: Bearer <token>` (reference §2.5).
// Connect and read/write timeouts are explicit. Redirects are not followed, so
// the token never goes to another host.
//
// Failures (Error::code):
//   "github"           permanent: a 4xx that retrying cannot fix (400, 401, 403
//                      without rate limit, 413, 422), or processing failed.
//                      The message keeps GitHub's own words (`message`,
//                      `errors`), never the token.
//   "github-not-found" permanent like "github", for a 404 (processing_status
//                      reads it as an id GitHub does not know yet).
//   "github-transient" network errors, timeouts, 5xx or rate limits that
//                      outlasted the retry policy or the deadline: worth a
//                      later try.
//   "config"           the API base URL is unusable.
//   "stopped"          the `stop` signal passed to the call was set while it
//                      waited to retry or to poll again: nothing was decided,
//                      the caller should give up for now and try later.
// Every call takes an optional StopSignal (retry.h). A request already sent
// still completes (bounded by the timeouts); only the waits are cut short.
// Thread-safe: each request opens its own connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "webhook/github/retry.h"

namespace bindscan::webhook {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

struct ClientOptions {
  // https://api.github.com, https://HOST/api/v3 (GHES), or http://127.0.0.1:PORT
  // in tests. A trailing slash is ignored.
  std::string api_base = "https://api.github.com";
  std::string user_agent;  // empty: "bindscan/<BINDSCAN_VERSION>"
  Millis connect_timeout{10000};
  Millis io_timeout{60000};  // each read and each write
  RetryPolicy retry;
  PollPolicy poll;
  // How the client waits between tries and polls. Tests replace it to record
  // the waits instead of sleeping; default: sleep until the delay ends or the
  // call's StopSignal is set. With a replacement, the stop is checked before
  // and after it.
  std::function<void(Millis)> sleep;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  // The first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct SarifUpload {
  std::string commit_sha;          // 40 hex
  std::string ref;                 // refs/heads/B, refs/pull/N/head, refs/tags/T
  std::string sarif;               // the SARIF JSON text, uncompressed
  std::string tool_name = "bindscan";
  std::string started_at;          // ISO 8601 "YYYY-MM-DDTHH:MM:SSZ", or empty to omit
};

struct UploadReceipt {
  std::string id;   // the sarif id to poll
  std::string url;
};

struct ProcessingStatus {
  // "pending", "complete" or "failed"; "unknown" when GitHub answers 404 for
  // the id (not yet visible after the upload, or never uploaded there).
  std::string status;
  std::vector<std::string> errors;  // GitHub's errors, verbatim
  std::string analyses_url;         // may be empty
};

class GitHubClient {
 public:
  // Fails ("config") when `api_base` is not an http(s) URL with a host.
  static Result<GitHubClient> create(ClientOptions options);

  // One API call with retries per the policy. `path` starts with "/" and is
  // relative to the API base. `body` is sent as application/json when not
  // empty. Succeeds with any 2xx response. Never waits past `deadline`, nor
  // after `stop` is set ("stopped").
  Result<HttpResponse> request(std::string_view method, std::string_view path,
                               const std::string& body, std::string_view token,
                               Deadline deadline = std::nullopt,
                               const StopSignal* stop = nullptr) const;

  // POST /repos/{owner}/{repo}/code-scanning/sarifs with the SARIF gzipped and
  // base64-encoded. Expects 202 with an id.
  Result<UploadReceipt> upload_sarif(std::string_view owner, std::string_view repo,
                                     const SarifUpload& upload, std::string_view token,
                                     Deadline deadline = std::nullopt,
                                     const StopSignal* stop = nullptr) const;

  // GET /repos/{owner}/{repo}/code-scanning/sarifs/{id}, once (with the retry
  // policy for transient failures). A 404 is the value "unknown", not an error.
  Result<ProcessingStatus> processing_status(std::string_view owner, std::string_view repo,
                                             std::string_view sarif_id, std::string_view token,
                                             Deadline deadline = std::nullopt,
                                             const StopSignal* stop = nullptr) const;

  // Polls processing_status with the poll policy's growing waits until it is
  // "complete" or "failed", or until the policy's total (or `deadline`) is
  // spent: then the last status, normally "pending", is returned as a value.
  // "unknown" while polling counts as pending (the id can lag behind the
  // upload). A stop during a wait is the error "stopped".
  Result<ProcessingStatus> wait_for_processing(std::string_view owner, std::string_view repo,
                                               std::string_view sarif_id, std::string_view token,
                                               Deadline deadline = std::nullopt,
                                               const StopSignal* stop = nullptr) const;

  // Waits as the client does between tries and polls (options().sleep, cut
  // short by `stop`). False when `stop` was set before or during the wait.
  bool wait(Millis delay, const StopSignal* stop = nullptr) const;

  const ClientOptions& options() const { return options_; }

 private:
  struct Endpoint {
    std::string scheme_host_port;  // "https://api.github.com:443"
    std::string base_path;         // "" or "/api/v3"
  };
  GitHubClient(ClientOptions options, Endpoint endpoint);

  ClientOptions options_;
  Endpoint endpoint_;
};

// gzip (RFC 1952) then standard base64 on one line: `gzip -c | base64 -w0`.
std::string gzip_base64(std::string_view data);

// True for errors worth a later try ("github-transient").
bool is_transient(const Error& error);

// True for a call given up because its StopSignal was set ("stopped").
bool is_stopped(const Error& error);

}  // namespace bindscan::webhook

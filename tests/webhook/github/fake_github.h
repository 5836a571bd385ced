// A fake GitHub REST API on 127.0.0.1 (ephemeral port) for tests: the SARIF
// upload, its processing status and the App token exchange. It checks what
// the real API insists on (reference §2.5, §3.1) and decodes what it receives,
// so a test can assert on the SARIF exactly as GitHub would read it.
//
//   FakeGitHub github("secret-token");
//   ... point the code under test at github.url() ...
//   auto uploads = github.uploads();   // accepted uploads, SARIF decoded
//
// Checks on every request: `Authorization: Bearer <a known token>` (else 401
// "Bad credentials"), Accept `application/vnd.github+json`,
// `X-GitHub-Api-Version: 2022-11-28` and a `User-Agent` (else 400). Uploads
// also need a 40-hex commit_sha and a ref matching ^refs/(heads|pull|tags)/
// (else 422), and a `sarif` that is base64 of gzip of JSON (else 400).
// Replies can be scripted per upload attempt: 202 by default, or any status
// with headers (500, 429 + Retry-After, 422 ...).
//
// Code-scanning alerts as GitHub keeps them (issue 13): each accepted upload
// is analysed into alerts, one per (rule id, path, primaryLocationLineHash):
// a result seen before updates its alert's line and refs, a new one opens an
// alert, and an open alert no longer in the ref's newest upload becomes
// "fixed" once no ref reports it. Dismissed alerts stay dismissed. The alerts
// list (`?ref=&tool_name=&state=&per_page=&page=`) and PATCH of one alert
// check what GitHub checks (state values, dismissed_reason required and one
// of GitHub's three, dismissed_comment at most 280 characters: else 422).
// Thread-safe.
#pragma once

#include <httplib.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace bindscan::testing {

// base64 (standard alphabet, padding required, no line breaks) → bytes.
inline std::optional<std::string> decode_base64(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t n = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
        n <<= 6;
        continue;
      }
      const int v = value(c);
      if (v < 0 || pad > 0) return std::nullopt;
      n = (n << 6) | static_cast<uint32_t>(v);
    }
    out += static_cast<char>((n >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
}

// gzip → bytes; nullopt unless the input is one complete gzip member.
inline std::optional<std::string> gunzip(const std::string& data) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

// A result as tests compare them: URI, start line, rule id.
using ResultKey = std::tuple<std::string, int, std::string>;

// The results of the first run of a decoded SARIF upload.
inline std::set<ResultKey> results_of(const nlohmann::json& sarif) {
  std::set<ResultKey> out;
  for (const auto& result : sarif["runs"][0]["results"]) {
    const auto& location = result["locations"][0]["physicalLocation"];
    out.emplace(location["artifactLocation"]["uri"], location["region"]["startLine"], result["ruleId"]);
  }
  return out;
}

// "src/my%20app.py" -> "src/my app.py", as GitHub shows an alert's path.
inline std::string percent_decode(const std::string& uri) {
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && std::isxdigit(static_cast<unsigned char>(uri[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(uri[i + 2]))) {
      out += static_cast<char>(std::stoi(uri.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

class FakeGitHub {
 public:
  struct Alert {
    int number = 0;
    std::string rule_id;
    std::string path;
    int line = 0;
    std::string fingerprint;
    std::string state = "open";  // open, dismissed, fixed
    std::string dismissed_reason;
    std::string dismissed_comment;
    std::string dismissed_by;    // "bindscan-app" for the service's token, "a-person" via dismiss_as_person
    std::set<std::string> refs;  // refs whose newest upload reports it
  };

  struct Reply {
    int status = 202;
    std::string body;  // empty: a sensible default for the status
    std::vector<std::pair<std::string, std::string>> headers;
  };

  struct Upload {
    std::string owner;
    std::string repo;
    std::string commit_sha;
    std::string ref;
    std::string tool_name;
    std::string started_at;
    std::string user_agent;
    nlohmann::json sarif;  // decoded and parsed
    std::string id;        // the sarif id we answered with
    std::chrono::steady_clock::time_point received{};
  };

  explicit FakeGitHub(std::string token = "test-token") {
    tokens_.push_back(std::move(token));
    server_.Post(R"(/repos/([^/]+)/([^/]+)/code-scanning/sarifs)",
                 [this](const httplib::Request& req, httplib::Response& res) { on_upload(req, res); });
    server_.Get(R"(/repos/([^/]+)/([^/]+)/code-scanning/sarifs/([^/]+))",
                [this](const httplib::Request& req, httplib::Response& res) { on_status(req, res); });
    server_.Get(R"(/repos/([^/]+)/([^/]+)/code-scanning/alerts)",
                [this](const httplib::Request& req, httplib::Response& res) { on_list_alerts(req, res); });
    server_.Patch(R"(/repos/([^/]+)/([^/]+)/code-scanning/alerts/(\d+))",
                  [this](const httplib::Request& req, httplib::Response& res) { on_patch_alert(req, res); });
    server_.Post(R"(/app/installations/(\d+)/access_tokens)",
                 [this](const httplib::Request& req, httplib::Response& res) { on_token(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost and join() would hang.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ~FakeGitHub() {
    server_.stop();
    thread_.join();
  }

  FakeGitHub(const FakeGitHub&) = delete;
  FakeGitHub& operator=(const FakeGitHub&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Replies for the next upload attempts, in order; afterwards 202 again.
  void script_upload_replies(std::vector<Reply> replies) {
    std::lock_guard lock(mutex_);
    for (auto& r : replies) upload_script_.push_back(std::move(r));
  }
  // processing_status answered for uploads: "complete" (default), "failed" or "pending".
  // With `pending_polls` > 0, that many polls answer "pending" first.
  void set_processing_status(std::string status, int pending_polls = 0,
                             std::vector<std::string> errors = {}) {
    std::lock_guard lock(mutex_);
    processing_status_ = std::move(status);
    pending_polls_ = pending_polls;
    processing_errors_ = std::move(errors);
  }
  // Each upload reads "pending" until `delay` after it arrived, as GitHub
  // does while it processes a SARIF file; then the configured status.
  void set_processing_time(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    processing_time_ = delay;
  }
  // The App token endpoint mints `token` (accepted afterwards) expiring at `expires_at`.
  void set_installation_token(std::string token, std::string expires_at) {
    std::lock_guard lock(mutex_);
    installation_token_ = std::move(token);
    installation_expires_ = std::move(expires_at);
  }
  // The repositories the App's installation can see. When set, a token
  // request scoped (`repositories`) to any other gets GitHub's 422.
  void set_installation_repositories(std::vector<std::string> names) {
    std::lock_guard lock(mutex_);
    installation_repositories_ = std::move(names);
  }
  // Bodies of the App token requests, in order.
  std::vector<std::string> token_requests() const {
    std::lock_guard lock(mutex_);
    return token_requests_;
  }
  // The App token endpoint answers 401 unless the JWT passes `check`.
  void set_jwt_check(std::function<bool(const std::string&)> check) {
    std::lock_guard lock(mutex_);
    jwt_check_ = std::move(check);
  }

  // Every alert, by number.
  std::vector<Alert> alerts() const {
    std::lock_guard lock(mutex_);
    return alerts_;
  }
  // The alert of `rule_id` at `path` line `line`, if any.
  std::optional<Alert> alert_at(const std::string& path, int line,
                                const std::string& rule_id = "bind-all-interfaces") const {
    std::lock_guard lock(mutex_);
    for (const Alert& a : alerts_) {
      if (a.path == path && a.line == line && a.rule_id == rule_id) return a;
    }
    return std::nullopt;
  }
  // A person dismisses alert `number` in GitHub's UI.
  void dismiss_as_person(int number, std::string reason, std::string comment) {
    std::lock_guard lock(mutex_);
    Alert& a = alerts_.at(static_cast<size_t>(number - 1));
    a.state = "dismissed";
    a.dismissed_reason = std::move(reason);
    a.dismissed_comment = std::move(comment);
    a.dismissed_by = "a-person";
  }
  // The next `times` requests to the alerts API (list or PATCH) answer `status`.
  void fail_alerts_api(int status, int times) {
    std::lock_guard lock(mutex_);
    alerts_failure_ = {status, times};
  }
  // PATCH bodies received, as "NUMBER BODY", in order (failed ones included).
  std::vector<std::string> alert_patches() const {
    std::lock_guard lock(mutex_);
    return alert_patches_;
  }
  int alert_requests() const {
    std::lock_guard lock(mutex_);
    return alert_requests_;
  }

  std::vector<Upload> uploads() const {
    std::lock_guard lock(mutex_);
    return uploads_;
  }
  // The last accepted upload for `commit` (and `ref`, unless empty).
  std::optional<Upload> upload_for(const std::string& commit, const std::string& ref = "") const {
    std::lock_guard lock(mutex_);
    for (auto it = uploads_.rbegin(); it != uploads_.rend(); ++it) {
      if (it->commit_sha == commit && (ref.empty() || it->ref == ref)) return *it;
    }
    return std::nullopt;
  }
  int upload_attempts() const {
    std::lock_guard lock(mutex_);
    return upload_attempts_;
  }
  int status_polls() const {
    std::lock_guard lock(mutex_);
    return status_polls_;
  }
  std::vector<std::string> jwts() const {
    std::lock_guard lock(mutex_);
    return jwts_;
  }
  // Every Authorization header seen, in order (tests check no token leaks elsewhere).
  std::vector<std::string> authorizations() const {
    std::lock_guard lock(mutex_);
    return authorizations_;
  }

 private:
  static void json_reply(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  // Checks the common headers; replies and returns false when one is wrong.
  bool check_headers(const httplib::Request& req, httplib::Response& res, bool jwt) {
    const std::string auth = req.get_header_value("Authorization");
    authorizations_.push_back(auth);
    if (req.get_header_value("Accept") != "application/vnd.github+json" ||
        req.get_header_value("X-GitHub-Api-Version") != "2022-11-28" ||
        req.get_header_value("User-Agent").empty()) {
      json_reply(res, 400, {{"message", "missing Accept, X-GitHub-Api-Version or User-Agent"}});
      return false;
    }
    const std::string bearer = "Bearer ";
    bool known = auth.rfind(bearer, 0) == 0;
    if (known && jwt) {
      jwts_.push_back(auth.substr(bearer.size()));
      known = !jwt_check_ || jwt_check_(auth.substr(bearer.size()));
    } else if (known) {
      known = std::find(tokens_.begin(), tokens_.end(), auth.substr(bearer.size())) != tokens_.end();
    }
    if (!known) {
      json_reply(res, 401, {{"message", "Bad credentials"},
                            {"documentation_url", "https://docs.github.com/rest"}});
      return false;
    }
    return true;
  }

  void on_upload(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    ++upload_attempts_;
    if (!check_headers(req, res, false)) return;
    if (!upload_script_.empty()) {
      Reply reply = std::move(upload_script_.front());
      upload_script_.pop_front();
      if (reply.status != 202) {
        res.status = reply.status;
        for (auto& [k, v] : reply.headers) res.set_header(k.c_str(), v);
        res.set_content(reply.body.empty() ? nlohmann::json{{"message", "scripted failure"}}.dump()
                                           : reply.body,
                        "application/json");
        return;
      }
    }
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    static const std::regex sha("^[0-9a-f]{40}$");
    static const std::regex ref("^refs/(heads|pull|tags)/.*$");
    if (!body.is_object() || !body.contains("commit_sha") || !body["commit_sha"].is_string() ||
        !std::regex_match(body["commit_sha"].get<std::string>(), sha) || !body.contains("ref") ||
        !body["ref"].is_string() || !std::regex_match(body["ref"].get<std::string>(), ref)) {
      json_reply(res, 422, {{"message", "Invalid request: commit_sha or ref is invalid"}});
      return;
    }
    std::optional<std::string> text;
    if (body.contains("sarif") && body["sarif"].is_string()) {
      if (auto zipped = decode_base64(body["sarif"])) text = gunzip(*zipped);
    }
    const auto sarif = text ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
    if (!sarif.is_object() || sarif.value("version", "") != "2.1.0") {
      json_reply(res, 400, {{"message", "Invalid SARIF: not gzip+base64 of SARIF 2.1.0 JSON"}});
      return;
    }
    Upload upload{req.matches[1], req.matches[2], body["commit_sha"], body["ref"],
                  body.value("tool_name", ""), body.value("started_at", ""),
                  req.get_header_value("User-Agent"), sarif,
                  "sarif-" + std::to_string(uploads_.size() + 1), std::chrono::steady_clock::now()};
    json_reply(res, 202, {{"id", upload.id}, {"url", url() + req.path + "/" + upload.id}});
    analyse(upload);
    uploads_.push_back(std::move(upload));
  }

  // The upload's results become alerts (see the header comment).
  void analyse(const Upload& upload) {
    std::set<int> reported;
    const auto& results = upload.sarif["runs"][0]["results"];
    for (const auto& result : results) {
      const auto& location = result["locations"][0]["physicalLocation"];
      const std::string rule = result.value("ruleId", "");
      const std::string path = percent_decode(location["artifactLocation"].value("uri", ""));
      const int line = location["region"].value("startLine", 1);
      std::string fingerprint;
      if (result.contains("partialFingerprints")) {
        fingerprint = result["partialFingerprints"].value("primaryLocationLineHash", "");
      }
      // Indexed: an upload can hold 25,000 results.
      const std::string identity =
          rule + '\n' + path + '\n' + (fingerprint.empty() ? std::to_string(line) : fingerprint);
      auto [slot, added] = alert_index_.emplace(identity, alerts_.size());
      if (added) {
        Alert alert;
        alert.number = static_cast<int>(alerts_.size()) + 1;
        alert.rule_id = rule;
        alert.path = path;
        alert.fingerprint = fingerprint;
        alerts_.push_back(std::move(alert));
      }
      Alert* same = &alerts_[slot->second];
      same->line = line;
      same->refs.insert(upload.ref);
      if (same->state == "fixed") same->state = "open";
      reported.insert(same->number);
    }
    for (Alert& a : alerts_) {
      if (reported.contains(a.number) || !a.refs.erase(upload.ref)) continue;
      if (a.refs.empty() && a.state == "open") a.state = "fixed";
    }
  }

  // A scripted alerts API failure, if one is due; replies and returns true.
  bool alerts_failure(httplib::Response& res) {
    if (alerts_failure_.second <= 0) return false;
    --alerts_failure_.second;
    json_reply(res, alerts_failure_.first, {{"message", "scripted alerts API failure"}});
    return true;
  }

  nlohmann::json alert_json(const Alert& a, const std::string& ref) const {
    auto nullable = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
    return {
        {"number", a.number},
        {"state", a.state},
        {"dismissed_by", a.dismissed_by.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"login", a.dismissed_by}}},
        {"dismissed_reason", nullable(a.dismissed_reason)},
        {"dismissed_comment", nullable(a.dismissed_comment)},
        {"rule", {{"id", a.rule_id}}},
        {"tool", {{"name", "bindscan"}}},
        {"most_recent_instance",
         {{"ref", ref},
          {"state", a.state},
          {"location", {{"path", a.path}, {"start_line", a.line}, {"end_line", a.line}}}}}};
  }

  void on_list_alerts(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    ++alert_requests_;
    if (!check_headers(req, res, false) || alerts_failure(res)) return;
    const std::string ref = req.get_param_value("ref");
    const std::string state = req.get_param_value("state");
    const int per_page = req.has_param("per_page") ? std::stoi(req.get_param_value("per_page")) : 30;
    const int page = req.has_param("page") ? std::stoi(req.get_param_value("page")) : 1;
    static const std::set<std::string> states = {"", "open", "closed", "dismissed", "fixed"};
    if (!states.contains(state) || per_page < 1 || per_page > 100 || page < 1) {
      json_reply(res, 422, {{"message", "Validation Failed"}});
      return;
    }
    std::vector<const Alert*> matching;
    for (const Alert& a : alerts_) {
      if (req.has_param("tool_name") && req.get_param_value("tool_name") != "bindscan") continue;
      if (!ref.empty() && !a.refs.contains(ref) && !(a.state == "fixed" && a.refs.empty())) continue;
      if (!state.empty() && state != a.state && !(state == "closed" && a.state != "open")) continue;
      matching.push_back(&a);
    }
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = static_cast<size_t>((page - 1) * per_page);
         i < matching.size() && i < static_cast<size_t>(page * per_page); ++i) {
      out.push_back(alert_json(*matching[i], ref));
    }
    json_reply(res, 200, out);
  }

  void on_patch_alert(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    ++alert_requests_;
    alert_patches_.push_back(std::string(req.matches[3]) + " " + req.body);
    if (!check_headers(req, res, false) || alerts_failure(res)) return;
    const int number = std::stoi(req.matches[3]);
    if (number < 1 || number > static_cast<int>(alerts_.size())) {
      json_reply(res, 404, {{"message", "No alert found for alert number " + std::to_string(number)}});
      return;
    }
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    static const std::set<std::string> reasons = {"false positive", "won't fix", "used in tests"};
    const std::string state = body.is_object() ? body.value("state", "") : "";
    if (state != "open" && state != "dismissed") {
      json_reply(res, 422, {{"message", "Invalid request: state must be open or dismissed"}});
      return;
    }
    Alert& a = alerts_[static_cast<size_t>(number - 1)];
    if (state == "dismissed") {
      if (!body.contains("dismissed_reason") || !body["dismissed_reason"].is_string() ||
          !reasons.contains(body["dismissed_reason"].get<std::string>())) {
        json_reply(res, 422, {{"message", "Invalid request: dismissed_reason is required when state is dismissed"}});
        return;
      }
      std::string comment;
      if (body.contains("dismissed_comment") && body["dismissed_comment"].is_string()) {
        comment = body["dismissed_comment"];
      }
      size_t chars = 0;
      for (unsigned char c : comment) chars += (c & 0xC0) != 0x80;
      if (chars > 280) {
        json_reply(res, 422,
                   {{"message", "Invalid request: dismissed_comment is too long (maximum is 280 characters)"}});
        return;
      }
      a.state = "dismissed";
      a.dismissed_reason = body["dismissed_reason"];
      a.dismissed_comment = comment;
      a.dismissed_by = "bindscan-app";
    } else {
      a.state = "open";
      a.dismissed_reason.clear();
      a.dismissed_comment.clear();
      a.dismissed_by.clear();
    }
    json_reply(res, 200, alert_json(a, a.refs.empty() ? "" : *a.refs.begin()));
  }

  void on_status(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    ++status_polls_;
    if (!check_headers(req, res, false)) return;
    const std::string id = req.matches[3];
    auto upload = std::find_if(uploads_.begin(), uploads_.end(),
                               [&](const Upload& u) { return u.id == id; });
    if (upload == uploads_.end()) {
      json_reply(res, 404, {{"message", "Not Found"}});
      return;
    }
    std::string status = processing_status_;
    if (std::chrono::steady_clock::now() < upload->received + processing_time_) {
      status = "pending";
    } else if (pending_polls_ > 0) {
      --pending_polls_;
      status = "pending";
    }
    nlohmann::json errors = processing_errors_.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(processing_errors_);
    json_reply(res, 200, {{"processing_status", status}, {"analyses_url", nullptr}, {"errors", errors}});
  }

  void on_token(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (!check_headers(req, res, true)) return;
    token_requests_.push_back(req.body);
    const auto body = nlohmann::json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
    if (installation_repositories_ && body.is_object() && body.contains("repositories")) {
      for (const auto& name : body["repositories"]) {
        if (!name.is_string() || std::find(installation_repositories_->begin(),
                                           installation_repositories_->end(),
                                           name.get<std::string>()) == installation_repositories_->end()) {
          json_reply(res, 422, {{"message", "There is at least one repository that does not exist or "
                                            "is not accessible to the parent installation."}});
          return;
        }
      }
    }
    tokens_.push_back(installation_token_);
    json_reply(res, 201, {{"token", installation_token_}, {"expires_at", installation_expires_},
                          {"permissions", {{"contents", "read"}, {"security_events", "write"}}}});
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> tokens_;
  std::deque<Reply> upload_script_;
  std::string processing_status_ = "complete";
  int pending_polls_ = 0;
  std::chrono::milliseconds processing_time_{0};
  std::vector<std::string> processing_errors_;
  std::string installation_token_ = "installation-token";
  std::string installation_expires_ = "2099-01-01T00:00:00Z";
  std::function<bool(const std::string&)> jwt_check_;
  std::optional<std::vector<std::string>> installation_repositories_;
  std::vector<std::string> token_requests_;
  std::vector<Upload> uploads_;
  std::vector<Alert> alerts_;
  std::map<std::string, size_t> alert_index_;  // rule, path, fingerprint (or line) -> alerts_ index
  std::pair<int, int> alerts_failure_{0, 0};   // status, how many more times
  std::vector<std::string> alert_patches_;
  int alert_requests_ = 0;
  int upload_attempts_ = 0;
  int status_polls_ = 0;
  std::vector<std::string> jwts_;
  std::vector<std::string> authorizations_;
};

}  // namespace bindscan::testing

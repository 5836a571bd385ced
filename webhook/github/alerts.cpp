#include "webhook/github/alerts.h"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace bindscan::webhook {
namespace {

using nlohmann::json;

constexpr int kPerPage = 100;
// 100 pages of 100: a ref with more bindscan alerts than this is synced in part.
constexpr int kMaxPages = 100;

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string query_value(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Bytes of the first `count` code points of UTF-8 `text` (all when shorter).
size_t code_point_prefix(std::string_view text, size_t count) {
  size_t at = 0;
  for (size_t seen = 0; at < text.size() && seen < count; ++seen) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  }
  return at;
}

size_t code_points(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

struct Alert {
  int64_t number = 0;
  AlertKey key;
  std::string state;
  std::string dismissed_reason;
  std::string dismissed_comment;
};

std::optional<Alert> read_alert(const json& item) {
  if (!item.is_object()) return std::nullopt;
  Alert alert;
  const json* number = item.contains("number") ? &item["number"] : nullptr;
  if (number == nullptr || !number->is_number_integer()) return std::nullopt;
  alert.number = number->get<int64_t>();
  alert.state = item.value("state", "");
  if (auto it = item.find("dismissed_reason"); it != item.end() && it->is_string()) alert.dismissed_reason = *it;
  if (auto it = item.find("dismissed_comment"); it != item.end() && it->is_string()) alert.dismissed_comment = *it;
  if (auto rule = item.find("rule"); rule != item.end() && rule->is_object()) {
    if (auto id = rule->find("id"); id != rule->end() && id->is_string()) alert.key.rule_id = *id;
  }
  const json* location = nullptr;
  if (auto instance = item.find("most_recent_instance"); instance != item.end() && instance->is_object()) {
    if (auto it = instance->find("location"); it != instance->end() && it->is_object()) location = &*it;
  }
  if (location == nullptr) return std::nullopt;
  if (auto path = location->find("path"); path != location->end() && path->is_string()) alert.key.path = *path;
  if (auto line = location->find("start_line"); line != location->end() && line->is_number_integer()) {
    alert.key.start_line = line->get<int>();
  }
  if (alert.key.rule_id.empty() || alert.key.path.empty()) return std::nullopt;
  return alert;
}

bool dismissed_by_bindscan(const Alert& alert) {
  return alert.state == "dismissed" && alert.dismissed_comment.starts_with(kDismissedCommentPrefix);
}

class Sync {
 public:
  Sync(const GitHubClient& client, std::string_view owner, std::string_view repo, std::string_view ref,
       std::string_view token, Deadline deadline, const StopSignal* stop)
      : client_(client),
        base_("/repos/" + std::string(owner) + "/" + std::string(repo) + "/code-scanning/alerts"),
        ref_(ref),
        token_(token),
        deadline_(deadline),
        stop_(stop) {}

  // The alerts of the ref in `state`; nullopt when a page could not be read.
  std::optional<std::vector<Alert>> list(std::string_view state) {
    std::vector<Alert> alerts;
    for (int page = 1; page <= kMaxPages; ++page) {
      const std::string path = base_ + "?tool_name=bindscan&ref=" + query_value(ref_) + "&state=" + std::string(state) +
                               "&per_page=" + std::to_string(kPerPage) + "&page=" + std::to_string(page);
      auto response = client_.request("GET", path, "", token_, deadline_, stop_);
      if (!response) return fail(response.error().message), std::nullopt;
      const json doc = json::parse(response->body, nullptr, false);
      if (!doc.is_array()) return fail("GET " + path + ": the reply is not a list of alerts"), std::nullopt;
      for (const json& item : doc) {
        if (auto alert = read_alert(item)) alerts.push_back(std::move(*alert));
      }
      if (doc.size() < static_cast<size_t>(kPerPage)) return alerts;
    }
    return alerts;
  }

  bool patch(const Alert& alert, const json& body) {
    auto response =
        client_.request("PATCH", base_ + "/" + std::to_string(alert.number), body.dump(), token_, deadline_, stop_);
    if (!response) fail(response.error().message);
    return static_cast<bool>(response);
  }

  void fail(std::string message) {
    ++result.failed;
    if (result.error.empty()) result.error = std::move(message);
  }

  AlertSync result;

 private:
  const GitHubClient& client_;
  const std::string base_;
  const std::string ref_;
  const std::string_view token_;
  const Deadline deadline_;
  const StopSignal* stop_;
};

}  // namespace

std::string dismissed_comment(std::string_view origin, std::string_view reason) {
  std::string text = std::string(kDismissedCommentPrefix) + std::string(origin) + ": " + std::string(reason);
  if (code_points(text) <= kMaxDismissedCommentChars) return text;
  text.resize(code_point_prefix(text, kMaxDismissedCommentChars - 1));
  return text + "\u2026";
}

AlertSync sync_alerts(const GitHubClient& client, std::string_view owner, std::string_view repo, std::string_view ref,
                      std::string_view token, const AlertPlan& plan, Deadline deadline, const StopSignal* stop) {
  Sync sync(client, owner, repo, ref, token, deadline, stop);
  sync.result.attempted = true;
  std::map<AlertKey, const AllowedFinding*> allowed;
  for (const AllowedFinding& finding : plan.allowed) allowed.emplace(finding.key, &finding);

  auto dismiss = [&](const Alert& alert, const AllowedFinding& finding) {
    const json body = {
        {"state", "dismissed"}, {"dismissed_reason", finding.dismissed_reason}, {"dismissed_comment", finding.comment}};
    if (sync.patch(alert, body)) ++sync.result.dismissed;
  };

  // Nothing allowed, nothing to dismiss: a large repository without allow
  // entries pays one short list (its own dismissals) per upload, not all its alerts.
  auto open = allowed.empty() ? std::optional<std::vector<Alert>>() : sync.list("open");
  for (const Alert& alert : open.value_or(std::vector<Alert>())) {
    if (auto it = allowed.find(alert.key); it != allowed.end()) dismiss(alert, *it->second);
  }
  if (auto dismissed = sync.list("dismissed")) {
    for (const Alert& alert : *dismissed) {
      // A person's dismissal is theirs: never reopened, never reworded.
      if (!dismissed_by_bindscan(alert)) continue;
      if (auto it = allowed.find(alert.key); it != allowed.end()) {
        // Still allowed; the entry's reason or reason text may have changed.
        const AllowedFinding& finding = *it->second;
        if (alert.dismissed_comment != finding.comment || alert.dismissed_reason != finding.dismissed_reason) {
          dismiss(alert, finding);
        }
      } else if (plan.reported.contains(alert.key)) {
        if (sync.patch(alert, {{"state", "open"}})) ++sync.result.reopened;
      }
      // Neither: the finding is gone, and with it the reason to touch the alert.
    }
  }
  if (sync.result.failed > 0) sync.result.error += " (the next upload of this branch syncs its alerts again)";
  return sync.result;
}

}  // namespace bindscan::webhook

// Recording `allow` decisions where people look: after GitHub has processed
// an upload of the default branch, the code-scanning alerts of findings the
// commit's configuration allows are dismissed through the alerts API, and
// alerts bindscan dismissed earlier whose finding is reported again without
// an allow entry are reopened (issue 13; README "Allowed findings on GitHub").
//
// Why not leave allowed findings out of the upload: GitHub shows an alert
// missing from the newest analysis as *fixed*, which is not true. Why not
// SARIF suppressions: GitHub ingests them as open alerts (reference §4.6).
// So allowed findings are uploaded like any other, and then dismissed.
//
// Matching: an alert is the finding with the same rule id, path and start
// line (the alert's most_recent_instance.location); the REST API shows no
// fingerprints. Own dismissals are recognised by kDismissedCommentPrefix at
// the start of dismissed_comment: an alert a person dismissed (any other
// comment) is never reopened, and an open alert a person reopened after
// bindscan dismissed it is dismissed again only while the allow entry stays.
//
// The sync is state-based: every call compares all open and all bindscan-
// dismissed alerts of (ref, tool "bindscan") with the plan, so whatever one
// call could not do (an API error, a restart) the next upload's call does.
#pragma once

#include <compare>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/github/github_client.h"

namespace bindscan::webhook {

// Starts every dismissed_comment bindscan writes; how it knows its own.
inline constexpr std::string_view kDismissedCommentPrefix = "bindscan: allowed by ";
// GitHub's limit on dismissed_comment (characters; REST schema maxLength).
inline constexpr size_t kMaxDismissedCommentChars = 280;
// GitHub's dismissed_reason values an allow entry may choose.
inline constexpr std::string_view kWontFix = "won't fix";
inline constexpr std::string_view kUsedInTests = "used in tests";

// Which alert a finding is: GitHub's rule id, repository-relative path
// ("src/my app.py", not percent-encoded) and 1-based start line.
struct AlertKey {
  std::string rule_id;
  std::string path;
  int start_line = 0;
  auto operator<=>(const AlertKey&) const = default;
};

struct AllowedFinding {
  AlertKey key;
  std::string dismissed_reason;  // kWontFix or kUsedInTests
  std::string comment;           // dismissed_comment(): prefix, origin, reason
};

// What the uploaded analysis says about each finding.
struct AlertPlan {
  std::vector<AllowedFinding> allowed;  // uploaded, to be dismissed
  std::set<AlertKey> reported;          // uploaded and not allowed: to stay open
};

// What one sync did. `failed` counts alerts whose PATCH failed and lists
// that could not be read; `error` is the first failure's message (no token).
struct AlertSync {
  bool attempted = false;  // false: not synced (not the default branch, ...)
  std::string skipped;     // why not, when !attempted and it is worth saying
  int dismissed = 0;
  int reopened = 0;
  int failed = 0;
  std::string error;
};

// "bindscan: allowed by .bindscan.toml:5: container entrypoint", cut to
// kMaxDismissedCommentChars characters (code points; an ellipsis marks a cut).
std::string dismissed_comment(std::string_view origin, std::string_view reason);

// Lists the open and the dismissed alerts of `ref` for tool "bindscan"
// (paginated, 100 a page) and PATCHes: open alerts of plan.allowed to
// dismissed with their reason and comment (and bindscan-dismissed ones whose
// comment or reason changed), and bindscan-dismissed alerts of plan.reported
// back to open. Never throws; failures are counted in the result and the
// next call tries again.
AlertSync sync_alerts(const GitHubClient& client, std::string_view owner, std::string_view repo, std::string_view ref,
                      std::string_view token, const AlertPlan& plan, Deadline deadline = std::nullopt,
                      const StopSignal* stop = nullptr);

}  // namespace bindscan::webhook

// SARIF 2.1.0 for GitHub code scanning: one log, one run, everything GitHub
// reads (reference §4) and nothing nondeterministic except the times the
// caller passes in. Pure: builds a string, does no I/O, never throws except
// std::bad_alloc.
//
// Output is stable: keys in a fixed order, 2-space indentation, a final
// newline, results sorted by URI, start line, start column, rule id (then the
// rest of the region and the message). Every string is sanitised to valid
// UTF-8 first (utf8.h), so any input gives valid JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sarif/location.h"
#include "scanner/rule.h"

namespace bindscan::sarif {

inline constexpr std::string_view kSchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";
inline constexpr std::string_view kToolName = "bindscan";
inline constexpr std::string_view kInformationUri = "https://github.com/bindscan/bindscan";
// runs[].automationDetails.id. Everything up to the last '/' is GitHub's
// category (here "bindscan/python"), which keys alerts together with the tool
// name: never change it, or old alerts stay open forever (reference §3.6, §4.5).
inline constexpr std::string_view kDefaultCategory = "bindscan/python/";
// GitHub's limit on results in one run (reference: upload limits).
inline constexpr size_t kGitHubMaxResultsPerRun = 25'000;

// The uriBaseId of every location when SarifLog::source_root_uri is set.
inline constexpr std::string_view kSourceRootId = "%SRCROOT%";

// The findings of one file.
struct FileResults {
  // Repository-relative path as the filesystem or git tree spells it, with
  // '/' separators ("src/my app.py"); the writer turns it into a URI with
  // path_to_uri(), based at %SRCROOT% when there is a source root. An
  // absolute path ("/extra/a.py", a file outside the source root) becomes an
  // absolute file:// URI without uriBaseId (see root_relative_path()).
  std::string path;
  std::vector<LocatedFinding> findings;
};

// Something the tool wants to tell about its own run, e.g. a file it could
// not read or parse in time. Written to invocations[0].toolExecutionNotifications.
struct Notification {
  std::string path;  // repository-relative, as in FileResults; empty: not about a file
  std::string message;
  Level level = Level::kWarning;
};

// run.versionControlProvenance[0]: what was scanned. With a source root the
// repository is mapped to %SRCROOT% (mappedTo), tying it to the locations.
struct VersionControl {
  std::string repository_uri;  // absolute, e.g. "https://github.com/OWNER/REPO"
  std::string revision_id;     // commit SHA; empty: omitted
  std::string branch;          // branch name or ref, written verbatim; empty: omitted
};

struct SarifLog {
  std::string tool_version;  // empty: this build's BINDSCAN_VERSION
  // Rule metadata, in output order. A result's ruleIndex points into this;
  // a finding whose rule is missing here is written with ruleId only.
  std::vector<RuleInfo> rules;
  std::string category = std::string(kDefaultCategory);
  std::vector<FileResults> files;
  std::vector<Notification> notifications;
  bool execution_successful = true;
  std::optional<VersionControl> version_control;
  // file:///... of the checkout root, already percent-encoded (use
  // directory_file_uri); a missing final '/' is added. Set:
  // written as originalUriBaseIds[%SRCROOT%] and every location gets
  // uriBaseId %SRCROOT%. Empty: locations carry a relative uri only.
  std::string source_root_uri;
  // False (the default, for GitHub uploads): findings with a suppression are
  // left out, since GitHub ingests SARIF suppressions as open alerts (§4.6).
  // True: they are written with suppressions [{kind: inSource}] and every
  // other result with suppressions [], as SARIF requires.
  bool include_suppressed = false;
  // True (the service's uploads, webhook/github/alerts.h): findings allowed
  // by configuration (kConfig) are written too, with suppressions
  // [{kind: external, justification}], so their alerts exist and can be
  // dismissed; other suppressed findings are still left out, and every
  // written result carries suppressions ([] when not suppressed).
  bool include_config_suppressed = false;
  // At most this many results are written (0: no limit). GitHub rejects a
  // whole run with more than 25,000 results; past the cap the first
  // max_results in output order are kept and a warning notification says how
  // many were left out and where the first of them is.
  size_t max_results = kGitHubMaxResultsPerRun;
  // invocations[0].startTimeUtc / endTimeUtc, e.g. "2024-05-01T12:00:00Z";
  // empty: omitted. The only nondeterministic input.
  std::string start_time_utc;
  std::string end_time_utc;
  // With a baseline (sarif/baseline.h): results of the baseline that are no
  // longer found, each a SARIF result object as JSON text with baselineState
  // "absent", written after the current results.
  std::vector<std::string> absent_results;
};

// The SARIF document, pretty-printed, ending in a newline.
std::string write_sarif(const SarifLog& log);

// "note" | "warning" | "error".
std::string_view sarif_level(Level level);

// A repository-relative path as a relative URI reference (reference §4.4):
// leading "./" and "/" removed, every byte other than A-Z a-z 0-9 - . _ ~ and
// '/' percent-encoded (so spaces, reserved characters, backslashes and
// non-ASCII UTF-8 bytes become %XX, uppercase hex). "src/my app.py" ->
// "src/my%20app.py".
std::string path_to_uri(std::string_view path);

// An absolute directory as a file URI ending in '/', for
// SarifLog::source_root_uri: "/srv/my repo" -> "file:///srv/my%20repo/".
std::string directory_file_uri(std::string_view absolute_directory);

// An absolute file path as a file URI: "/extra/a,b.py" ->
// "file:///extra/a%2Cb.py".
std::string absolute_file_uri(std::string_view absolute_path);

// The artifactLocation.uri of a FileResults::path: absolute_file_uri for an
// absolute path (outside the root), else path_to_uri.
std::string artifact_uri(std::string_view path);

}  // namespace bindscan::sarif

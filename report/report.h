// Report formats of `bindscan scan`: findings in, bytes out. Each format is
// one file under report/formats/ with one `write` function, and one line in
// registry.cpp (sorted by name), like a rule. Pure: no I/O, no clock, no
// environment; what a format needs comes in the Report.
//
// Formats and their consumers (docs/report-formats.md has the details):
//   azure   Azure Pipelines logging commands (##vso[task.logissue ...])
//   github  GitHub Actions workflow commands (::warning file=...)
//   gitlab  GitLab Code Quality report (artifacts:reports:codequality)
//   json    bindscan's own documented, versioned JSON (docs/schemas/)
//   junit   JUnit XML (Jenkins, Azure DevOps, GitLab test reports)
//   rdjson  reviewdog's Diagnostic Format, DiagnosticResult
//   sarif   SARIF 2.1.0 for GitHub code scanning (sarif/writer.h)
//   text    path:line:col: rule message, for people
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sarif/baseline.h"
#include "sarif/writer.h"

namespace bindscan::report {

struct Report {
  // The whole result: files with repository-relative '/' paths, rules with
  // their effective levels (configuration overrides applied), notifications,
  // suppressed findings (always present; a format shows them only when
  // show_suppressed is set or the format has its own way to mark them).
  sarif::SarifLog log;
  int files_scanned = 0;
  // Set after a comparison with a baseline (--baseline): findings carry
  // baseline_state, log.absent_results the ones gone. Formats other than
  // sarif and json then list only new findings.
  std::optional<sarif::BaselineCounts> baseline;
  bool show_suppressed = false;  // list suppressed findings too (marked as such)
  bool color = false;            // ANSI colours; only the text format uses it
};

struct Format {
  std::string_view name;     // the --format value
  std::string_view summary;  // one line for --help and the README
  // The report's bytes. Never throws except std::bad_alloc; any strings in
  // the findings (invalid UTF-8, control characters, markup) give valid output.
  std::string (*write)(const Report& report);
};

// Every format, sorted by name.
std::span<const Format> all_formats();

// The format called `name`, or nullptr.
const Format* find_format(std::string_view name);

// "azure, github, ..., text": the names, for usage messages.
std::string format_names();

// ---- Helpers the formats share ----

// One finding to report, with the file it is in.
struct Entry {
  const sarif::FileResults* file;
  const sarif::LocatedFinding* located;
};

// The findings a format lists, in output order (path, line, column, rule):
// suppressed ones only when `with_suppressed`; after a baseline comparison
// the unchanged ones only when `with_unchanged`.
std::vector<Entry> entries(const Report& report, bool with_suppressed, bool with_unchanged = false);

// The level of a finding: its own (Finding::level, a "may" finding) or else
// its rule's effective level in report.log.rules; kWarning for an unknown rule.
Level level_of(const Report& report, const Finding& finding);

// A stable identity of a finding for consumers that de-duplicate by it
// (GitLab's fingerprint): 32 lowercase hex digits derived from the rule, the
// path, the line's primaryLocationLineHash and the start column, so it
// survives line moves as GitHub's alerts do.
std::string fingerprint(const Entry& entry);

}  // namespace bindscan::report

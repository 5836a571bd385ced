// GitLab Code Quality report: a JSON array of Code Climate issues, read from
// `artifacts: reports: codequality` and shown in the merge request widget and
// the pipeline's Code Quality tab on every GitLab tier. (GitLab's SAST report
// would put findings in the Security tab, but only on Ultimate, and its
// schema requires analyzer and vulnerability metadata bindscan does not have;
// see docs/report-formats.md.)
//
// Every issue has what GitLab's parser requires (description, fingerprint,
// severity, location.path and location.lines.begin) plus check_name,
// categories and type from the Code Climate spec. GitLab has no notion of a
// suppressed issue, so suppressed findings are never written.
#include <nlohmann/json.hpp>

#include "report/formats/formats.h"
#include "sarif/utf8.h"

namespace bindscan::report {
namespace {

std::string_view severity(Level level) {
  switch (level) {
    case Level::kNote:
      return "minor";
    case Level::kWarning:
      return "major";
    case Level::kError:
      return "critical";
  }
  return "major";
}

}  // namespace

std::string write_gitlab(const Report& report) {
  using Json = nlohmann::ordered_json;
  Json issues = Json::array();
  for (const Entry& e : entries(report, false)) {
    const Finding& finding = e.located->finding;
    issues.push_back({{"type", "issue"},
                      {"check_name", sarif::sanitize_utf8(finding.rule_id)},
                      {"description", sarif::sanitize_utf8(finding.message)},
                      {"categories", Json::array({"Security"})},
                      {"severity", severity(level_of(report, finding))},
                      {"fingerprint", fingerprint(e)},
                      {"location",
                       {{"path", sarif::sanitize_utf8(e.file->path)},
                        {"lines", {{"begin", e.located->region.start_line}, {"end", e.located->region.end_line}}}}}});
  }
  return issues.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace bindscan::report

// bindscan's own JSON report, schema version 1:
// docs/schemas/bindscan-report-1.json (JSON Schema 2020-12), described in
// docs/report-formats.md. The version changes only when a field is removed or
// changes meaning; new optional fields may appear within a version.
#include <nlohmann/json.hpp>

#include "report/formats/formats.h"
#include "sarif/utf8.h"

namespace bindscan::report {
namespace {

using Json = nlohmann::ordered_json;

std::string text(std::string_view s) { return sarif::sanitize_utf8(s); }

Json position(int line, int column) { return {{"line", line}, {"column", column}}; }

Json region(const sarif::Region& r) {
  return {{"start", position(r.start_line, r.start_column)}, {"end", position(r.end_line, r.end_column)}};
}

Json finding_json(const Report& report, const Entry& e) {
  const Finding& finding = e.located->finding;
  Json out = {{"rule", text(finding.rule_id)},       {"level", sarif::sarif_level(level_of(report, finding))},
              {"message", text(finding.message)},    {"path", text(e.file->path)},
              {"region", region(e.located->region)}, {"fingerprint", text(e.located->line_hash)}};
  Json related = Json::array();
  for (size_t i = 0; i < finding.related.size() && i < e.located->related.size(); ++i)
    related.push_back({{"message", text(finding.related[i].message)}, {"region", region(e.located->related[i])}});
  out["related"] = std::move(related);
  if (finding.fix && finding.fix->edits.size() == e.located->fix_regions.size()) {
    Json edits = Json::array();
    for (size_t i = 0; i < finding.fix->edits.size(); ++i)
      edits.push_back(
          {{"region", region(e.located->fix_regions[i])}, {"text", text(finding.fix->edits[i].replacement)}});
    out["fix"] = {{"description", text(finding.fix->description)}, {"edits", std::move(edits)}};
  }
  if (!e.located->baseline_state.empty()) out["baseline_state"] = e.located->baseline_state;
  if (finding.suppression) {
    const bool external = finding.suppression->kind == SuppressionKind::kConfig;
    out["suppression"] = {{"kind", external ? "external" : "inSource"},
                          {"source", to_string(finding.suppression->kind)},
                          {"justification", text(finding.suppression->comment)}};
  }
  return out;
}

}  // namespace

std::string write_json(const Report& report) {
  const std::string version = report.log.tool_version.empty() ? BINDSCAN_VERSION : text(report.log.tool_version);
  Json rules = Json::array();
  for (const RuleInfo& rule : report.log.rules)
    rules.push_back({{"id", text(rule.id)},
                     {"level", sarif::sarif_level(rule.default_level)},
                     {"security_severity", text(rule.security_severity)},
                     {"cwe", rule.cwe}});
  Json findings = Json::array();
  int suppressed = 0, reported = 0;
  for (const Entry& e : entries(report, true, true)) {
    (e.located->finding.suppression ? suppressed : reported)++;
    if (report.show_suppressed || !e.located->finding.suppression) findings.push_back(finding_json(report, e));
  }
  Json notifications = Json::array();
  for (const sarif::Notification& n : report.log.notifications) {
    Json notification = {{"level", sarif::sarif_level(n.level)}, {"message", text(n.message)}};
    if (!n.path.empty()) notification["path"] = text(n.path);
    notifications.push_back(std::move(notification));
  }
  Json document = {
      {"schema_version", 1},
      {"tool", {{"name", sarif::kToolName}, {"version", version}, {"information_uri", sarif::kInformationUri}}},
      {"rules", std::move(rules)},
      {"findings", std::move(findings)},
      {"notifications", std::move(notifications)},
      {"summary",
       {{"files_scanned", report.files_scanned},
        {"findings", reported},
        {"suppressed", suppressed},
        {"execution_successful", report.log.execution_successful}}}};
  Json& out = document;
  if (report.baseline) {
    out["summary"]["new"] = report.baseline->new_findings;
    out["summary"]["absent"] = report.baseline->absent;
  }
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace bindscan::report

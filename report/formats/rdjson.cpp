// reviewdog's Diagnostic Format as one DiagnosticResult (`reviewdog
// -f=rdjson`). Lines are 1-based; columns are 1-based UTF-8 byte counts, as the
// format defines them (not SARIF's UTF-16 units), taken from the finding's byte
// span; the end is exclusive. A fix becomes a suggestion
// (only where byte columns are known: a suggestion without columns would
// replace whole lines). Suppressed findings
// are never written: reviewdog would comment on them.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ranges>

#include "report/formats/formats.h"
#include "sarif/utf8.h"

namespace bindscan::report {
namespace {

using Json = nlohmann::ordered_json;

std::string_view severity(Level level) {
  switch (level) {
    case Level::kNote:
      return "INFO";
    case Level::kWarning:
      return "WARNING";
    case Level::kError:
      return "ERROR";
  }
  return "WARNING";
}

// A position from a tree-sitter point (0-based row, byte column). The region
// gives the line, which counts a lone CR as a line break and tree-sitter does
// not: where the two disagree the column is left out rather than guessed.
Json position(int line, const Point& point) {
  Json out = {{"line", line}};
  if (static_cast<int>(point.row) + 1 == line) out["column"] = point.column + 1;
  return out;
}

Json range(const sarif::Region& region, const Span& span) {
  return {{"start", position(region.start_line, span.start)}, {"end", position(region.end_line, span.stop)}};
}

}  // namespace

std::string write_rdjson(const Report& report) {
  Json diagnostics = Json::array();
  for (const Entry& e : entries(report, false)) {
    const Finding& finding = e.located->finding;
    Json diagnostic = {
        {"message", sarif::sanitize_utf8(finding.message)},
        {"location", {{"path", sarif::sanitize_utf8(e.file->path)}, {"range", range(e.located->region, finding.span)}}},
        {"severity", severity(level_of(report, finding))},
        {"source", {{"name", sarif::kToolName}, {"url", sarif::kInformationUri}}},
        {"code", {{"value", sarif::sanitize_utf8(finding.rule_id)}}}};
    const auto columns_known = [&](size_t i) {
      const Span& span = finding.fix->edits[i].span;
      const sarif::Region& region = e.located->fix_regions[i];
      return static_cast<int>(span.start.row) + 1 == region.start_line &&
             static_cast<int>(span.stop.row) + 1 == region.end_line;
    };
    if (finding.fix && finding.fix->edits.size() == e.located->fix_regions.size() &&
        std::ranges::all_of(std::views::iota(size_t{0}, finding.fix->edits.size()), columns_known)) {
      Json suggestions = Json::array();
      for (size_t i = 0; i < finding.fix->edits.size(); ++i)
        suggestions.push_back({{"range", range(e.located->fix_regions[i], finding.fix->edits[i].span)},
                               {"text", sarif::sanitize_utf8(finding.fix->edits[i].replacement)}});
      diagnostic["suggestions"] = std::move(suggestions);
    }
    diagnostics.push_back(std::move(diagnostic));
  }
  Json result = {{"source", {{"name", sarif::kToolName}, {"url", sarif::kInformationUri}}},
                 {"diagnostics", std::move(diagnostics)}};
  return result.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace bindscan::report

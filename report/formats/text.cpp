// path:line:column: rule-id message, one line per finding, as other linters
// print them, then one indented "via" line per related location (each hop of
// the value flow), so a finding can be checked without the analysis. Columns
// are 1-based UTF-16 units, as in SARIF.
#include "report/formats/formats.h"

namespace bindscan::report {

std::string write_text(const Report& report) {
  const char* bold = report.color ? "\033[1m" : "";
  const char* red = report.color ? "\033[31m" : "";
  const char* reset = report.color ? "\033[0m" : "";
  std::string out;
  for (const Entry& e : entries(report, report.show_suppressed)) {
    const Finding& finding = e.located->finding;
    const std::string& path = e.file->path;
    out += std::string(bold) + path + reset + ':' + std::to_string(e.located->region.start_line) + ':' +
           std::to_string(e.located->region.start_column) + ": " + red + finding.rule_id + reset + ' ' +
           finding.message;
    if (finding.level == Level::kNote) out += " [note: only some paths]";
    if (finding.suppression) out += " [suppressed: " + finding.suppression->comment + ']';
    out += '\n';
    for (size_t i = 0; i < finding.related.size() && i < e.located->related.size(); ++i)
      out += "    via " + (finding.related[i].path.empty() ? path : finding.related[i].path) + ':' +
             std::to_string(e.located->related[i].start_line) + ':' +
             std::to_string(e.located->related[i].start_column) + ": " + finding.related[i].message + '\n';
  }
  return out;
}

}  // namespace bindscan::report

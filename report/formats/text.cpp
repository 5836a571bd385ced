// path:line:column: rule-id message, one line per finding, as other linters
// print them. Columns are 1-based UTF-16 units, as in SARIF.
#include "report/formats/formats.h"

namespace bindscan::report {

std::string write_text(const Report &report) {
  const char *bold = report.color ? "\033[1m" : "";
  const char *red = report.color ? "\033[31m" : "";
  const char *reset = report.color ? "\033[0m" : "";
  std::string out;
  for (const Entry &e : entries(report, report.show_suppressed)) {
    const Finding &finding = e.located->finding;
    out += std::string(bold) + std::string(e.display_path) + reset + ':' +
           std::to_string(e.located->region.start_line) + ':' +
           std::to_string(e.located->region.start_column) + ": " + red +
           finding.rule_id + reset + ' ' + finding.message;
    if (finding.suppression)
      out += " [suppressed: " + finding.suppression->comment + ']';
    out += '\n';
  }
  return out;
}

} // namespace bindscan::report

// Azure Pipelines logging commands, one per finding:
//   ##vso[task.logissue
//   type=warning;sourcepath=F;linenumber=L;columnnumber=C;code=RULE;]message
// Azure has only `error` and `warning` issues, so a note is a warning.
// Escaping is the agent's (azure-pipelines-task-lib taskcommand.js):
// properties escape % CR LF ] ;, the message % CR LF. A suppressed finding
// (--show-suppressed) is a plain log line, not an issue.
#include "report/formats/formats.h"

namespace bindscan::report {
namespace {

std::string escape(std::string_view text, bool property) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%AZP25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ']')
      out += "%5D";
    else if (property && c == ';')
      out += "%3B";
    else
      out += c;
  }
  return out;
}

// Plain log text on one line. The agent looks for `##vso[` anywhere in a
// line, so "##" is broken up too.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r' || c == '\n') c = ' ';
    if (c == '#' && !out.empty() && out.back() == '#') out += ' ';
    out += c;
  }
  return out;
}

}  // namespace

std::string write_azure(const Report& report) {
  std::string out;
  for (const Entry& e : entries(report, report.show_suppressed)) {
    const Finding& finding = e.located->finding;
    const sarif::Region& r = e.located->region;
    if (finding.suppression) {
      // Prefixed, so it cannot start a command of its own, and on one line.
      out += "suppressed: " +
             one_line(e.file->path + ':' + std::to_string(r.start_line) + ':' + std::to_string(r.start_column) + ": " +
                      finding.rule_id + ' ' + finding.message + " [suppressed: " + finding.suppression->comment + ']') +
             '\n';
      continue;
    }
    const bool error = level_of(report, finding) == Level::kError;
    out += std::string("##vso[task.logissue type=") + (error ? "error" : "warning") +
           ";sourcepath=" + escape(e.file->path, true) + ";linenumber=" + std::to_string(r.start_line) +
           ";columnnumber=" + std::to_string(r.start_column) + ";code=" + escape(finding.rule_id, true) + ";]" +
           escape(finding.message, false) + '\n';
  }
  return out;
}

}  // namespace bindscan::report

// GitHub Actions workflow commands: `::warning file=F,line=L,...::message`,
// shown as annotations on the run and the pull request. Paths are
// repository-relative, as the annotations need. Escaping follows
// @actions/core (toCommandValue / escapeData / escapeProperty).
#include "report/formats/formats.h"

namespace bindscan::report {
namespace {

std::string escape_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string escape_property(std::string_view text) {
  std::string out;
  for (char c : escape_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

std::string_view command(Level level) {
  switch (level) {
    case Level::kNote:
      return "::notice";
    case Level::kWarning:
      return "::warning";
    case Level::kError:
      return "::error";
  }
  return "::warning";
}

}  // namespace

std::string write_github(const Report& report) {
  std::string out;
  for (const Entry& e : entries(report, report.show_suppressed)) {
    const Finding& finding = e.located->finding;
    const sarif::Region& r = e.located->region;
    // A suppressed finding is listed as a notice, so it does not read as a
    // problem.
    out += std::string(finding.suppression ? "::notice" : command(level_of(report, finding))) +
           " file=" + escape_property(e.file->path) + ",line=" + std::to_string(r.start_line) +
           ",col=" + std::to_string(r.start_column) + ",endLine=" + std::to_string(r.end_line) +
           ",endColumn=" + std::to_string(r.end_column) + ",title=" + escape_property(finding.rule_id) +
           "::" + escape_data(finding.message) + '\n';
  }
  return out;
}

}  // namespace bindscan::report

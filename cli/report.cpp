#include "cli/report.h"

#include <ostream>

namespace bindscan::cli {
namespace {

bool shown(const sarif::LocatedFinding& located, bool show_suppressed) {
  return show_suppressed || !located.finding.suppression;
}

}  // namespace

void write_text(std::ostream& out, const std::vector<sarif::FileResults>& files, bool show_suppressed, bool color) {
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* reset = color ? "\033[0m" : "";
  for (const sarif::FileResults& file : files) {
    for (const sarif::LocatedFinding& located : file.findings) {
      if (!shown(located, show_suppressed)) continue;
      out << bold << file.path << reset << ':' << located.region.start_line << ':' << located.region.start_column
          << ": " << red << located.finding.rule_id << reset << ' ' << located.finding.message;
      if (located.finding.level == Level::kNote) out << " [note: only some paths]";
      if (located.finding.suppression) out << " [suppressed: " << located.finding.suppression->comment << ']';
      out << '\n';
      // Each hop of the value flow, so the finding can be checked without the analysis.
      const auto& related = located.finding.related;
      for (size_t i = 0; i < related.size() && i < located.related.size(); ++i)
        out << "    via " << (related[i].path.empty() ? file.path : related[i].path) << ':'
            << located.related[i].start_line << ':'
            << located.related[i].start_column << ": " << related[i].message << '\n';
    }
  }
}

std::string github_escape_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

std::string github_escape_property(std::string_view text) {
  std::string out;
  for (char c : github_escape_data(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

void write_github(std::ostream& out, const std::vector<sarif::FileResults>& files, bool show_suppressed) {
  for (const sarif::FileResults& file : files) {
    for (const sarif::LocatedFinding& located : file.findings) {
      if (!shown(located, show_suppressed)) continue;
      const sarif::Region& r = located.region;
      out << (located.finding.suppression ? "::notice" : "::warning") << " file=" << github_escape_property(file.path)
          << ",line=" << r.start_line << ",col=" << r.start_column << ",endLine=" << r.end_line
          << ",endColumn=" << r.end_column << ",title=" << github_escape_property(located.finding.rule_id)
          << "::" << github_escape_data(located.finding.message) << '\n';
    }
  }
}

}  // namespace bindscan::cli

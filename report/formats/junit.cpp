// JUnit XML, as Jenkins (junit step), Azure DevOps (PublishTestResults) and
// GitLab (artifacts:reports:junit) read it: one <testsuite> per file with
// findings, one <testcase> per finding with a <failure>; a suppressed finding
// (--show-suppressed) is a <skipped> case with the reason. With no findings
// the report has one passing case, so "no test results" is not mistaken for
// a broken job.
#include "report/formats/formats.h"
#include "sarif/utf8.h"

namespace bindscan::report {
namespace {

// Text for an XML 1.0 attribute or element: valid UTF-8, markup escaped, and
// the control characters XML 1.0 forbids replaced by U+FFFD.
std::string xml(std::string_view text) {
  std::string out;
  for (char c : sarif::sanitize_utf8(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += "\xEF\xBF\xBD";
        else
          out += c;
    }
  }
  return out;
}

}  // namespace

std::string write_junit(const Report& report) {
  const std::vector<Entry> all = entries(report, report.show_suppressed);
  int failures = 0, skipped = 0;
  for (const Entry& e : all) (e.located->finding.suppression ? skipped : failures)++;
  const std::string tests = std::to_string(all.empty() ? 1 : all.size());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"bindscan\" tests=\"" + tests + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"0\" skipped=\"" + std::to_string(skipped) + "\">\n";
  if (all.empty()) {
    out +=
        "  <testsuite name=\"bindscan\" tests=\"1\" failures=\"0\" "
        "errors=\"0\" skipped=\"0\">\n"
        "    <testcase name=\"no findings\" classname=\"bindscan\"/>\n  "
        "</testsuite>\n";
  }
  for (size_t begin = 0; begin < all.size();) {
    size_t end = begin;
    int file_failures = 0, file_skipped = 0;
    for (; end < all.size() && all[end].file == all[begin].file; ++end)
      (all[end].located->finding.suppression ? file_skipped : file_failures)++;
    const std::string path = xml(all[begin].file->path);
    out += "  <testsuite name=\"" + path + "\" tests=\"" + std::to_string(end - begin) + "\" failures=\"" +
           std::to_string(file_failures) + "\" errors=\"0\" skipped=\"" + std::to_string(file_skipped) + "\">\n";
    for (size_t i = begin; i < end; ++i) {
      const Finding& finding = all[i].located->finding;
      const sarif::Region& r = all[i].located->region;
      const std::string where = std::to_string(r.start_line) + ':' + std::to_string(r.start_column);
      out += "    <testcase name=\"" + xml(finding.rule_id) + " at " + path + ':' + where + "\" classname=\"" + path +
             "\" file=\"" + path + "\" line=\"" + std::to_string(r.start_line) + "\">\n";
      if (finding.suppression) {
        out += "      <skipped message=\"suppressed: " + xml(finding.suppression->comment) + "\"/>\n";
      } else {
        out += "      <failure message=\"" + xml(finding.message) + "\" type=\"" +
               std::string(sarif::sarif_level(level_of(report, finding))) + "\">" + path + ':' + where + ": " +
               xml(finding.rule_id) + ' ' + xml(finding.message) + "</failure>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
    begin = end;
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace bindscan::report

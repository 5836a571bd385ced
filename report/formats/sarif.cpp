// SARIF 2.1.0: the writer in sarif/ does the work; this adapts it to the
// format table. Suppressed findings are left out unless show_suppressed is
// set, because GitHub ingests SARIF suppressions as open alerts.
#include "report/formats/formats.h"

namespace bindscan::report {

std::string write_sarif(const Report& report) {
  if (report.log.include_suppressed == report.show_suppressed) return sarif::write_sarif(report.log);
  sarif::SarifLog log = report.log;
  log.include_suppressed = report.show_suppressed;
  return sarif::write_sarif(log);
}

}  // namespace bindscan::report

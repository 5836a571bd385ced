// Comparing a scan with an earlier one (`bindscan scan --baseline OLD.sarif`),
// so a team adopting bindscan on a large code base is held to new findings
// only. Results are matched as GitHub matches alerts: by rule id, artifact
// URI and partialFingerprints.primaryLocationLineHash, so a finding whose
// lines moved is still the same finding.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/result.h"
#include "sarif/writer.h"

namespace bindscan::sarif {

struct Baseline {
  using Key = std::tuple<std::string, std::string, std::string>;  // ruleId, uri, line hash
  // Each baseline result by its key (a key may repeat), as JSON text.
  std::multimap<Key, std::string> results;
};

// Reads a SARIF log written by bindscan. Error code "baseline" with a message
// naming `file_name` when the text is not JSON, not SARIF 2.1.0, from another
// tool, or has results without the fields matching needs.
Result<Baseline> parse_baseline(std::string_view text, const std::string& file_name);

struct BaselineCounts {
  int new_findings = 0;  // not suppressed and not in the baseline
  int unchanged = 0;
  int absent = 0;
};

// Marks every finding of `log` "new" or "unchanged" (LocatedFinding::
// baseline_state) and puts the baseline results not found again into
// log.absent_results. Suppressed findings are marked too but not counted.
BaselineCounts compare_with_baseline(SarifLog& log, const Baseline& baseline);

}  // namespace bindscan::sarif

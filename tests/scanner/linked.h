// Findings as the webhook service computes them, for tests: each file
// summarized alone (Scanner::summarize), then the summaries linked
// (flow::link); per file, its own findings and the linked ones, sorted.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "scanner/flow/summary.h"
#include "scanner/rule.h"
#include "scanner/scan.h"

namespace bindscan::testing {

inline flow::CloseSite close_of(std::string_view rule_id) {
  const Rule* rule = find_rule(rule_id);
  return rule != nullptr ? rule->close : nullptr;
}

// `summaries` (if given) receives each file's summary.
inline std::vector<std::vector<Finding>> summarize_and_link(const std::vector<std::string>& paths,
                                                            const std::vector<std::string>& sources,
                                                            std::vector<flow::ModuleSummary>* summaries = nullptr) {
  Scanner scanner;
  std::vector<flow::ModuleSummary> own(paths.size());
  std::vector<std::vector<Finding>> out(paths.size());
  std::vector<flow::SummarizedFile> summarized;
  for (size_t i = 0; i < paths.size(); ++i) {
    out[i] = scanner.summarize(sources[i], own[i]).findings;
    summarized.push_back({paths[i], &own[i]});
  }
  std::vector<std::vector<Finding>> linked = flow::link(summarized, close_of);
  for (size_t i = 0; i < paths.size(); ++i) {
    for (Finding& f : linked[i]) out[i].push_back(std::move(f));
    std::sort(out[i].begin(), out[i].end());
  }
  if (summaries != nullptr) *summaries = std::move(own);
  return out;
}

}  // namespace bindscan::testing

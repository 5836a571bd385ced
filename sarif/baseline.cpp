#include "sarif/baseline.h"

#include <nlohmann/json.hpp>

#include "sarif/utf8.h"

namespace bindscan::sarif {
namespace {

Error bad(const std::string& file_name, const std::string& why) {
  return Error{"baseline",
               file_name + ": " + why +
                   "; a baseline is a SARIF file written by `bindscan scan --format sarif` or --write-baseline"};
}

}  // namespace

Result<Baseline> parse_baseline(std::string_view text, const std::string& file_name) {
  const nlohmann::json log = nlohmann::json::parse(text, nullptr, false);
  if (log.is_discarded()) return bad(file_name, "not JSON");
  if (!log.is_object() || log.value("version", nlohmann::json()) != "2.1.0" || !log.contains("runs") ||
      !log["runs"].is_array())
    return bad(file_name, "not a SARIF 2.1.0 log (no \"version\": \"2.1.0\" and \"runs\")");
  Baseline baseline;
  for (const nlohmann::json& run : log["runs"]) {
    const nlohmann::json* driver = nullptr;
    if (run.is_object() && run.contains("tool") && run["tool"].is_object() && run["tool"].contains("driver"))
      driver = &run["tool"]["driver"];
    const std::string tool = driver && driver->is_object() && (*driver).value("name", nlohmann::json()).is_string()
                                 ? (*driver)["name"].get<std::string>()
                                 : "";
    if (tool != kToolName)
      return bad(file_name, tool.empty() ? "a run without tool.driver.name"
                                         : "from another tool (" + sanitize_utf8(tool) + "), not bindscan");
    if (!run.contains("results") || !run["results"].is_array()) return bad(file_name, "a run without results");
    for (const nlohmann::json& result : run["results"]) {
      try {
        const std::string rule = result.at("ruleId").get<std::string>();
        const std::string uri =
            result.at("locations").at(0).at("physicalLocation").at("artifactLocation").at("uri").get<std::string>();
        const std::string hash = result.at("partialFingerprints").at("primaryLocationLineHash").get<std::string>();
        // A result that was itself absent from its baseline is gone for good.
        if (result.value("baselineState", "") == "absent") continue;
        baseline.results.emplace(Baseline::Key{rule, uri, hash}, result.dump());
      } catch (const nlohmann::json::exception&) {
        return bad(file_name, "a result without ruleId, a location uri or partialFingerprints.primaryLocationLineHash");
      }
    }
  }
  return baseline;
}

BaselineCounts compare_with_baseline(SarifLog& log, const Baseline& baseline) {
  BaselineCounts counts;
  std::multimap<Baseline::Key, std::string> left = baseline.results;
  for (FileResults& file : log.files) {
    const std::string uri = artifact_uri(file.path);
    for (LocatedFinding& located : file.findings) {
      auto match = left.find(Baseline::Key{located.finding.rule_id, uri, located.line_hash});
      const bool known = match != left.end();
      if (known) left.erase(match);
      located.baseline_state = known ? "unchanged" : "new";
      if (located.finding.suppression) continue;
      (known ? counts.unchanged : counts.new_findings)++;
    }
  }
  log.absent_results.clear();
  for (const auto& [key, text] : left) log.absent_results.push_back(text);
  counts.absent = static_cast<int>(log.absent_results.size());
  return counts;
}

}  // namespace bindscan::sarif

#include "sarif/writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "sarif/utf8.h"

#ifndef BINDSCAN_VERSION
#error "BINDSCAN_VERSION must be defined (a compile definition of the scanner target)"
#endif

namespace bindscan::sarif {
namespace {

using Json = nlohmann::ordered_json;

std::string text(std::string_view s) {
  return sanitize_utf8(s);
}

Json message(std::string_view s) {
  return {{"text", text(s)}};
}

std::string help_uri(std::string_view rule_id) {
  std::string folder(rule_id);
  std::replace(folder.begin(), folder.end(), '-', '_');
  return std::string(kInformationUri) + "/blob/main/scanner/rules/" + folder + "/doc.md";
}

std::string_view problem_severity(Level level) {
  return level == Level::kNote ? "recommendation" : sarif_level(level);
}

Json rule_json(const RuleInfo& rule) {
  const std::string_view help = rule.documentation.empty() ? rule.full_description : rule.documentation;
  Json properties = {{"tags", Json::array({"security"})}};
  if (rule.cwe > 0) properties["tags"].push_back("external/cwe/cwe-" + std::to_string(rule.cwe));
  if (!rule.precision.empty()) properties["precision"] = text(rule.precision);
  properties["problem.severity"] = problem_severity(rule.default_level);
  if (!rule.security_severity.empty()) properties["security-severity"] = text(rule.security_severity);
  return {{"id", text(rule.id)},
          {"name", text(rule.name)},
          {"shortDescription", message(rule.short_description)},
          {"fullDescription", message(rule.full_description)},
          {"defaultConfiguration", {{"level", sarif_level(rule.default_level)}}},
          {"help", {{"text", text(help)}, {"markdown", text(help)}}},
          {"helpUri", help_uri(text(rule.id))},
          {"properties", std::move(properties)}};
}

class Writer {
 public:
  explicit Writer(const SarifLog& log) : log_(log) {
    if (!log.source_root_uri.empty()) {
      root_ = text(log.source_root_uri);
      if (root_.back() != '/') root_ += '/';
    }
  }

  // A path outside the source root is absolute: it must not be read as
  // relative to %SRCROOT%, where it would name a file that does not exist.
  static std::string uri_of(std::string_view path) { return artifact_uri(path); }

  Json artifact(const std::string& uri) const {
    Json location = {{"uri", uri}};
    if (!root_.empty() && !uri.starts_with("file:")) location["uriBaseId"] = kSourceRootId;
    return location;
  }

  static Json region(const Region& r) {
    return {{"startLine", r.start_line},
            {"startColumn", r.start_column},
            {"endLine", r.end_line},
            {"endColumn", r.end_column}};
  }

  Json physical(const std::string& uri, const Region& r) const {
    return {{"physicalLocation", {{"artifactLocation", artifact(uri)}, {"region", region(r)}}}};
  }

  Json result(const std::string& uri, const LocatedFinding& located) const {
    const Finding& finding = located.finding;
    const auto rule = std::find_if(log_.rules.begin(), log_.rules.end(),
                                   [&](const RuleInfo& r) { return r.id == finding.rule_id; });
    const bool known = rule != log_.rules.end();

    Json out = {{"ruleId", text(finding.rule_id)}};
    if (known) out["ruleIndex"] = rule - log_.rules.begin();
    out["level"] = sarif_level(finding.level ? *finding.level : known ? rule->default_level : Level::kWarning);
    // GitHub rejects an empty message; the rule's description is the best stand-in.
    const std::string_view fallback = known ? rule->short_description : std::string_view(finding.rule_id);
    out["message"] = message(finding.message.empty() ? fallback : finding.message);
    out["locations"] = Json::array({physical(uri, located.region)});
    if (!located.line_hash.empty()) {
      out["partialFingerprints"] = {{"primaryLocationLineHash", text(located.line_hash)}};
    }

    if (!finding.related.empty()) {
      Json related = Json::array();
      for (std::size_t i = 0; i < finding.related.size() && i < located.related.size(); ++i) {
        Json location = {{"id", i + 1}};
        const std::string& where = finding.related[i].path;
        location.update(physical(where.empty() ? uri : where, located.related[i]));
        if (!finding.related[i].message.empty()) location["message"] = message(finding.related[i].message);
        related.push_back(std::move(location));
      }
      out["relatedLocations"] = std::move(related);
    }

    if (finding.fix) {
      Json replacements = Json::array();
      for (std::size_t i = 0; i < finding.fix->edits.size() && i < located.fix_regions.size(); ++i) {
        replacements.push_back({{"deletedRegion", region(located.fix_regions[i])},
                                {"insertedContent", {{"text", text(finding.fix->edits[i].replacement)}}}});
      }
      out["fixes"] =
          Json::array({{{"description", message(finding.fix->description)},
                        {"artifactChanges", Json::array({{{"artifactLocation", artifact(uri)},
                                                          {"replacements", std::move(replacements)}}})}}});
    }

    if (!located.baseline_state.empty()) out["baselineState"] = located.baseline_state;

    if (writes_suppressions()) {
      Json suppressions = Json::array();
      if (finding.suppression) {
        Json suppression = {{"kind", finding.suppression->kind == SuppressionKind::kConfig ? "external" : "inSource"}};
        if (!finding.suppression->comment.empty())
          suppression["justification"] = text(finding.suppression->comment);
        suppressions.push_back(std::move(suppression));
      }
      out["suppressions"] = std::move(suppressions);
    }
    return out;
  }

  // Every result carries `suppressions` once any suppressed one may be written (SARIF's rule).
  bool writes_suppressions() const { return log_.include_suppressed || log_.include_config_suppressed; }
  bool written(const Suppression& suppression) const {
    return log_.include_suppressed || (log_.include_config_suppressed && suppression.kind == SuppressionKind::kConfig);
  }

  struct Entry {
    std::string uri;
    const LocatedFinding* located;
  };

  // Every result to write, in output order.
  std::vector<Entry> sorted_entries() const {
    std::vector<Entry> entries;
    for (const FileResults& file : log_.files) {
      const std::string uri = uri_of(file.path);
      for (const LocatedFinding& located : file.findings) {
        if (located.finding.suppression && !written(*located.finding.suppression)) continue;
        entries.push_back({uri, &located});
      }
    }
    const auto key = [](const Entry& e) {
      const Region& r = e.located->region;
      return std::tie(e.uri, r.start_line, r.start_column, e.located->finding.rule_id, r.end_line,
                      r.end_column, e.located->finding.message);
    };
    std::stable_sort(entries.begin(), entries.end(),
                     [&](const Entry& a, const Entry& b) { return key(a) < key(b); });
    return entries;
  }

  Json results(const std::vector<Entry>& entries, size_t count) const {
    Json out = Json::array();
    for (size_t i = 0; i < count; ++i) out.push_back(result(entries[i].uri, *entries[i].located));
    for (const std::string& text : log_.absent_results) {
      Json absent = Json::parse(text, nullptr, false);
      if (!absent.is_object()) continue;
      // The rule table may have changed since; the id still names the rule.
      absent.erase("ruleIndex");
      if (writes_suppressions() && !absent.contains("suppressions")) absent["suppressions"] = Json::array();
      if (!writes_suppressions()) absent.erase("suppressions");
      absent["baselineState"] = "absent";
      out.push_back(std::move(absent));
    }
    return out;
  }

  // Said in the run when results were left out at the cap.
  static Notification left_out(const std::vector<Entry>& entries, size_t kept) {
    const Entry& first = entries[kept];
    return Notification{
        "",
        std::to_string(entries.size() - kept) + " of " + std::to_string(entries.size()) +
            " results were left out: GitHub accepts at most " + std::to_string(kept) +
            " results per run. The first left out is in " + first.uri + " at line " +
            std::to_string(first.located->region.start_line) +
            "; results are kept in order of path, line and column.",
        Level::kWarning};
  }

  Json invocation(const std::optional<Notification>& extra) const {
    Json out = {{"executionSuccessful", log_.execution_successful}};
    if (!log_.start_time_utc.empty()) out["startTimeUtc"] = text(log_.start_time_utc);
    if (!log_.end_time_utc.empty()) out["endTimeUtc"] = text(log_.end_time_utc);
    std::vector<Notification> all = log_.notifications;
    if (extra) all.push_back(*extra);
    if (!all.empty()) {
      Json notifications = Json::array();
      for (const Notification& n : all) {
        Json notification = {{"level", sarif_level(n.level)}, {"message", message(n.message)}};
        if (!n.path.empty()) {
          notification["locations"] =
              Json::array({{{"physicalLocation", {{"artifactLocation", artifact(uri_of(n.path))}}}}});
        }
        notifications.push_back(std::move(notification));
      }
      out["toolExecutionNotifications"] = std::move(notifications);
    }
    return out;
  }

  Json run() const {
    const std::string version = log_.tool_version.empty() ? BINDSCAN_VERSION : text(log_.tool_version);
    Json rules = Json::array();
    for (const RuleInfo& rule : log_.rules) rules.push_back(rule_json(rule));

    Json out = {{"tool",
                 {{"driver",
                   {{"name", kToolName},
                    {"version", version},
                    {"semanticVersion", version},
                    {"informationUri", kInformationUri},
                    {"rules", std::move(rules)}}}}},
                {"invocations", Json::array()}};
    const std::vector<Entry> entries = sorted_entries();
    const bool capped = log_.max_results != 0 && entries.size() > log_.max_results;
    const size_t kept = capped ? log_.max_results : entries.size();
    out["invocations"].push_back(invocation(capped ? std::optional(left_out(entries, kept)) : std::nullopt));
    if (!root_.empty()) out["originalUriBaseIds"] = {{kSourceRootId, {{"uri", root_}}}};
    if (log_.version_control) {
      const VersionControl& vc = *log_.version_control;
      Json provenance = {{"repositoryUri", text(vc.repository_uri)}};
      if (!vc.revision_id.empty()) provenance["revisionId"] = text(vc.revision_id);
      if (!vc.branch.empty()) provenance["branch"] = text(vc.branch);
      if (!root_.empty()) provenance["mappedTo"] = {{"uriBaseId", kSourceRootId}};
      out["versionControlProvenance"] = Json::array({std::move(provenance)});
    }
    out["automationDetails"] = {{"id", text(log_.category)}};
    out["columnKind"] = "utf16CodeUnits";
    out["results"] = results(entries, kept);
    return out;
  }

 private:
  const SarifLog& log_;
  std::string root_;
};

}  // namespace

std::string_view sarif_level(Level level) {
  switch (level) {
    case Level::kNote: return "note";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "warning";
}

std::string path_to_uri(std::string_view path) {
  while (path.starts_with("./") || path.starts_with('/')) path.remove_prefix(path.starts_with('/') ? 1 : 2);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri;
  uri.reserve(path.size());
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || c == '/') {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 0xF];
    }
  }
  return uri;
}

std::string directory_file_uri(std::string_view absolute_directory) {
  std::string uri = "file:///" + path_to_uri(absolute_directory);
  if (uri.back() != '/') uri += '/';
  return uri;
}

std::string absolute_file_uri(std::string_view absolute_path) { return "file:///" + path_to_uri(absolute_path); }

std::string artifact_uri(std::string_view path) {
  return path.starts_with('/') ? absolute_file_uri(path) : path_to_uri(path);
}

std::string write_sarif(const SarifLog& log) {
  const Json document = {
      {"$schema", kSchemaUri}, {"version", "2.1.0"}, {"runs", Json::array({Writer(log).run()})}};
  // Strings are already sanitised; "replace" is only a last net so this never throws.
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace bindscan::sarif

#include <algorithm>
#include <tuple>

#include "report/formats/formats.h"
#include "report/report.h"

namespace bindscan::report {

std::span<const Format> all_formats() {
  static constexpr Format kFormats[] = {
      {"azure", "Azure Pipelines logging commands (##vso[task.logissue])", write_azure},
      {"github", "GitHub Actions workflow commands, shown as annotations", write_github},
      {"gitlab", "GitLab Code Quality report (artifacts:reports:codequality)", write_gitlab},
      {"json",
       "bindscan's own JSON, schema version 1 "
       "(docs/schemas/bindscan-report-1.json)",
       write_json},
      {"junit", "JUnit XML, one test case per finding (Jenkins, Azure DevOps, GitLab)", write_junit},
      {"rdjson", "reviewdog Diagnostic Format (rdjson)", write_rdjson},
      {"sarif", "SARIF 2.1.0 for GitHub code scanning", write_sarif},
      {"text", "path:line:col: rule-id message (the default)", write_text},
  };
  return kFormats;
}

const Format* find_format(std::string_view name) {
  for (const Format& format : all_formats())
    if (format.name == name) return &format;
  return nullptr;
}

std::string format_names() {
  std::string names;
  for (const Format& format : all_formats()) {
    if (!names.empty()) names += ", ";
    names += format.name;
  }
  return names;
}

std::vector<Entry> entries(const Report& report, bool with_suppressed, bool with_unchanged) {
  std::vector<Entry> out;
  for (size_t i = 0; i < report.log.files.size(); ++i) {
    const sarif::FileResults& file = report.log.files[i];
    for (const sarif::LocatedFinding& located : file.findings)
      if ((with_suppressed || !located.finding.suppression) &&
          (with_unchanged || located.baseline_state != "unchanged"))
        out.push_back({&file, &located});
  }
  const auto key = [](const Entry& e) {
    const sarif::Region& r = e.located->region;
    return std::tie(e.file->path, r.start_line, r.start_column, e.located->finding.rule_id, r.end_line, r.end_column,
                    e.located->finding.message);
  };
  std::stable_sort(out.begin(), out.end(), [&](const Entry& a, const Entry& b) { return key(a) < key(b); });
  return out;
}

Level level_of(const Report& report, const Finding& finding) {
  if (finding.level) return *finding.level;
  for (const RuleInfo& rule : report.log.rules)
    if (rule.id == finding.rule_id) return rule.default_level;
  return Level::kWarning;
}

std::string fingerprint(const Entry& entry) {
  // Two FNV-1a 64-bit hashes with different offsets; not cryptographic, only
  // stable and unique enough to tell findings of one report apart.
  const std::string key = entry.located->finding.rule_id + '\0' + entry.file->path + '\0' + entry.located->line_hash +
                          '\0' + std::to_string(entry.located->region.start_column);
  auto fnv = [&](uint64_t hash) {
    for (unsigned char c : key) hash = (hash ^ c) * 0x100000001b3ull;
    return hash;
  };
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint64_t part : {fnv(0xcbf29ce484222325ull), fnv(0x84222325cbf29ce4ull)})
    for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(part >> shift) & 0xF];
  return out;
}

}  // namespace bindscan::report

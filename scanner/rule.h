// A rule: its metadata (what SARIF, `bindscan rules` and `explain` show) and
// the function that judges one parsed file. Rules are listed in registry.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scanner/finding.h"

namespace bindscan {

class Module;
class WordSieve;
namespace flow {
struct OpenSite;
struct Resolved;
}  // namespace flow

std::string_view to_string(Level level);

struct RuleInfo {
  std::string_view id;                 // kebab-case, stable forever: SARIF ruleId
  std::string_view name;               // PascalCase: SARIF rules[].name
  std::string_view short_description;  // one line, no trailing period
  std::string_view full_description;   // one or two sentences
  std::string_view documentation;      // doc.md, embedded at build time
  int cwe = 0;
  Level default_level = Level::kWarning;
  std::string_view precision;          // SARIF: very-high | high | medium | low
  std::string_view security_severity;  // SARIF: a number in (0, 10] as text
  // Codes other tools use for the same check; their suppression comments
  // (`# nosec B104`, `# noqa: S104`) silence this rule too.
  std::string_view bandit_id;    // e.g. "B104"
  std::string_view bandit_name;  // e.g. "hardcoded_bind_all_interfaces"
  std::string_view ruff_code;    // e.g. "S104"
};

struct Rule {
  const RuleInfo& info;
  // The prefilter: a file it does not pass provably cannot produce a finding
  // of this rule by itself (words.h), so the scanner skips parsing it. Must
  // be sound; tests hold it to that. Rules may share one.
  const WordSieve& (*prefilter)();
  // Appends this rule's findings for one parsed file (suppressions not yet applied).
  void (*check)(const Module& module, std::vector<Finding>& out);
  // Optional, for rules whose verdicts follow values into other modules
  // (flow/summary.h): like `check` on a file judged alone, except that a
  // site whose verdict depends on names imported from other modules is
  // appended to `open` instead of being judged or reported.
  void (*check_open)(const Module& module, std::vector<Finding>& out, std::vector<flow::OpenSite>& open) = nullptr;
  // Judges an open site of this rule once its references are resolved, with
  // the same verdict `check` gives in a project scan.
  void (*close)(const flow::OpenSite& site, const flow::Resolved& resolved, std::vector<Finding>& out) = nullptr;
  // Optional: appends the names of `module`'s top-level classes that are
  // sinks of this rule themselves (a server subclass). Their calls in other
  // modules are the rule's sites, so a project scan also judges the files
  // that import them, though those name no sink the prefilter knows.
  void (*sink_classes)(const Module& module, std::vector<std::string>& out) = nullptr;
  // Module names the rule knows as libraries (its sinks' modules): in a
  // project they are never resolved to the project's own files, even when the
  // project is that library (scanning the standard library). Null: none.
  bool (*is_library)(std::string_view qualified) = nullptr;
};

// Every rule bindscan has, sorted by id.
std::span<const Rule> all_rules();

// The rule with this id, or nullptr.
const Rule* find_rule(std::string_view id);

}  // namespace bindscan

// Builders for findings over hand-written sources, shared by the sarif tests.
#pragma once

#include <algorithm>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sarif/location.h"
#include "scanner/finding.h"
#include "scanner/rule.h"

namespace bindscan::sarif {

// GoogleTest prints regions as "L1:C1-L2:C2" on failure.
inline void PrintTo(const Region& r, std::ostream* out) {
  *out << r.start_line << ':' << r.start_column << '-' << r.end_line << ':' << r.end_column;
}

}  // namespace bindscan::sarif

namespace bindscan::sarif::testing {

// The span of the `occurrence`-th (0-based) `needle` in `source`, with
// tree-sitter points (rows by LF, byte columns). Throws if absent.
inline Span span_of(std::string_view source, std::string_view needle, int occurrence = 0) {
  std::size_t at = source.find(needle);
  for (int i = 0; i < occurrence && at != std::string_view::npos; ++i) at = source.find(needle, at + 1);
  if (at == std::string_view::npos) throw std::invalid_argument("not in source: " + std::string(needle));
  const auto point = [&](std::size_t offset) {
    const std::string_view before = source.substr(0, offset);
    const std::size_t line_start = before.rfind('\n');
    const std::size_t column = line_start == std::string_view::npos ? offset : offset - line_start - 1;
    return Point{static_cast<uint32_t>(std::count(before.begin(), before.end(), '\n')),
                 static_cast<uint32_t>(column)};
  };
  const std::size_t end = at + needle.size();
  return Span{static_cast<uint32_t>(at), static_cast<uint32_t>(end), point(at), point(end)};
}

inline Finding finding_at(std::string_view source, std::string_view needle, std::string message,
                          std::string rule_id = "bind-all-interfaces") {
  Finding finding;
  finding.rule_id = std::move(rule_id);
  finding.span = span_of(source, needle);
  finding.message = std::move(message);
  return finding;
}

// Metadata in the shape of a real rule, fixed here so the golden file does
// not change when the real rule's documentation does.
inline RuleInfo test_rule() {
  RuleInfo rule;
  rule.id = "bind-all-interfaces";
  rule.name = "BindAllInterfaces";
  rule.short_description = "Server bound to all network interfaces";
  rule.full_description =
      "A server bound to 0.0.0.0, :: or an empty host accepts connections on every network "
      "interface (CWE-1327).";
  rule.documentation =
      "## What it finds\n\nA socket or server bound to `0.0.0.0`.\n\n## Fix\n\n"
      "Bind to `127.0.0.1` or a configured address.\n";
  rule.cwe = 1327;
  rule.default_level = Level::kWarning;
  rule.precision = "high";
  rule.security_severity = "6.5";
  return rule;
}

}  // namespace bindscan::sarif::testing

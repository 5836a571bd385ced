// Value types the scanner produces. Everything here is plain data: comparable,
// printable (GoogleTest shows findings on failure) and free of parser handles.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bindscan {

// A position as tree-sitter reports it: 0-based row, 0-based column in bytes.
// Conversion to SARIF's 1-based UTF-16 columns happens late, in sarif/.
struct Point {
  uint32_t row = 0;
  uint32_t column = 0;
  auto operator<=>(const Point&) const = default;
};

// A half-open byte range [begin, end) of the scanned file, with its end points.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;
  Point start;
  Point stop;
  auto operator<=>(const Span&) const = default;
};

// Replace the bytes of `span` with `replacement`.
struct TextEdit {
  Span span;
  std::string replacement;
  auto operator<=>(const TextEdit&) const = default;
};

// A suggested fix: edits within the same file, applied together.
struct Fix {
  std::string description;
  std::vector<TextEdit> edits;
  auto operator<=>(const Fix&) const = default;
};

// Another place that explains the finding (e.g. the assignment that
// supplied a host): in the same file, or in the file `path` names (a project
// scan follows values across modules).
struct RelatedLocation {
  Span span;
  std::string message;
  std::string path = {};  // empty: the finding's own file
  auto operator<=>(const RelatedLocation&) const = default;
};

// A finding's SARIF level.
enum class Level { kNote, kWarning, kError };

// What silenced a finding: an in-source comment (SARIF kind "inSource"), or
// an `allow` entry of the repository's configuration (kind "external").
enum class SuppressionKind { kBindscan, kNosec, kNoqa, kConfig };

struct Suppression {
  SuppressionKind kind = SuppressionKind::kBindscan;
  // The comment as written, e.g. "# nosec B104"; for kConfig the entry's reason.
  std::string comment;
  auto operator<=>(const Suppression&) const = default;
};

struct Finding {
  std::string rule_id;  // kebab-case, stable; the SARIF ruleId
  Span span;            // what is reported
  std::string message;  // names what was seen and what it means
  std::vector<RelatedLocation> related;
  std::optional<Fix> fix;
  std::optional<Suppression> suppression;  // set: reported only on request
  // What the rule found the bind in, as the message names it (e.g.
  // "http.server.HTTPServer"); configuration `allow` entries may name it.
  // Empty when the rule does not say.
  std::string sink;
  // Set when this finding's level differs from its rule's default (a "may"
  // finding: only some of the values that reach the sink are wildcards).
  std::optional<Level> level;
  auto operator<=>(const Finding&) const = default;
};

std::string_view to_string(SuppressionKind kind);
std::ostream& operator<<(std::ostream& out, const Point& point);
std::ostream& operator<<(std::ostream& out, const Finding& finding);

}  // namespace bindscan

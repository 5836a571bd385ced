#include "scanner/finding.h"

namespace bindscan {

std::string_view to_string(SuppressionKind kind) {
  switch (kind) {
    case SuppressionKind::kBindscan: return "bindscan";
    case SuppressionKind::kNosec: return "nosec";
    case SuppressionKind::kNoqa: return "noqa";
    case SuppressionKind::kConfig: return "config";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, const Point& point) {
  return out << (point.row + 1) << ':' << (point.column + 1);
}

std::ostream& operator<<(std::ostream& out, const Finding& finding) {
  out << finding.span.start << ' ' << finding.rule_id << ' ' << finding.message;
  if (finding.suppression) out << " [suppressed by " << finding.suppression->comment << ']';
  return out;
}

}  // namespace bindscan

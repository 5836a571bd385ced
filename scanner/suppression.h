// In-source suppression comments: bindscan's own and the ones users already
// wrote for bandit and ruff, so switching tools does not resurface silenced
// findings.
//
//   # bindscan: ignore                       every bindscan rule on this line
//   # bindscan: ignore[bind-all-interfaces]  just the named rules (comma separated)
//   # nosec / # nosec B104 / # nosec: B104   bandit (a blanket nosec, or one naming the rule's bandit id)
//   # noqa / # noqa: S104                    ruff and flake8 (blanket, or naming the rule's ruff code)
//
// Markers are case-insensitive and may follow other comment text after a
// further '#', as in "# type: ignore  # noqa: S104".
#pragma once

#include <optional>
#include <string_view>

#include "scanner/finding.h"
#include "scanner/rule.h"

namespace bindscan {

// The suppression that `comment` (starting with '#') applies to `rule`, if any.
std::optional<Suppression> suppression_for(const RuleInfo& rule, std::string_view comment);

}  // namespace bindscan

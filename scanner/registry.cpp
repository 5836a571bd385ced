// The one list of rules, sorted by id (a test checks the order and uniqueness).
#include <algorithm>

#include "scanner/rule.h"
#include "scanner/rules/bind_all_interfaces/rule.h"
#include "scanner/rules/bind_all_interfaces_by_default/rule.h"

namespace bindscan {

std::span<const Rule> all_rules() {
  static const Rule rules[] = {
      rules::bind_all_interfaces(),
      rules::bind_all_interfaces_by_default(),
  };
  return rules;
}

const Rule* find_rule(std::string_view id) {
  auto rules = all_rules();
  auto it = std::find_if(rules.begin(), rules.end(), [id](const Rule& r) { return r.info.id == id; });
  return it == rules.end() ? nullptr : &*it;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::kNote: return "note";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "warning";
}

}  // namespace bindscan

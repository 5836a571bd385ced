#include <ostream>

#include "cli/commands.h"
#include "scanner/rule.h"

namespace bindscan::cli {

int run_rules(Args args, std::ostream& out, std::ostream& err) {
  if (!args.empty()) {
    err << "bindscan rules: takes no arguments; `bindscan explain RULE` shows one rule\n";
    return kExitError;
  }
  for (const Rule& rule : all_rules())
    out << rule.info.id << "  CWE-" << rule.info.cwe << "  " << to_string(rule.info.default_level) << "  "
        << rule.info.short_description << '\n';
  return kExitClean;
}

}  // namespace bindscan::cli

#include <ostream>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "scanner/rule.h"

namespace bindscan::cli {

int run_explain(Args args, std::ostream& out, std::ostream& err) {
  if (args.size() != 1 || args[0].starts_with('-')) {
    err << "usage: bindscan explain RULE  (`bindscan rules` lists them)\n";
    return args.size() == 1 && (args[0] == "--help" || args[0] == "-h") ? kExitClean : kExitError;
  }
  if (const Rule* rule = find_rule(args[0])) {
    out << rule->info.documentation;
    return kExitClean;
  }
  std::vector<std::string_view> ids;
  for (const Rule& rule : all_rules()) ids.push_back(rule.info.id);
  err << "bindscan explain: no rule '" << args[0] << "'" << did_you_mean(args[0], ids)
      << "; `bindscan rules` lists them\n";
  return kExitError;
}

}  // namespace bindscan::cli

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/service_module.h"

namespace bindscan::cli {

std::span<const Command> all_commands() {
  static const Command commands[] = {
      {"scan", "scan Python files and report findings", run_scan},
      {"rules", "list the rules", run_rules},
      {"explain", "print a rule's documentation", run_explain},
      {"config", "print the effective configuration and where each value came from", run_config},
      {"serve", "receive GitHub webhooks, scan pushes and upload SARIF", nullptr},
      {"upload", "upload a SARIF file to GitHub code scanning", nullptr},
      {"healthcheck", "probe a running `bindscan serve` (exit 0 when /healthz answers 200)", nullptr},
  };
  return commands;
}

namespace {

void usage(std::ostream& out) {
  out << "usage: bindscan <command> [options]\n\ncommands:\n";
  for (const Command& c : all_commands()) out << "  " << c.name << std::string(c.name.size() < 13 ? 13 - c.name.size() : 1, ' ') << c.summary << '\n';
  out << "\n`bindscan <command> --help` describes a command's options; `bindscan --version` prints the version.\n";
}

}  // namespace

int dispatch(Args args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    usage(err);
    return kExitError;
  }
  std::string_view name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    usage(out);
    return kExitClean;
  }
  if (name == "--version" || name == "-V" || name == "version") {
    out << "bindscan " << BINDSCAN_VERSION << " (tree-sitter-python 0.23.6)\n";
    return kExitClean;
  }
  for (const Command& c : all_commands())
    if (c.name == name)
      return c.run != nullptr ? c.run(args.subspan(1), out, err) : run_service_command(name, args.subspan(1), out, err);
  std::vector<std::string_view> names;
  for (const Command& c : all_commands()) names.push_back(c.name);
  err << "bindscan: unknown command '" << name << "'" << did_you_mean(name, names)
      << "; `bindscan --help` lists the commands\n";
  return kExitError;
}

}  // namespace bindscan::cli

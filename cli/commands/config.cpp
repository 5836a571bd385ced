// `bindscan config [PATH]`: the effective configuration for PATH and where
// each value came from.
#include "config/config.h"

#include <ostream>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"

namespace bindscan::cli {
namespace {

constexpr std::string_view kUsage =
    R"(usage: bindscan config [--config FILE | --isolated] [PATH]

Prints the configuration `bindscan scan PATH` would use (default PATH: .), as
TOML, with where each value came from. Settings live in [tool.bindscan] of
pyproject.toml or at the top level of .bindscan.toml (which wins), in PATH's
folder or the nearest folder above it.

keys:
  exclude = [GLOB...]            folders and files never scanned (replaces the default list)
  extend-exclude = [GLOB...]     more of them, keeping the default list
  include = [GLOB...]            more files to scan as Python (besides *.py and python shebangs)
  select = [RULE...]             rules to run (default: every rule)
  ignore = [RULE...]             rules not to run
  per-file-ignores = { GLOB = [RULE...] }   rules not run for matching files
  allow = [{ path = GLOB, reason = TEXT, rule = RULE, sink = NAME }]
                                 accepted binds: reported as suppressed (SARIF kind
                                 "external") with the reason; rule and sink optional
  severity = { RULE = "note" | "warning" | "error" }   SARIF level and security-severity

exit status: 0 printed, 2 the configuration has errors (each printed with file,
line and key).
)";

}  // namespace

int run_config(Args args, std::ostream& out, std::ostream& err) {
  static constexpr std::string_view kFlags[] = {"--config", "--isolated", "--help"};
  std::string path = ".", file;
  bool isolated = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out << kUsage;
      return kExitClean;
    } else if (arg == "--isolated") {
      isolated = true;
    } else if (arg == "--config" && i + 1 < args.size()) {
      file = args[++i];
    } else if (arg.starts_with("--config=")) {
      file = arg.substr(9);
    } else if (arg.starts_with("-")) {
      err << "bindscan config: unknown option '" << arg << "'" << did_you_mean(arg, kFlags) << '\n';
      return kExitError;
    } else {
      path = arg;
    }
  }
  if (isolated) {
    out << config::describe(config::default_config());
    return kExitClean;
  }
  config::Parsed parsed = file.empty() ? config::find_config(path) : config::read_config_file(file);
  for (const config::Problem& problem : parsed.problems) err << "bindscan: " << problem.to_string() << '\n';
  if (!parsed.problems.empty()) return kExitError;
  out << config::describe(parsed.config ? *parsed.config : config::default_config());
  return kExitClean;
}

}  // namespace bindscan::cli

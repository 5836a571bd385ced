// The subcommands of `bindscan`, one file each under cli/commands/. Each takes
// its arguments (without the program and command names) and the streams to
// write to, and returns the process exit code: 0 clean, 1 findings, 2 usage or
// I/O error.
#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

namespace bindscan::cli {

using Args = std::span<const std::string_view>;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(Args args, std::ostream& out, std::ostream& err);
};

int run_scan(Args args, std::ostream& out, std::ostream& err);
int run_rules(Args args, std::ostream& out, std::ostream& err);
int run_explain(Args args, std::ostream& out, std::ostream& err);

// Every command, in the order `bindscan --help` lists them.
std::span<const Command> all_commands();

}  // namespace bindscan::cli

// The subcommands of `bindscan`, one file each under cli/commands/. Each takes
// its arguments (without the program and command names) and the streams to
// write to, and returns the process exit code.
#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

namespace bindscan::cli {

// Exit codes, as other linters use them.
inline constexpr int kExitClean = 0;     // nothing found
inline constexpr int kExitFindings = 1;  // findings reported
inline constexpr int kExitError = 2;     // usage or I/O error

using Args = std::span<const std::string_view>;

struct Command {
  std::string_view name;
  std::string_view summary;
  // nullptr: the command runs in the service module (cli/service_module.h).
  int (*run)(Args args, std::ostream& out, std::ostream& err);
};

int run_scan(Args args, std::ostream& out, std::ostream& err);
int run_rules(Args args, std::ostream& out, std::ostream& err);
int run_explain(Args args, std::ostream& out, std::ostream& err);
int run_config(Args args, std::ostream& out, std::ostream& err);
// In the service module only (library cli_service_commands).
int run_serve(Args args, std::ostream& out, std::ostream& err);
int run_upload(Args args, std::ostream& out, std::ostream& err);
int run_healthcheck(Args args, std::ostream& out, std::ostream& err);

// Every command, in the order `bindscan --help` lists them.
std::span<const Command> all_commands();

// Runs `bindscan ARGS...`: a command, --help or --version.
int dispatch(Args args, std::ostream& out, std::ostream& err);

}  // namespace bindscan::cli

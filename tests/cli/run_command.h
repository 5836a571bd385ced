// Runs a `bindscan` subcommand in process and keeps what it printed, for
// tests of the command line.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"

namespace bindscan::cli::testing {

struct Ran {
  int status;
  std::string out;
  std::string err;
};

inline Ran run_command(int (*command)(Args, std::ostream&, std::ostream&), const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::ostringstream out, err;
  const int status = command(views, out, err);
  return {status, out.str(), err.str()};
}

inline Ran scan(const std::vector<std::string>& args) { return run_command(run_scan, args); }

}  // namespace bindscan::cli::testing

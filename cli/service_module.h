// The service commands (serve, upload, healthcheck) run from a module,
// bindscan-service.so, that the binary loads only for them: the libraries
// they need (OpenSSL, libgit2, cpp-httplib) would otherwise be loaded by
// every `bindscan scan` and triple its start-up time.
#pragma once

#include <iosfwd>
#include <string_view>

#include "cli/commands.h"

namespace bindscan::cli {

inline constexpr std::string_view kServiceModuleFile = "bindscan-service.so";
// The module's one exported function; same signature as run_service_command.
inline constexpr const char* kServiceModuleEntry = "bindscan_run_service_command";
using ServiceModuleEntry = int (*)(std::string_view command, Args args, std::ostream& out, std::ostream& err);

// Loads the module (next to the binary, or in ../lib/bindscan/ as installed)
// and runs `command` there. A missing module is a usage error with a message
// saying where it was looked for.
int run_service_command(std::string_view command, Args args, std::ostream& out, std::ostream& err);

}  // namespace bindscan::cli

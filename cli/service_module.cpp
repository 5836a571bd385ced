// bindscan-service.so: the entry point the binary finds with dlsym.
#include <ostream>
#include <type_traits>

#include "cli/commands.h"
#include "cli/service_module.h"

extern "C" __attribute__((visibility("default"))) int bindscan_run_service_command(
    std::string_view command, bindscan::cli::Args args, std::ostream& out, std::ostream& err) {
  using namespace bindscan::cli;
  static_assert(std::is_same_v<decltype(&bindscan_run_service_command), ServiceModuleEntry>);
  if (command == "serve") return run_serve(args, out, err);
  if (command == "upload") return run_upload(args, out, err);
  if (command == "healthcheck") return run_healthcheck(args, out, err);
  err << "bindscan: the service module has no command '" << command << "'\n";
  return kExitError;
}

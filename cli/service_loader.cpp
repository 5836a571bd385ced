#include <dlfcn.h>

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "cli/service_module.h"

namespace bindscan::cli {

namespace fs = std::filesystem;

int run_service_command(std::string_view command, Args args, std::ostream& out, std::ostream& err) {
  std::error_code error;
  fs::path binary_dir = fs::read_symlink("/proc/self/exe", error).parent_path();
  const std::vector<fs::path> candidates = {
      binary_dir / kServiceModuleFile,                                // build tree, container
      binary_dir.parent_path() / "lib" / "bindscan" / kServiceModuleFile,  // installed
  };
  std::string reasons;
  for (const fs::path& path : candidates) {
    if (!fs::exists(path, error)) continue;
    // Loaded for the rest of the process: never closed.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      reasons += std::string("; ") + ::dlerror();
      continue;
    }
    auto entry = reinterpret_cast<ServiceModuleEntry>(::dlsym(module, kServiceModuleEntry));
    if (entry == nullptr) {
      reasons += "; " + path.string() + " has no " + kServiceModuleEntry;
      continue;
    }
    return entry(command, args, out, err);
  }
  err << "bindscan " << command << ": the service module " << kServiceModuleFile << " was not found in "
      << candidates[0].parent_path().string() << " or " << candidates[1].parent_path().string() << reasons
      << "; install it with the binary\n";
  return kExitError;
}

}  // namespace bindscan::cli

// Which files bindscan scans: one definition for `bindscan scan` (cli/walk.h,
// walking a folder) and `bindscan serve` (webhook/git/git_source.h, walking a
// commit's tree), so the Action and the service report the same alerts for
// the same commit. Pure: names, paths and the first bytes of a file in,
// yes or no out.
//
// A file is scanned when it is a regular file (links and submodules are not
// followed), the configuration excludes neither it nor a folder above it
// (config/config.h: by default config::default_excludes(), version control,
// node_modules, .venv and caches), no folder above it is a virtualenv
// (holds pyvenv.cfg), it is `*.py` or an extension-less file whose first
// line is a python shebang, and it is at most max_file_bytes long (a larger
// one is reported in a SARIF notification instead).
#pragma once

#include <fnmatch.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan::files {

// A folder holding this file is a virtualenv (whatever its name) and is skipped.
inline constexpr std::string_view kVirtualenvMarker = "pyvenv.cfg";

// Bytes read from an extension-less file to look for a shebang.
inline constexpr size_t kShebangProbeBytes = 256;

// Larger files are not scanned (CLI --max-file-size, serve --max-file-size).
inline constexpr uint64_t kDefaultMaxFileBytes = uint64_t{64} << 20;

// "x.py" (not ".py" alone).
inline bool has_python_extension(std::string_view name) { return name.size() > 3 && name.ends_with(".py"); }

// No extension (a leading dot does not start one): its shebang decides.
inline bool may_be_python_script(std::string_view name) {
  return !name.empty() && name.find('.', 1) == std::string_view::npos;
}

// Whether the first line of `head` is a shebang naming python.
inline bool has_python_shebang(std::string_view head) {
  if (!head.starts_with("#!")) return false;
  head = head.substr(0, std::min(head.size(), kShebangProbeBytes));
  return head.substr(0, head.find('\n')).find("python") != std::string_view::npos;
}

// Whether a glob of `excludes` matches any of `candidates` (the path as the
// caller names it, its spelling relative to the scanned root, the name alone).
inline bool is_excluded(const std::vector<std::string>& excludes,
                        std::initializer_list<std::string_view> candidates) {
  for (const std::string& glob : excludes) {
    for (std::string_view candidate : candidates) {
      if (fnmatch(glob.c_str(), std::string(candidate).c_str(), 0) == 0) return true;
    }
  }
  return false;
}

}  // namespace bindscan::files

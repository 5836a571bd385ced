// Finding the files `bindscan scan` looks at, and reading them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan::cli {

struct WalkOptions {
  std::vector<std::string> excludes;  // fnmatch globs, matched against the path and its file name
};

struct WalkResult {
  std::vector<std::string> files;   // in walk order, sorted per directory
  std::vector<std::string> errors;  // "PATH: reason" for paths that could not be listed
};

// Expands PATHs: a file is taken as given; a directory is walked for the
// files common/python_files.h selects (the same rules as `bindscan serve`):
// `*.py` and extension-less files with a python shebang, skipping
// version-control folders, virtualenvs (any folder with pyvenv.cfg),
// node_modules and caches, and not following symlinks.
WalkResult find_python_files(const std::vector<std::string>& paths, const WalkOptions& options);

enum class ReadStatus { kOk, kTooLarge, kError };

// Reads a whole file into `buffer` (reused between calls to spare
// allocations) with one open/fstat/read/close. kTooLarge leaves the file
// unread when it is bigger than `max_bytes`; kError sets `error`.
ReadStatus read_file(const std::string& path, uint64_t max_bytes, std::string& buffer, std::string& error);

}  // namespace bindscan::cli

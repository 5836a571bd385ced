// Finding the files `bindscan scan` looks at, and reading them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bindscan::config {
struct Config;
}

namespace bindscan::cli {

struct WalkOptions {
  std::vector<std::string> excludes;  // fnmatch globs, matched against the path and its file name
  // The configuration's exclude / extend-exclude (folders and files not
  // walked) and include (more files taken as Python). nullptr: the default
  // excludes (config::default_excludes()).
  const config::Config* config = nullptr;
};

struct WalkResult {
  std::vector<std::string> files;   // in walk order, sorted per directory
  std::vector<std::string> errors;  // "PATH: reason" for paths that could not be listed
};

// Expands PATHs: a file is taken as given; a directory is walked for `*.py`
// files and extension-less files that start with a python shebang. Skips
// what the configuration excludes (by default version-control folders,
// node_modules and caches) and virtualenvs (any folder with pyvenv.cfg);
// does not follow symlinks. Which files are Python is common/python_files.h,
// shared with `bindscan serve`.
WalkResult find_python_files(const std::vector<std::string>& paths, const WalkOptions& options);


enum class ReadStatus { kOk, kTooLarge, kError };

// Reads a whole file into `buffer` (reused between calls to spare
// allocations) with one open/fstat/read/close. kTooLarge leaves the file
// unread when it is bigger than `max_bytes`; kError sets `error`.
ReadStatus read_file(const std::string& path, uint64_t max_bytes, std::string& buffer, std::string& error);

}  // namespace bindscan::cli

#include "cli/walk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "common/python_files.h"
#include "config/config.h"

namespace bindscan::cli {
namespace {

namespace fs = std::filesystem;

// Globs match the path as given, the path below the PATH argument being
// walked (so `tests/*` works for any PATH), or the file name alone.
bool excluded(const std::string& path, const std::string& walk_root, const WalkOptions& options) {
  if (options.excludes.empty()) return false;
  std::string name = fs::path(path).filename().string();
  std::string below = path;
  if (!walk_root.empty() && path.starts_with(walk_root)) {
    below = path.substr(walk_root.size());
    while (below.starts_with("/")) below.erase(0, 1);
  }
  if (below.starts_with("./")) below.erase(0, 2);
  return files::is_excluded(options.excludes, {path, below, name});
}

// The configuration's view of a path the walk meets (its folders passed
// already), given as the configuration sees it (`seen`: relative to its
// folder; nullopt outside it). Without a configuration the default excludes
// apply below the walked PATH only, so `bindscan scan .venv/lib/x` still
// scans what it was given.
bool config_excludes(const WalkOptions& options, const std::optional<std::string>& seen) {
  static const config::Config defaults = config::default_config();
  return seen && config::excluded_itself(options.config != nullptr ? *options.config : defaults, *seen);
}

// How the configuration sees a PATH argument (see config_excludes): below
// itself for the default excludes, "" for the configuration's own folder.
std::optional<std::string> seen_as(const WalkOptions& options, const std::string& path) {
  if (options.config == nullptr) return "";
  std::optional<std::string> relative = config::relative_path(*options.config, path);
  if (relative && *relative == ".") relative = "";
  return relative;
}

// Whether the configuration excludes a PATH argument (or a folder above it) as a whole.
bool config_excludes_root(const WalkOptions& options, const std::string& path) {
  if (options.config == nullptr) return false;
  const auto relative = config::relative_path(*options.config, path);
  return relative && !relative->empty() && *relative != "." && config::excluded(*options.config, *relative);
}

bool config_includes(const WalkOptions& options, const std::string& path) {
  if (options.config == nullptr || options.config->include.empty()) return false;
  const auto relative = config::relative_path(*options.config, path);
  return relative && config::included(*options.config, *relative);
}

bool python_candidate(const fs::directory_entry& entry, const WalkOptions& options) {
  const fs::path& path = entry.path();
  const std::string name = path.filename().string();
  if (files::has_python_extension(name)) return true;
  if (config_includes(options, path.string())) return true;
  if (!files::may_be_python_script(name)) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char head[files::kShebangProbeBytes];
  ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n > 0 && files::has_python_shebang(std::string_view(head, static_cast<size_t>(n)));
}

// Walks `root`, which the configuration sees as `seen` (config_excludes).
void walk(const fs::path& root, const std::string& walk_root, const std::optional<std::string>& seen,
          const WalkOptions& options, WalkResult& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec))
    entries.push_back(*it);
  if (ec) {
    out.errors.push_back(root.string() + ": " + ec.message());
    return;
  }
  // A virtualenv below the walked PATH is skipped whole: its marker is in the
  // listing just read, so no folder costs a stat of its own.
  if (root.string() != walk_root && std::any_of(entries.begin(), entries.end(), [](const fs::directory_entry& e) {
        return e.path().filename() == files::kVirtualenvMarker;
      }))
    return;
  std::sort(entries.begin(), entries.end());
  for (const fs::directory_entry& entry : entries) {
    std::string path = entry.path().string();
    std::optional<std::string> seen_entry;
    if (seen) {
      std::string name = entry.path().filename().string();
      seen_entry = seen->empty() ? name : *seen + "/" + name;
    }
    if (excluded(path, walk_root, options) || config_excludes(options, seen_entry)) continue;
    // Links are not followed, as in a commit's tree (loops, escapes, and the
    // service cannot follow them either: common/python_files.h).
    if (entry.is_symlink(ec)) continue;
    if (entry.is_directory(ec)) {
      walk(entry.path(), walk_root, seen_entry, options, out);
    } else if (entry.is_regular_file(ec) && python_candidate(entry, options)) {
      out.files.push_back(std::move(path));
    }
  }
}

}  // namespace


WalkResult find_python_files(const std::vector<std::string>& paths, const WalkOptions& options) {
  WalkResult out;
  for (const std::string& path : paths) {
    std::error_code ec;
    fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      out.errors.push_back(path + ": no such file or directory");
    } else if (fs::is_directory(status)) {
      if (!config_excludes_root(options, path))
        walk(path, path, seen_as(options, path), options, out);
    } else if (!excluded(path, "", options)) {
      out.files.push_back(path);
    }
  }
  return out;
}

ReadStatus read_file(const std::string& path, uint64_t max_bytes, std::string& buffer, std::string& error) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error = std::strerror(errno);
    return ReadStatus::kError;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = S_ISREG(info.st_mode) ? std::strerror(errno) : "not a regular file";
    ::close(fd);
    return ReadStatus::kError;
  }
  if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    ::close(fd);
    return ReadStatus::kTooLarge;
  }
  // Asking for one byte more than the size ends the usual file in one read.
  buffer.resize(static_cast<size_t>(info.st_size) + 1);
  size_t done = 0;
  while (true) {
    ssize_t n = ::read(fd, buffer.data() + done, buffer.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return ReadStatus::kError;
    }
    done += static_cast<size_t>(n);
    if (n == 0 || done < buffer.size()) break;
    if (done > max_bytes) {  // the file grew while being read
      ::close(fd);
      return ReadStatus::kTooLarge;
    }
    buffer.resize(buffer.size() * 2);
  }
  buffer.resize(done);
  ::close(fd);
  return ReadStatus::kOk;
}

}  // namespace bindscan::cli

#include "cli/walk.h"

#include <dirent.h>
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
  std::string name = path.substr(path.rfind('/') + 1);
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

bool python_candidate(const std::string& path, std::string_view name, const WalkOptions& options) {
  if (files::has_python_extension(name)) return true;
  if (config_includes(options, path)) return true;
  if (!files::may_be_python_script(name)) return false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  char head[files::kShebangProbeBytes];
  ssize_t n = ::read(fd, head, sizeof head);
  ::close(fd);
  return n > 0 && files::has_python_shebang(std::string_view(head, static_cast<size_t>(n)));
}

// One name a folder lists, with its type as the listing gives it (DT_UNKNOWN
// on file systems that do not say: then it is asked with lstat).
struct Entry {
  std::string name;
  unsigned char type;
  bool operator<(const Entry& other) const { return name < other.name; }
};

// The names in folder `path` (not . and ..); false with errno set when it cannot be listed.
bool list_folder(const std::string& path, std::vector<Entry>& entries) {
  DIR* folder = ::opendir(path.c_str());
  if (folder == nullptr) return false;
  errno = 0;
  while (const dirent* entry = ::readdir(folder)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") entries.push_back({std::string(name), entry->d_type});
    errno = 0;
  }
  int failed = errno;
  ::closedir(folder);
  errno = failed;
  return failed == 0;
}

// Walks `root`, which the configuration sees as `seen` (config_excludes).
// POSIX listings, not std::filesystem: a path object per entry cost more
// than the system calls on large trees.
void walk(const std::string& root, const std::string& walk_root, const std::optional<std::string>& seen,
          const WalkOptions& options, WalkResult& out) {
  std::vector<Entry> entries;
  if (!list_folder(root, entries)) {
    // As before with skip_permission_denied: a folder we may not read is left out quietly.
    if (errno != EACCES) out.errors.push_back(root + ": " + std::strerror(errno));
    return;
  }
  // A virtualenv below the walked PATH is skipped whole: its marker is in the
  // listing just read, so no folder costs a stat of its own.
  if (root != walk_root && std::any_of(entries.begin(), entries.end(), [](const Entry& e) {
        return e.name == files::kVirtualenvMarker;
      }))
    return;
  std::sort(entries.begin(), entries.end());
  const std::string prefix = root.ends_with('/') ? root : root + "/";
  for (Entry& entry : entries) {
    std::string path = prefix + entry.name;
    std::optional<std::string> seen_entry;
    if (seen) seen_entry = seen->empty() ? entry.name : *seen + "/" + entry.name;
    if (excluded(path, walk_root, options) || config_excludes(options, seen_entry)) continue;
    unsigned char type = entry.type;
    if (type == DT_UNKNOWN) {
      struct stat info {};
      if (::lstat(path.c_str(), &info) != 0) continue;
      type = S_ISLNK(info.st_mode) ? DT_LNK : S_ISDIR(info.st_mode) ? DT_DIR : S_ISREG(info.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    // Links are not followed, as in a commit's tree (loops, escapes, and the
    // service cannot follow them either: common/python_files.h).
    if (type == DT_DIR) {
      walk(path, walk_root, seen_entry, options, out);
    } else if (type == DT_REG && python_candidate(path, entry.name, options)) {
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

#include "webhook/result_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "webhook/validate.h"

namespace bindscan::webhook {
namespace {

std::string safe_key(std::string_view version) {
  std::string key = "v-";
  for (char c : version) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    key += safe ? c : '_';
  }
  return key;
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{"io", std::strerror(errno)};
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok_status();
}

}  // namespace

ResultCache::ResultCache(std::filesystem::path dir, std::string_view scanner_version)
    : dir_(std::move(dir) / safe_key(scanner_version)) {}

std::optional<std::filesystem::path> ResultCache::entry(std::string_view blob_id) const {
  if (!is_commit_sha(blob_id)) return std::nullopt;  // same shape: 40 lowercase hex
  return dir_ / std::string(blob_id.substr(0, 2)) / (std::string(blob_id.substr(2)) + ".json");
}

std::optional<std::string> ResultCache::get(std::string_view blob_id) const {
  auto path = entry(blob_id);
  if (!path) return std::nullopt;
  std::ifstream in(*path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return std::nullopt;
  return text.str();
}

Status ResultCache::put(std::string_view blob_id, std::string_view value) const {
  auto path = entry(blob_id);
  if (!path) return Error{"invalid-sha", "'" + std::string(blob_id) + "' is not a blob id"};
  std::error_code ec;
  std::filesystem::create_directories(path->parent_path(), ec);
  if (ec) return Error{"io", "cannot create " + path->parent_path().string() + ": " + ec.message()};
  static std::atomic<uint64_t> counter{0};
  const auto temp = path->parent_path() / ("." + path->filename().string() + "." +
                                           std::to_string(::getpid()) + "." +
                                           std::to_string(counter++) + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"io", "cannot create " + temp.string() + ": " + std::strerror(errno)};
  // No fsync: an entry lost or emptied by a crash costs one re-scan (the
  // reader rejects text that does not parse), while an fsync per blob would
  // dominate a first job's time.
  Status written = write_all(fd, value);
  ::close(fd);
  if (written && ::rename(temp.c_str(), path->c_str()) != 0) {
    written = Error{"io", std::strerror(errno)};
  }
  if (!written) {
    std::filesystem::remove(temp, ec);
    return Error{"io", "cannot write cache entry " + path->string() + ": " + written.error().message};
  }
  return ok_status();
}

void ResultCache::erase(std::string_view blob_id) const {
  if (auto path = entry(blob_id)) {
    std::error_code ec;
    std::filesystem::remove(*path, ec);
  }
}

}  // namespace bindscan::webhook

#include "webhook/jobs/result_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>
#include <tuple>
#include <vector>

#include "webhook/receive/validate.h"

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

constexpr uint64_t kBlock = 4096;

uint64_t on_disk(uint64_t bytes) { return std::max<uint64_t>(kBlock, (bytes + kBlock - 1) / kBlock * kBlock); }

struct CachedFile {
  std::filesystem::path path;
  uint64_t bytes;
  std::filesystem::file_time_type used;
  bool current_version;
};

}  // namespace

struct ResultCache::Budget {
  std::mutex mutex;
  std::optional<uint64_t> bytes;  // unknown until the first measure
};

ResultCache::ResultCache(std::filesystem::path dir, std::string_view scanner_version, uint64_t max_bytes)
    : root_(dir),
      dir_(std::move(dir) / safe_key(scanner_version)),
      max_bytes_(max_bytes),
      budget_(std::make_shared<Budget>()) {}

uint64_t ResultCache::measure_bytes() const {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += on_disk(it->file_size(ec));
  }
  return total;
}

void ResultCache::account(uint64_t written_bytes) const {
  if (max_bytes_ == 0) return;
  std::lock_guard lock(budget_->mutex);
  budget_->bytes = budget_->bytes ? *budget_->bytes + on_disk(written_bytes) : measure_bytes();
  if (*budget_->bytes <= max_bytes_) return;
  // Over budget: list everything, drop the stalest down to 3/4 of the budget.
  std::vector<CachedFile> files;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    CachedFile file{it->path(), on_disk(it->file_size(ec)), it->last_write_time(ec),
                    it->path().parent_path().parent_path() == dir_};
    total += file.bytes;
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(), [](const CachedFile& a, const CachedFile& b) {
    return std::tie(a.current_version, a.used) < std::tie(b.current_version, b.used);
  });
  const uint64_t target = max_bytes_ / 4 * 3;
  for (const CachedFile& file : files) {
    if (total <= target) break;
    if (std::filesystem::remove(file.path, ec)) total -= file.bytes;
    // A folder left empty goes too (ignored while it still holds entries).
    std::filesystem::remove(file.path.parent_path(), ec);
  }
  budget_->bytes = total;
}

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
  // Recently used: the last to be evicted.
  if (max_bytes_ != 0) ::utimensat(AT_FDCWD, path->c_str(), nullptr, 0);
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
  account(value.size());
  return ok_status();
}

void ResultCache::erase(std::string_view blob_id) const {
  if (auto path = entry(blob_id)) {
    std::error_code ec;
    std::filesystem::remove(*path, ec);
  }
}

}  // namespace bindscan::webhook

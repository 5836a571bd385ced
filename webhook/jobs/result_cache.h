// Scan results kept between jobs, one entry per git blob id and scanner
// version. A blob's findings depend only on its bytes and on the scanner, so
// an entry written for one commit serves every later commit (and every path)
// holding the same blob: each upload still carries the commit's complete
// result set while only new blobs are parsed.
//
// Layout: <dir>/<version key>/<first 2 hex>/<remaining 38 hex>.json, where the
// version key is the scanner version made filesystem-safe. Values are opaque
// text here (the runner stores blob entries, blob_entry.h).
//
// Writes are atomic: a temporary file in the same directory, then rename, so
// readers see the old entry or the new one, never half of one; concurrent
// writers of one key are harmless (same content, last rename wins). There is
// no fsync: after a power loss an entry may be missing or empty, which the
// caller must treat as a miss (the runner does: text that does not parse is
// erased and the blob scanned again).
// A damaged entry is the caller's to detect; erase() drops it.
//
// Size: with a byte budget, the cache is trimmed when a put() takes it over
// the budget, down to three quarters of it: entries of other scanner versions
// first (they are never read again), then the least recently used (a hit
// refreshes an entry's time). Each entry counts as its size rounded up to a
// 4 KiB block, about what it takes on disk. The first trim after start-up
// measures the whole cache; afterwards the count is kept in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace bindscan::webhook {

class ResultCache {
 public:
  // `dir` is created on the first put(). `scanner_version` should change
  // whenever findings for the same bytes could change (rules, scanner, locate).
  // `max_bytes`: the budget for everything under `dir`; 0: no limit.
  ResultCache(std::filesystem::path dir, std::string_view scanner_version, uint64_t max_bytes = 0);

  // The stored text for `blob_id` (40 hex), or nullopt when absent/unreadable
  // or the id is malformed.
  std::optional<std::string> get(std::string_view blob_id) const;

  // Stores `value` for `blob_id`, then trims the cache if it is over budget.
  // Error code "io" (disk full, permissions) or "invalid-sha" for a
  // malformed id. A failed put loses nothing but speed.
  Status put(std::string_view blob_id, std::string_view value) const;

  // Bytes the cache counts for everything under its directory (all scanner
  // versions), measured now.
  uint64_t measure_bytes() const;

  // Removes the entry if present.
  void erase(std::string_view blob_id) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::optional<std::filesystem::path> entry(std::string_view blob_id) const;
  void account(uint64_t written_bytes) const;
  std::filesystem::path root_;  // the directory given: every version below it
  std::filesystem::path dir_;   // this scanner version's entries
  uint64_t max_bytes_;
  struct Budget;  // bytes counted so far, under a mutex; shared by copies
  std::shared_ptr<Budget> budget_;
};

}  // namespace bindscan::webhook

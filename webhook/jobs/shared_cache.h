// Scan results shared by every replica (the PostgreSQL engine implements it,
// webhook/jobs/pg_job_store.h): the same key and value as ResultCache (blob id and
// scanner version -> the runner's findings text), kept where all replicas see
// it. The runner looks in its local ResultCache first, then here, and writes
// what it scans to both, so a blob scanned once by any replica is reused by all.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bindscan::webhook {

class SharedResultCache {
 public:
  virtual ~SharedResultCache() = default;
  // nullopt when absent, or when the cache cannot be reached (a miss costs
  // only a scan).
  virtual std::optional<std::string> get(std::string_view scanner_version, std::string_view blob_id) = 0;
  // Best effort: a failed put loses nothing but speed.
  virtual void put(std::string_view scanner_version, std::string_view blob_id, std::string_view value) = 0;
};

}  // namespace bindscan::webhook

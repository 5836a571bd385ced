// The job store engines the contract tests run against, by name: "spool"
// (a temporary directory) and "postgres" (a throwaway cluster, when the
// PostgreSQL server binaries are installed; otherwise skipped with the reason).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/webhook/jobs/pg_cluster.h"
#include "webhook/jobs/job_store.h"
#include "webhook/jobs/pg_job_store.h"

namespace bindscan::testing {

class StoreEngine {
 public:
  virtual ~StoreEngine() = default;
  virtual bool available() const { return true; }
  virtual std::string why_unavailable() const { return ""; }
  // A store on the engine's one database/directory; each call is another
  // process's view of the same data.
  virtual Result<std::unique_ptr<webhook::JobStore>> open(webhook::JobStoreOptions options) = 0;
  // Ends `store` as a killed process would (no cleanup of what it held).
  virtual void crash(webhook::JobStore& store) { (void)store; }
  // Whether two open() stores see each other's changes while both live.
  virtual bool shared() const { return false; }
};

class SpoolEngine final : public StoreEngine {
 public:
  SpoolEngine() {
    std::string pattern = (std::filesystem::temp_directory_path() / "bindscan-contract-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  }
  ~SpoolEngine() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Result<std::unique_ptr<webhook::JobStore>> open(webhook::JobStoreOptions options) override {
    return webhook::JobStore::open(dir_ / "jobs", options);
  }

 private:
  std::filesystem::path dir_;
};

// One throwaway cluster per engine (per test); leases short so that a
// crashed store's running jobs are taken over within the test's bounds.
class PostgresEngine final : public StoreEngine {
 public:
  bool available() const override { return cluster_.available(); }
  std::string why_unavailable() const override { return cluster_.why_unavailable(); }
  Result<std::unique_ptr<webhook::JobStore>> open(webhook::JobStoreOptions options) override {
    webhook::PgJobStoreOptions pg;
    pg.limits = options;
    pg.lease = std::chrono::milliseconds(1000);
    pg.idle_poll = std::chrono::milliseconds(20);
    return webhook::open_pg_job_store(cluster_.url(), pg);
  }
  bool shared() const override { return true; }

 private:
  PgCluster cluster_;
};

inline std::unique_ptr<StoreEngine> make_store_engine(const std::string& name) {
  if (name == "postgres") return std::make_unique<PostgresEngine>();
  return std::make_unique<SpoolEngine>();
}
inline std::vector<std::string> store_engine_names() { return {"spool", "postgres"}; }

}  // namespace bindscan::testing

// The PostgreSQL engine of JobStore (webhook/jobs/job_store.h) and of the shared
// result cache (webhook/jobs/shared_cache.h), shared by any number of
// `bindscan serve` replicas, through libpq (Debian's libpq-dev).
//
// Why plain libpq and no C++ wrapper (libpqxx): the store issues a dozen
// fixed, parameterised statements; a 60-line RAII layer here (connection
// pool, PGresult ownership) is all it needs, and it keeps the dependency
// list to the C library every PostgreSQL install has.
//
// Schema: created and migrated by open() itself, in numbered migrations
// applied under a session advisory lock, so replicas starting together apply
// each migration once (table bindscan_schema_migrations). Rows of
// bindscan_jobs carry the record as JSON (record_to_json, the spool's format)
// plus the columns the queue is searched by.
//
// Sharing: a delivery id is the primary key, so a delivery posted to two
// replicas makes one job. Admissions and claims run in short transactions
// under one transaction-level advisory lock, so "one running job per
// ref_key" and "newest admission wins" hold across replicas. A running job
// has a lease (`lease`); the service renews it every few seconds while its
// worker lives (renew_leases). A job whose lease ended (its process was
// killed, its node lost) is claimed again by any replica, counting an
// attempt, and resumes from its recorded SARIF id if it has one.
//
// The database going away: every call borrows a pooled connection and drops
// it on a failed connection, so the next call reconnects by itself. While it
// is unreachable admit() fails "io" (the service answers 503 + Retry-After,
// nothing is written), writable() is false (/readyz fails) and take() waits.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "webhook/jobs/job_store.h"
#include "webhook/jobs/shared_cache.h"

namespace bindscan::webhook {

struct PgJobStoreOptions {
  JobStoreOptions limits;
  // A running job not renewed for this long is taken over by another replica.
  std::chrono::milliseconds lease{30'000};
  // How often an idle take() looks for work that other replicas queued.
  std::chrono::milliseconds idle_poll{250};
  int max_connections = 8;
};

// Connects to `url` (a libpq connection URI) and migrates the schema. Error
// code "io" when the database cannot be reached or migrated; the message
// names the host, never the password.
Result<std::unique_ptr<JobStore>> open_pg_job_store(const std::string& url, PgJobStoreOptions options);

// The result cache all replicas share (table bindscan_results, created by
// open_pg_job_store's migrations: open the store first).
std::unique_ptr<SharedResultCache> make_pg_result_cache(const std::string& url);

}  // namespace bindscan::webhook

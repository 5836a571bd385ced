#include "webhook/jobs/pg_job_store.h"

#include <libpq-fe.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace bindscan::webhook {
namespace {

// Every claim and admission holds this transaction advisory lock, so that
// replicas agree on order, on one running job per ref and on the queue limit.
constexpr const char* kQueueLock = "SELECT pg_advisory_xact_lock(7212012)";
constexpr int64_t kMigrationLock = 7212013;
// A taken processing check is held this long from other takers.
constexpr int64_t kCheckHoldMs = 120'000;

// The schema, one migration per entry; entry i is version i + 1. Never edit
// an applied entry: add one.
const std::vector<std::string>& migrations() {
  static const std::vector<std::string> list = {
      R"(CREATE TABLE bindscan_jobs (
           id text PRIMARY KEY,
           seq bigserial NOT NULL,
           ref_key text NOT NULL,
           state text NOT NULL,
           not_before_ms bigint NOT NULL DEFAULT 0,
           lease_until_ms bigint NOT NULL DEFAULT 0,
           updated_ms bigint NOT NULL DEFAULT 0,
           record text NOT NULL);
         CREATE INDEX bindscan_jobs_due ON bindscan_jobs (state, not_before_ms);
         CREATE INDEX bindscan_jobs_ref ON bindscan_jobs (ref_key, seq);)",
      R"(CREATE TABLE bindscan_results (
           scanner_version text NOT NULL,
           blob_id text NOT NULL,
           findings text NOT NULL,
           PRIMARY KEY (scanner_version, blob_id));)",
  };
  return list;
}

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string first_line(const char* text) {
  std::string s = text ? text : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// A connection lent to one call; returned to the pool unless it broke.
class Pool {
 public:
  Pool(std::string url, int max) : url_(std::move(url)), max_(max) {}

  Result<Conn> borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        Conn c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return borrow_fresh();
  }
  // A new connection, after the server dropped the pooled ones: every idle
  // one is stale too, so they go.
  Result<Conn> borrow_fresh() {
    {
      std::lock_guard lock(mutex_);
      idle_.clear();
    }
    Conn c(PQconnectdb(url_.c_str()));
    if (!c || PQstatus(c.get()) != CONNECTION_OK) {
      return Error{"io", "cannot connect to the database: " + first_line(c ? PQerrorMessage(c.get()) : "out of memory")};
    }
    (void)PgResult(PQexec(c.get(), "SET client_min_messages = warning"));
    return c;
  }
  void give_back(Conn c) {
    if (!c || PQstatus(c.get()) != CONNECTION_OK || PQtransactionStatus(c.get()) != PQTRANS_IDLE) return;
    std::lock_guard lock(mutex_);
    if (static_cast<int>(idle_.size()) < max_) idle_.push_back(std::move(c));
  }

 private:
  const std::string url_;
  const int max_;
  std::mutex mutex_;
  std::vector<Conn> idle_;
};

// One statement with text parameters. Error "io" with the server's words.
Result<PgResult> exec(PGconn* c, const std::string& sql, const std::vector<std::string>& params = {}) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PgResult r(PQexecParams(c, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0));
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Error{"io", "database: " + first_line(PQerrorMessage(c))};
  }
  return r;
}

std::string text(const PgResult& r, int row, int col) { return PQgetvalue(r.get(), row, col); }

// One statement outside a transaction, on a pooled connection (one fresh
// try when the server dropped the pooled one).
Result<PgResult> run_statement(Pool& pool, const std::string& sql, const std::vector<std::string>& params = {}) {
  auto c = pool.borrow();
  if (!c) return c.error();
  auto r = exec(c->get(), sql, params);
  if (!r && PQstatus(c->get()) != CONNECTION_OK) {
    c = pool.borrow_fresh();
    if (!c) return c.error();
    r = exec(c->get(), sql, params);
  }
  pool.give_back(std::move(*c));
  return r;
}

class PgJobStore final : public JobStore {
 public:
  PgJobStore(std::string url, PgJobStoreOptions options)
      : pool_(std::move(url), options.max_connections), options_(options), clock_(&system_now_ms) {}

  Status migrate() {
    auto c = pool_.borrow();
    if (!c) return c.error();
    PGconn* conn = c->get();
    if (auto r = exec(conn, "SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")"); !r) return r.error();
    Status result = apply_migrations(conn);
    (void)exec(conn, "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")");
    pool_.give_back(std::move(*c));
    return result;
  }

  Result<Admission> admit(const Job& job) override {
    return in_transaction<Admission>([&](PGconn* c) -> Result<Admission> {
      if (auto r = exec(c, kQueueLock); !r) return r.error();
      auto existing = exec(c, "SELECT record FROM bindscan_jobs WHERE id = $1 FOR UPDATE", {job.id});
      if (!existing) return existing.error();
      const int64_t t = now();
      if (PQntuples(existing->get()) > 0) {
        auto old = record_from_json(text(*existing, 0, 0));
        if (!old) return old.error();
        if (old->state != JobState::kFailed) return Admission::kDuplicate;
        JobRecord record = *old;
        record.job = job;
        record.job.attempts = 0;
        record.state = JobState::kQueued;
        record.accepted = old->accepted + 1;
        record.not_before_ms = 0;
        record.updated_ms = t;
        if (auto s = write(c, record); !s) return s.error();
        return Admission::kRequeued;
      }
      auto queued = exec(c, "SELECT count(*) FROM bindscan_jobs WHERE state = 'queued'");
      if (!queued) return queued.error();
      if (std::stoull(text(*queued, 0, 0)) >= options_.limits.max_queue) return Admission::kQueueFull;
      JobRecord record;
      record.job = job;
      record.job.attempts = 0;
      record.created_ms = record.updated_ms = t;
      auto inserted = exec(c,
                           "INSERT INTO bindscan_jobs (id, ref_key, state, updated_ms, record) "
                           "VALUES ($1, $2, 'queued', $3, '') RETURNING seq",
                           {job.id, ref_key(job), std::to_string(t)});
      if (!inserted) return inserted.error();
      record.seq = std::stoll(text(*inserted, 0, 0));
      if (auto s = write(c, record); !s) return s.error();
      return Admission::kAccepted;
    });
  }

  std::optional<Job> take() override {
    std::unique_lock lock(mutex_);
    while (!closed_) {
      lock.unlock();
      auto claimed = claim();
      lock.lock();
      if (claimed && *claimed) return std::move(**claimed);
      if (closed_) break;
      changed_.wait_for(lock, options_.idle_poll);
    }
    return std::nullopt;
  }

  Status record_sarif_id(const std::string& id, const std::string& sarif_id) override {
    return update(id, [&](JobRecord& r) { r.sarif_id = sarif_id; });
  }

  Status finish(const std::string& id, const JobOutcome& outcome,
                std::optional<int64_t> retry_at_ms) override {
    const int64_t t = now();
    Status s = update(id, [&](JobRecord& r) { apply_finish(r, outcome, retry_at_ms, t); });
    if (s) prune();
    return s;
  }

  Status await_processing(const std::string& id, const std::string& sarif_id,
                          int64_t check_at_ms) override {
    return update(id, [&](JobRecord& r) { apply_await(r, sarif_id, check_at_ms); });
  }

  Status finish_check(const std::string& id, const ProcessingCheck& check) override {
    const int64_t t = now();
    if (check.interrupted) return update(id, [&](JobRecord& r) { r.not_before_ms = t; });
    Status s = update(id, [&](JobRecord& r) { apply_check(r, check, t); });
    if (s) prune();
    return s;
  }

  Status put_back(const std::string& id) override {
    return update(id, [](JobRecord& r) {
      r.state = JobState::kQueued;
      r.job.attempts = std::max(0, r.job.attempts - 1);
    });
  }

  void renew_leases(const std::vector<std::string>& ids) override {
    std::string list = "{";
    for (size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + ids[i];  // ids are [A-Za-z0-9-]
    list += "}";
    (void)statement(
        "UPDATE bindscan_jobs SET lease_until_ms = $1 WHERE id = ANY($2::text[]) AND state = 'running'",
        {std::to_string(now() + options_.lease.count()), list});
  }

  void close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  JobCounts counts() const override {
    JobCounts counts;
    if (auto r = statement("SELECT state, count(*) FROM bindscan_jobs GROUP BY state")) {
      for (int i = 0; i < PQntuples(r->get()); ++i) {
        if (auto state = job_state_from_string(text(*r, i, 0))) {
          const size_t n = std::stoull(text(*r, i, 1));
          for (size_t k = 0; k < n; ++k) count_state(counts, *state);
        }
      }
    }
    return counts;
  }

  std::optional<JobRecord> find(const std::string& id) const override {
    std::optional<JobRecord> found;
    if (auto r = statement("SELECT record, seq FROM bindscan_jobs WHERE id = $1", {id});
        r && PQntuples(r->get()) > 0) {
      if (auto record = record_from_json(text(*r, 0, 0))) {
        record->seq = std::stoll(text(*r, 0, 1));
        found = *record;
      }
    }
    return found;
  }

  bool queue_full() const override { return counts().queued >= options_.limits.max_queue; }

  bool writable() const override {
    return static_cast<bool>(statement("SELECT 1"));
  }
  std::string unavailable_reason() const override { return "the database does not answer"; }

  void set_clock(Clock clock) override { clock_ = clock; }

 private:
  int64_t now() const { return clock_(); }

  Status apply_migrations(PGconn* c) {
    if (auto r = exec(c, "CREATE TABLE IF NOT EXISTS bindscan_schema_migrations "
                         "(version int PRIMARY KEY, applied_ms bigint NOT NULL)");
        !r) {
      return r.error();
    }
    auto applied = exec(c, "SELECT coalesce(max(version), 0) FROM bindscan_schema_migrations");
    if (!applied) return applied.error();
    const int have = std::stoi(text(*applied, 0, 0));
    const auto& list = migrations();
    if (have > static_cast<int>(list.size())) {
      return Error{"io", "the database schema is version " + std::to_string(have) +
                             ", newer than this bindscan knows (" + std::to_string(list.size()) +
                             "); upgrade bindscan"};
    }
    for (int v = have + 1; v <= static_cast<int>(list.size()); ++v) {
      std::string sql = "BEGIN; " + list[v - 1] + "; INSERT INTO bindscan_schema_migrations VALUES (" +
                        std::to_string(v) + ", " + std::to_string(now()) + "); COMMIT;";
      PgResult r(PQexec(c, sql.c_str()));
      if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        Error e{"io", "database migration " + std::to_string(v) + " failed: " + first_line(PQerrorMessage(c))};
        (void)PgResult(PQexec(c, "ROLLBACK"));
        return e;
      }
    }
    return ok_status();
  }

  // Runs `body` in a transaction on a pooled connection; commits when it
  // returns a value, rolls back otherwise.
  template <typename T>
  Result<T> in_transaction(const std::function<Result<T>(PGconn*)>& body) const {
    auto c = pool_.borrow();
    if (!c) return c.error();
    if (auto r = exec(c->get(), "BEGIN"); !r) {
      // A pooled connection the server dropped (a restart): one fresh try.
      if (PQstatus(c->get()) == CONNECTION_OK) return r.error();
      c = pool_.borrow_fresh();
      if (!c) return c.error();
      if (auto again = exec(c->get(), "BEGIN"); !again) return again.error();
    }
    PGconn* conn = c->get();
    Result<T> result = body(conn);
    if (result) {
      if (auto r = exec(conn, "COMMIT"); !r) return r.error();
    } else {
      (void)exec(conn, "ROLLBACK");
    }
    pool_.give_back(std::move(*c));
    return result;
  }

  Result<PgResult> statement(const std::string& sql, const std::vector<std::string>& params = {}) const {
    return run_statement(pool_, sql, params);
  }

  // Writes `record` into its row (record text and the searched columns).
  Status write(PGconn* c, const JobRecord& record) const {
    int64_t lease = 0;
    if (record.state == JobState::kRunning) lease = now() + options_.lease.count();
    auto r = exec(c,
                  "UPDATE bindscan_jobs SET state = $2, not_before_ms = $3, lease_until_ms = $4, "
                  "updated_ms = $5, record = $6 WHERE id = $1",
                  {record.job.id, std::string(to_string(record.state)), std::to_string(record.not_before_ms),
                   std::to_string(lease), std::to_string(record.updated_ms), record_to_json(record)});
    if (!r) return r.error();
    return ok_status();
  }

  Status update(const std::string& id, const std::function<void(JobRecord&)>& change) {
    auto done = in_transaction<Unit>([&](PGconn* c) -> Result<Unit> {
      auto row = exec(c, "SELECT record, seq FROM bindscan_jobs WHERE id = $1 FOR UPDATE", {id});
      if (!row) return row.error();
      if (PQntuples(row->get()) == 0) return Error{"io", "no job " + id};
      auto record = record_from_json(text(*row, 0, 0));
      if (!record) return record.error();
      record->seq = std::stoll(text(*row, 0, 1));
      change(*record);
      record->updated_ms = now();
      if (auto s = write(c, *record); !s) return s.error();
      return Unit{};
    });
    if (!done) return done.error();
    std::lock_guard lock(mutex_);
    changed_.notify_all();
    return ok_status();
  }

  // One claim: a due processing check, else the oldest due queued job of a
  // ref with nothing running (a running job whose lease ended counts as
  // queued). nullopt inside: nothing due.
  Result<std::optional<Job>> claim() {
    return in_transaction<std::optional<Job>>([&](PGconn* c) -> Result<std::optional<Job>> {
      if (auto r = exec(c, kQueueLock); !r) return r.error();
      const std::string t = std::to_string(now());
      auto check = exec(c,
                        "SELECT record, seq FROM bindscan_jobs WHERE state = 'awaiting-processing' "
                        "AND not_before_ms <= $1 ORDER BY not_before_ms LIMIT 1",
                        {t});
      if (!check) return check.error();
      if (PQntuples(check->get()) > 0) {
        auto record = record_from_json(text(*check, 0, 0));
        if (!record) return record.error();
        record->not_before_ms = now() + kCheckHoldMs;
        if (auto s = write(c, *record); !s) return s.error();
        Job job = record->job;
        job.recorded_sarif_id = record->sarif_id;
        job.check_processing = true;
        job.processing_checks = record->checks;
        job.admitted_ms = record->created_ms;
        return std::optional<Job>(job);
      }
      auto run = exec(c,
                      "SELECT j.record, j.seq FROM bindscan_jobs j WHERE "
                      "((j.state = 'queued' AND j.not_before_ms <= $1) OR "
                      " (j.state = 'running' AND j.lease_until_ms <= $1)) "
                      "AND NOT EXISTS (SELECT 1 FROM bindscan_jobs r WHERE r.ref_key = j.ref_key "
                      "  AND r.id <> j.id AND r.state = 'running' AND r.lease_until_ms > $1) "
                      "ORDER BY j.seq LIMIT 1",
                      {t});
      if (!run) return run.error();
      if (PQntuples(run->get()) == 0) return std::optional<Job>();
      auto record = record_from_json(text(*run, 0, 0));
      if (!record) return record.error();
      record->seq = std::stoll(text(*run, 0, 1));
      record->state = JobState::kRunning;
      record->job.attempts += 1;
      record->updated_ms = now();
      if (auto s = write(c, *record); !s) return s.error();
      Job job = record->job;
      job.recorded_sarif_id = record->sarif_id;
      job.admitted_ms = record->created_ms;
      auto newer = exec(c,
                        "SELECT id FROM bindscan_jobs WHERE ref_key = $1 AND seq > $2 "
                        "ORDER BY seq DESC LIMIT 1",
                        {ref_key(record->job), std::to_string(record->seq)});
      if (!newer) return newer.error();
      if (PQntuples(newer->get()) > 0) job.superseded_by = text(*newer, 0, 0);
      return std::optional<Job>(job);
    });
  }

  void prune() {
    (void)statement("DELETE FROM bindscan_jobs WHERE id IN (SELECT id FROM bindscan_jobs "
               "WHERE state IN ('uploaded', 'failed', 'superseded') ORDER BY updated_ms DESC OFFSET $1)",
               {std::to_string(options_.limits.max_finished)});
  }

  mutable Pool pool_;
  PgJobStoreOptions options_;
  std::atomic<Clock> clock_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool closed_ = false;
};

class PgResultCache final : public SharedResultCache {
 public:
  explicit PgResultCache(std::string url) : pool_(std::move(url), 4) {}

  std::optional<std::string> get(std::string_view version, std::string_view blob_id) override {
    auto r = statement("SELECT findings FROM bindscan_results WHERE scanner_version = $1 AND blob_id = $2",
                       {std::string(version), std::string(blob_id)});
    if (!r || PQntuples(r->get()) == 0) return std::nullopt;
    return text(*r, 0, 0);
  }
  void put(std::string_view version, std::string_view blob_id, std::string_view value) override {
    (void)statement("INSERT INTO bindscan_results VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    {std::string(version), std::string(blob_id), std::string(value)});
  }

 private:
  Result<PgResult> statement(const std::string& sql, const std::vector<std::string>& params) {
    return run_statement(pool_, sql, params);
  }
  Pool pool_;
};

// A connection that gives up after 5 s instead of the OS's minutes, unless
// the URL says otherwise.
std::string with_connect_timeout(std::string url) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
}

}  // namespace

std::unique_ptr<SharedResultCache> make_pg_result_cache(const std::string& url) {
  return std::make_unique<PgResultCache>(with_connect_timeout(url));
}

Result<std::unique_ptr<JobStore>> open_pg_job_store(const std::string& url, PgJobStoreOptions options) {
  auto store = std::make_unique<PgJobStore>(with_connect_timeout(url), options);
  if (Status s = store->migrate(); !s) return s.error();
  return std::unique_ptr<JobStore>(std::move(store));
}

}  // namespace bindscan::webhook

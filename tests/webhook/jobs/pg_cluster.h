// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder,
// pg_ctl start listening only on a unix socket in that folder (no TCP port
// at all, so nothing collides with other tests), stopped and deleted by the
// destructor. Run as root (CI containers), the server runs as the
// `postgres` user that Debian's postgresql-common creates.
//
// available() is false, with the reason, only when the server binaries are
// not installed (scripts/dev installs postgresql-15).
#pragma once

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/webhook/git/git_server.h"

namespace bindscan::testing {

class PgCluster {
 public:
  PgCluster() {
    bin_ = find_bin();
    if (bin_.empty()) {
      why_ = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (scripts/dev installs postgresql-15)";
      return;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "bindscan-pg-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      why_ = "mkdtemp failed";
      return;
    }
    dir_ = pattern;
    if (::getuid() == 0) {
      const passwd* pg = ::getpwnam("postgres");
      if (pg == nullptr) {
        why_ = "running as root and there is no postgres user to run the server as";
        return;
      }
      as_ = "runuser -u postgres -- ";
      run("chown postgres " + quote(dir_.string()));
    }
    run(as_ + quote((bin_ / "initdb").string()) + " -A trust -U postgres -E UTF8 --no-sync -D " +
        quote((dir_ / "data").string()));
    start();
    started_ = true;
  }
  ~PgCluster() {
    if (started_) stop();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  bool available() const { return started_; }
  const std::string& why_unavailable() const { return why_; }

  // A libpq URI for database `postgres` over the cluster's socket.
  std::string url() const { return "postgresql://postgres@/postgres?host=" + dir_.string() + "&port=5432"; }

  // Fast shutdown (clients are disconnected), and start again.
  void stop() { run(as_ + quote((bin_ / "pg_ctl").string()) + " -D " + quote((dir_ / "data").string()) + " -m fast -w stop"); }
  void start() {
    run(as_ + quote((bin_ / "pg_ctl").string()) + " -D " + quote((dir_ / "data").string()) + " -l " +
        quote((dir_ / "log").string()) + " -w -o " +
        quote("-c listen_addresses='' -k " + dir_.string() + " -p 5432 -c fsync=off -c max_connections=200") +
        " start");
  }

  // Runs SQL through psql (as the server's user).
  std::string psql(const std::string& sql) const {
    return run(as_ + quote((bin_ / "psql").string()) + " -X -q -t -A -h " + quote(dir_.string()) +
               " -p 5432 -U postgres -d postgres -c " + quote(sql));
  }

 private:
  static std::filesystem::path find_bin() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      if (std::filesystem::exists(entry.path() / "bin" / "pg_ctl")) return entry.path() / "bin";
    }
    return {};
  }

  std::filesystem::path bin_;
  std::filesystem::path dir_;
  std::string as_;
  std::string why_;
  bool started_ = false;
};

}  // namespace bindscan::testing

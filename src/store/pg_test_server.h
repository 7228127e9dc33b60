// PgTestServer: a real, throwaway PostgreSQL for tests, started from the
// Debian `postgresql` package's binaries (initdb, pg_ctl under
// /usr/lib/postgresql/<version>/bin, or $BERTH_PG_BIN). It lives in a
// temporary directory, listens only on a Unix socket in that directory (no
// TCP port at all), trusts local connections, and runs as the `postgres`
// system user when the test runs as root (PostgreSQL refuses root).
// Destroying it stops the server and removes the directory.
//
// Not thread-safe: one test thread drives it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace berth::store {

class PgTestServer {
 public:
  // The directory holding initdb and pg_ctl; empty when none is installed.
  static std::string BinDir();

  // NotFound when BinDir() is empty (callers skip); another error when the
  // server did not start (its log is in the message).
  static Result<std::unique_ptr<PgTestServer>> Start();
  ~PgTestServer();

  // Creates a new empty database and returns its URL.
  Result<std::string> CreateDatabase();
  // The URL of database `name` as the superuser "berth".
  std::string Url(const std::string& name) const;

 private:
  PgTestServer(std::string bin, std::string dir) : bin_(std::move(bin)), dir_(std::move(dir)) {}
  Status Run(const std::vector<std::string>& argv);

  std::string bin_;
  std::string dir_;  // socket dir; the cluster is in dir_/data
  bool started_ = false;
  int databases_ = 0;
};

}  // namespace berth::store

// PgPool: a bounded pool of connections to one PostgreSQL database, shared
// by PgStore's callers. Why a pool and not one connection behind a mutex (as
// SqliteStore has): PostgreSQL runs each connection's statements in a
// backend process of its own, so HTTP workers that hold different
// connections query in parallel; a pool also bounds how many backends one
// manager may take (several managers share the server's max_connections).
//
// Connections open lazily, up to `max_size`. A caller leases one, uses it on
// its own thread only, and returns it by destroying the lease; a lease whose
// connection broke is discarded, and the next Acquire opens a fresh one (so
// a restarted server costs the requests in flight, not the daemon).
// Thread-safe. Internal to store/ (its header includes libpqxx).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "common/result.h"


namespace berth::store {

class PgPool {
 public:
  class Lease {
   public:
    Lease(Lease&& o) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() const { return *conn_; }
    // The connection is broken: close it instead of returning it.
    void Discard() { broken_ = true; }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<pqxx::connection> conn);
    PgPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  // `url`: a libpq connection URI (postgresql://...).
  PgPool(std::string url, size_t max_size);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A connection, waiting up to 10 s for one to come back when all
  // max_size are leased. Unavailable when the server cannot be reached or
  // none came back in time.
  Result<Lease> Acquire();

  // Opens a connection outside the pool (a listener, migrations).
  static Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url);

 private:
  void Return(std::unique_ptr<pqxx::connection> conn, bool broken);

  const std::string url_;
  const size_t max_size_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  size_t open_ = 0;                                      // guarded by mu_: idle + leased
};

}  // namespace berth::store

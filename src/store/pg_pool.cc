#include "store/pg_pool.h"

#include <chrono>
#include <pqxx/pqxx>

#include "store/store_url.h"

namespace berth::store {

PgPool::Lease::Lease(PgPool* pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

PgPool::Lease::Lease(Lease&& o) noexcept
    : pool_(o.pool_), conn_(std::move(o.conn_)), broken_(o.broken_) {}

PgPool::Lease::~Lease() {
  if (conn_) pool_->Return(std::move(conn_), broken_);
}

PgPool::PgPool(std::string url, size_t max_size) : url_(std::move(url)), max_size_(max_size) {}

PgPool::~PgPool() = default;

Result<std::unique_ptr<pqxx::connection>> PgPool::Connect(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    // libpq's messages name the host and port, never the password; the URL
    // itself is masked (it may carry one).
    return Unavailable("cannot connect to " + MaskUrlPassword(url) + ": " + e.what());
  }
}

Result<PgPool::Lease> PgPool::Acquire() {
  {
    std::unique_lock lock(mu_);
    bool ready = returned_.wait_for(lock, std::chrono::seconds(10),
                                    [&] { return !idle_.empty() || open_ < max_size_; });
    if (!ready) return Unavailable("every database connection is busy");
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserved: connect without holding the lock
  }
  auto conn = Connect(url_);
  if (!conn.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    returned_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(*conn));
}

void PgPool::Return(std::unique_ptr<pqxx::connection> conn, bool broken) {
  std::unique_ptr<pqxx::connection> closing;  // closed outside the lock
  {
    std::lock_guard lock(mu_);
    if (broken || !conn->is_open()) {
      closing = std::move(conn);
      --open_;
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  returned_.notify_one();
}

}  // namespace berth::store

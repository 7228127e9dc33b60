#include "store/pg_coordination.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "common/random.h"
#include "store/pg_pool.h"

namespace berth::store {
namespace {

constexpr const char* kChannel = "berth_events";
constexpr size_t kMaxPayload = 7000;  // PostgreSQL's limit is 8000 bytes

class AdvisoryHold : public Coordination::Hold {
 public:
  AdvisoryHold(std::unique_ptr<pqxx::connection> conn, std::string key)
      : conn_(std::move(conn)), key_(std::move(key)) {}
  ~AdvisoryHold() override {
    try {
      pqxx::nontransaction(*conn_).exec_params("SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                                               key_);
    } catch (const std::exception&) {
      // Closing the connection below releases it anyway.
    }
  }

  // The lock lives as long as its session: a query on it tells.
  bool Held() override {
    std::lock_guard lock(mu_);
    try {
      pqxx::nontransaction(*conn_).exec("SELECT 1");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

 private:
  std::mutex mu_;  // one query at a time on conn_
  std::unique_ptr<pqxx::connection> conn_;
  std::string key_;
};

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& c, const std::string& self,
           const std::function<void(const std::string&)>& on_message)
      : pqxx::notification_receiver(c, kChannel), self_(self), on_message_(on_message) {}
  void operator()(const std::string& payload, int) override {
    // "<instance>\n<payload>": skip our own.
    size_t nl = payload.find('\n');
    if (nl == std::string::npos || payload.compare(0, nl, self_) == 0) return;
    on_message_(payload.substr(nl + 1));
  }

 private:
  const std::string& self_;
  const std::function<void(const std::string&)>& on_message_;
};

class PgCoord : public Coordination {
 public:
  explicit PgCoord(std::string url) : url_(std::move(url)), self_(NewUuid()) {}
  ~PgCoord() override { Stop(); }

  Result<std::unique_ptr<Hold>> Lock(const std::string& name) override {
    auto conn = PgPool::Connect(url_);
    if (!conn.ok()) return conn.status();
    std::string key = "berth:" + name;
    try {
      pqxx::nontransaction(**conn).exec_params("SELECT pg_advisory_lock(hashtextextended($1, 0))",
                                               key);
    } catch (const std::exception& e) {
      return Unavailable("taking the lock '" + name + "': " + e.what());
    }
    return std::unique_ptr<Hold>(std::make_unique<AdvisoryHold>(std::move(*conn), key));
  }

  Result<std::unique_ptr<Hold>> TryLock(const std::string& name) override {
    auto conn = PgPool::Connect(url_);
    if (!conn.ok()) return conn.status();
    std::string key = "berth:" + name;
    try {
      bool got = pqxx::nontransaction(**conn)
                     .exec_params1("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", key)[0]
                     .as<bool>();
      if (!got) return std::unique_ptr<Hold>();
    } catch (const std::exception& e) {
      return Unavailable("taking the lock '" + name + "': " + e.what());
    }
    return std::unique_ptr<Hold>(std::make_unique<AdvisoryHold>(std::move(*conn), key));
  }

  Status Broadcast(const std::string& payload) override {
    if (payload.size() > kMaxPayload) return InvalidArgument("broadcast payload too large");
    std::lock_guard lock(send_mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {  // once more on a fresh connection
      if (!sender_) {
        auto conn = PgPool::Connect(url_);
        if (!conn.ok()) return conn.status();
        sender_ = std::move(*conn);
      }
      try {
        pqxx::nontransaction(*sender_).exec_params("SELECT pg_notify($1, $2)", kChannel,
                                                   self_ + "\n" + payload);
        return Status::Ok();
      } catch (const pqxx::broken_connection&) {
        sender_.reset();
      } catch (const std::exception& e) {
        return Internal(std::string("broadcast: ") + e.what());
      }
    }
    return Unavailable("broadcast: the database connection broke");
  }

  Status Listen(std::function<void(const std::string&)> on_message) override {
    on_message_ = std::move(on_message);
    // Connect and LISTEN here, so that a wrong URL fails the start (not a
    // thread) and whatever is broadcast once this returns is received.
    auto conn = Subscribe();
    if (!conn.ok()) return conn.status();
    listener_ = std::thread([this, c = std::move(*conn)]() mutable { Run(std::move(c)); });
    return Status::Ok();
  }

  void Stop() override {
    {
      std::lock_guard lock(stop_mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    if (listener_.joinable()) listener_.join();
  }

 private:
  bool Stopping() {
    std::lock_guard lock(stop_mu_);
    return stopping_;
  }
  // Waits `d` or until Stop; true when stopping.
  bool SleepOrStop(std::chrono::milliseconds d) {
    std::unique_lock lock(stop_mu_);
    return stop_cv_.wait_for(lock, d, [&] { return stopping_; });
  }

  // A connection that LISTENs on the channel (the receiver lives as long
  // as the connection).
  struct Subscribed {
    std::unique_ptr<pqxx::connection> conn;
    std::unique_ptr<Receiver> receiver;
  };
  Result<Subscribed> Subscribe() {
    auto conn = PgPool::Connect(url_);
    if (!conn.ok()) return conn.status();
    try {
      auto receiver = std::make_unique<Receiver>(**conn, self_, on_message_);
      return Subscribed{std::move(*conn), std::move(receiver)};
    } catch (const std::exception& e) {
      return Unavailable(std::string("LISTEN: ") + e.what());
    }
  }

  // The listener thread: waits for notifications a second at a time (so a
  // Stop is seen within a second), subscribing again after a lost
  // connection (once a second until it works).
  void Run(Subscribed sub) {
    while (!Stopping()) {
      if (!sub.conn) {
        auto again = Subscribe();
        if (!again.ok()) {
          if (SleepOrStop(std::chrono::seconds(1))) return;
          continue;
        }
        sub = std::move(*again);
      }
      try {
        while (!Stopping()) sub.conn->await_notification(1, 0);
      } catch (const std::exception&) {
        sub.receiver.reset();  // before its connection
        sub.conn.reset();
      }
    }
  }

  const std::string url_;
  const std::string self_;  // this manager's instance id
  std::mutex send_mu_;
  std::unique_ptr<pqxx::connection> sender_;  // guarded by send_mu_
  std::function<void(const std::string&)> on_message_;
  std::thread listener_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
};

}  // namespace

std::unique_ptr<Coordination> PgCoordination(const std::string& url) {
  return std::make_unique<PgCoord>(url);
}

}  // namespace berth::store

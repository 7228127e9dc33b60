// ConnectionLimiter: caps open connections, in all and per client address,
// so that one client cannot take every file descriptor (and with them every
// other user's service) by opening sockets and sending nothing. Acquire is
// called by the accept loop before the connection costs anything more than
// its socket; a refused connection is closed at once.
//
// Thread-safe: slots are taken on the acceptor's thread and released on
// whichever I/O thread ends the connection.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace berth::http {

class ConnectionLimiter {
 public:
  // One open connection; releases its count when destroyed. Move-only.
  class Slot {
   public:
    Slot(Slot&& o) noexcept : owner_(o.owner_), client_(std::move(o.client_)) { o.owner_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    ~Slot();

   private:
    friend class ConnectionLimiter;
    Slot(ConnectionLimiter* owner, std::string client) : owner_(owner), client_(std::move(client)) {}
    ConnectionLimiter* owner_;
    std::string client_;
  };

  // A cap of 0 means no cap.
  ConnectionLimiter(size_t max_total, size_t max_per_client)
      : max_total_(max_total), max_per_client_(max_per_client) {}

  // A slot for one more connection from `client` (its address), or nullopt
  // when either cap is reached. Without `per_client_cap` (a trusted proxy,
  // which carries many clients) only the total cap applies.
  std::optional<Slot> TryAcquire(const std::string& client, bool per_client_cap = true);

  size_t open() const;

 private:
  void Release(const std::string& client);

  const size_t max_total_;
  const size_t max_per_client_;
  mutable std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_client_;  // no zero entries
};

}  // namespace berth::http

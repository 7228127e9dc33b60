// Server: the HTTP/1.1 + WebSocket server (Boost.Beast, C++20 coroutines).
//
// Network I/O runs on `io_threads` threads; handlers run on a separate pool
// of `worker_threads` so that a slow handler (SQLite, runc, fsync) never
// stalls other connections. Nothing on an I/O thread blocks: WebSockets and
// event streams wait for data without a thread (websocket.h,
// LiveBodySource); connections are capped per client address and in all;
// accept errors (EMFILE) back off instead of spinning. Request bodies are
// streamed to BodySinks for upload routes and limited to `max_body_bytes` otherwise; responses may be
// strings, files (sendfile) or chunked streams.
//
// With TLS, every connection starts with a handshake (TLS 1.2+) and then
// runs the very same code as a plain one (templates over the stream type);
// responses carry Strict-Transport-Security and Request::https is set.
//
// Start/Stop are symmetric: Stop stops accepting, lets in-flight requests
// finish for up to `drain_timeout_s`, then closes everything. Thread-safe:
// Stop may be called from any thread (e.g. a signal watcher).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/request_observer.h"
#include "http/router.h"

namespace berth::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8470;  // 0 picks a free port (see Server::port)
  int io_threads = 2;
  // Handlers block (SQLite, runc, fsync, exec up to its timeout), so the
  // pool is generous; idle threads cost only their stacks. Event streams
  // (LiveBodySource) and WebSockets hold no worker while they wait.
  int worker_threads = 64;
  // Caps on open connections (0: none). Past either, a new connection gets
  // a 503 and is closed by the accept loop, before it costs a worker.
  size_t max_connections = 4096;
  size_t max_connections_per_client = 256;  // per remote address
  uint64_t max_body_bytes = 1 << 20;  // non-streaming routes
  uint32_t max_header_bytes = 16 << 10;
  int idle_timeout_s = 60;   // keep-alive wait and per-read/-write progress
  int drain_timeout_s = 10;
  // TLS (docs/operations.md "TLS"): both set, or neither for plain HTTP.
  // Start fails with a clear message when they cannot be loaded or the key
  // is readable by other users.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Peers (CIDRs) whose X-Forwarded-For / X-Forwarded-Proto are believed
  // (trusted_proxy.h); everyone else's are ignored.
  std::vector<std::string> trusted_proxies;
  // Told about every finished request (metrics, access log); not owned,
  // must outlive the server. Every request gets an X-Request-Id
  // (common/request_id.h) either way.
  std::vector<RequestObserver*> observers;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in background threads.
  Status Start();
  // The bound port (useful with port 0). REQUIRES: Start() succeeded.
  uint16_t port() const;
  // The handler pool now (for /metrics). Thread-safe.
  PoolStats pool_stats() const;
  // Blocks until Stop() has completed.
  void Wait();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::http

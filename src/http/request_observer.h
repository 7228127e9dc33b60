// RequestObserver: what the server tells about each finished request, for
// metrics (http/request_metrics.h) and the access log (http/access_log.h).
// Beast-free. Implementations must be thread-safe: OnRequest is called on
// the I/O threads, concurrently, after the response has been written.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace berth::http {

struct RequestRecord {
  std::string method;
  // The route's pattern ("/api/v1/folders/{name}"), "static" for the web
  // UI fallback, "unmatched" when no route took it: a bounded set, unlike
  // `path`.
  std::string route;
  std::string path;  // raw (still percent-encoded), without the query
  int status = 0;    // 101 for a WebSocket upgrade
  uint64_t bytes_in = 0;   // request body bytes read
  uint64_t bytes_out = 0;  // response body bytes written
  std::chrono::nanoseconds duration{0};  // header read to response written
  std::string remote_addr;  // after the trusted-proxy rules
  std::string request_id;
  std::string user_id;  // empty when anonymous
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void OnRequest(const RequestRecord& r) = 0;
};

// The server's handler pool at one moment (Server::pool_stats).
struct PoolStats {
  int threads = 0;
  int busy = 0;    // running a handler, a body read or a sink
  int queued = 0;  // waiting for a free thread
};

}  // namespace berth::http

// HttpClient: a small synchronous HTTP/1.1 client for the CLI, over plain
// TCP (http://) or TLS (https://, verified: tls_client.h). It keeps one keep-alive connection to the endpoint and
// reconnects when the server closes it. Boost.Beast stays inside
// http_client.cc; this header is cheap to include.
//
// Not thread-safe: one HttpClient per thread. A ResponseStream borrows the
// connection; destroy it (or read it to the end) before the next request.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/url.h"
#include "common/result.h"

namespace berth::cli {

class BeastResponseStream;

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Value of header `name` (case-insensitive), or "" if absent.
std::string FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // "/api/v1/..."; the endpoint's base path is prepended
  HttpHeaders headers;
  std::string body;  // sent with Content-Length (and Content-Type if set in headers)
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

// Progress of a transfer: bytes so far and the total (0 when unknown).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// A response whose body is read incrementally (downloads of any size).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual int status() const = 0;
  virtual const HttpHeaders& headers() const = 0;
  // The Content-Length, if the server sent one.
  virtual std::optional<uint64_t> content_length() const = 0;
  // Reads up to `cap` body bytes; 0 at the end of the body.
  virtual Result<size_t> Read(char* buf, size_t cap) = 0;
  // Reads the rest of the body (at most `limit` bytes are kept).
  Result<std::string> ReadAll(size_t limit = 1 << 20);
};

class HttpClient {
 public:
  explicit HttpClient(Endpoint endpoint);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const Endpoint& endpoint() const;

  // Sends `req` and reads the whole response. Unavailable when the server
  // cannot be reached; HTTP error statuses are returned as responses.
  Result<HttpResponse> Send(const HttpRequest& req);

  // Sends `req` with `size` bytes read from `fd` as the body (Content-Length:
  // size; req.body is ignored), streaming in chunks and reporting progress.
  // If the server answers early (an error before the body is complete), the
  // upload stops and that response is returned.
  Result<HttpResponse> SendFile(const HttpRequest& req, int fd, uint64_t size,
                                const ProgressFn& progress);

  // Sends `req` and returns once the response header has arrived.
  Result<std::unique_ptr<ResponseStream>> Open(const HttpRequest& req);

 private:
  friend class BeastResponseStream;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace berth::cli

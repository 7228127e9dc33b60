// Request and Response: the HTTP layer's Beast-free view of one exchange.
// Handlers in manager/ see only these types, so Beast stays inside
// http/server.cc. A Request is owned by one handler call; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth::http {

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // raw request target, e.g. "/api/v1/x?y=1"
  std::string path;    // percent-decoded path, no query
  std::map<std::string, std::string> query;   // decoded; a repeated key keeps the last
  std::map<std::string, std::string> params;  // route captures ("{name}"), decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;  // for non-streaming routes
  // The client's address: the TCP peer's, or what a trusted proxy's
  // X-Forwarded-For names (trusted_proxy.h).
  std::string remote_addr;
  // The client spoke TLS: to berthd, or to a trusted proxy that said so in
  // X-Forwarded-Proto. Cookies are then marked Secure.
  bool https = false;
  // X-Request-Id: the client's when sane, else minted (common/request_id.h);
  // echoed on the response and written in the access log.
  std::string request_id;
  // Set by the handler once it knows who called (the user's id), for the
  // access log; empty for anonymous requests.
  std::string user_id;

  // Empty when absent. REQUIRES: `lower_name` is lower-case.
  std::string_view Header(std::string_view lower_name) const;
  const std::string* Query(std::string_view key) const;
  // REQUIRES: the route declared {key}.
  const std::string& Param(const std::string& key) const { return params.at(key); }
};

// A response body produced piece by piece (sent chunked). Read is called on
// a worker thread and may block.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Fills up to `cap` bytes; 0 means the end. An error aborts the response.
  virtual Result<size_t> Read(char* buf, size_t cap) = 0;
};

// A response body whose data arrives over time (server-sent events). It
// holds no thread while it waits: the server calls TryRead on an I/O thread,
// and when that comes up empty waits for the waker, or for kLiveBodyIdle
// and then sends Heartbeat(). So an idle stream costs a socket and a timer,
// never a worker.
class LiveBodySource {
 public:
  virtual ~LiveBodySource() = default;
  // Never blocks: appends what is ready to `out`; false once the body ends.
  virtual bool TryRead(std::string& out) = 0;
  // Sent after kLiveBodyIdle without data.
  virtual std::string Heartbeat() = 0;
  // `wake` may be called from any thread, any number of times, until the
  // source is destroyed, whenever TryRead may have more. REQUIRES: called
  // once, before the first TryRead.
  virtual void SetWaker(std::function<void()> wake) = 0;
};
inline constexpr std::chrono::seconds kLiveBodyIdle{15};

struct FileBody {
  UniqueFd fd;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                     // used when neither file nor stream
  std::optional<FileBody> file;         // sent with sendfile(2)
  std::unique_ptr<BodySource> stream;   // sent chunked
  std::unique_ptr<LiveBodySource> live; // sent chunked, as it comes
  bool close = false;                   // close the connection afterwards

  Response() = default;
  Response(Response&&) = default;
  Response& operator=(Response&&) = default;

  void SetHeader(std::string name, std::string value);
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response Empty(int status);
  // The SPEC §5 error body for a non-OK status.
  static Response Error(const Status& s);
};

// Receives a streamed request body (uploads). Write is called for each chunk
// as it arrives; Finish once the whole body is in. Destroying a sink that was
// not finished must undo its effects (an interrupted upload leaves nothing).
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual Status Write(const char* data, size_t n) = 0;
  virtual Response Finish() = 0;  // called on a worker thread
};

}  // namespace berth::http

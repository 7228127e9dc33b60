// DockerClient: the small slice of HTTP/1.1 that the Docker Engine API needs,
// over the daemon's unix socket. Every call opens a fresh connection (the
// daemon is local; no pooling to get wrong), has a deadline, and maps
// transport failures to Status values:
//   * socket missing / connection refused / deadline passed -> Unavailable,
//     with the socket path in the message (never a hang);
//   * HTTP errors are returned as responses; the caller maps them
//     (DockerError below does the common mapping).
// Beast and Asio stay inside docker_client.cc.
//
// Thread-safety: a DockerClient is immutable after construction; calls from
// several threads run on separate connections.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth::runtime {

struct HttpResponse {
  unsigned status = 0;
  std::string body;
};

// Produces a request body piece by piece: fills *chunk (may leave it empty)
// and returns true while more follows, false after the last piece.
using BodySource = std::function<Result<bool>(std::string* chunk)>;

class DockerClient {
 public:
  // `socket_path`: e.g. /var/run/docker.sock. `api_prefix`: prepended to
  // every target, e.g. "/v1.41" (empty for unversioned calls like /version).
  explicit DockerClient(std::string socket_path, std::string api_prefix = {})
      : socket_path_(std::move(socket_path)), api_prefix_(std::move(api_prefix)) {}

  const std::string& socket_path() const { return socket_path_; }
  DockerClient WithApiPrefix(std::string prefix) const {
    return DockerClient(socket_path_, std::move(prefix));
  }

  // A request with an optional JSON body, reading the whole response.
  Result<HttpResponse> Request(std::string_view method, const std::string& target,
                               const std::string& json_body,
                               std::chrono::milliseconds timeout) const;

  // A request whose body is streamed from `source` with chunked transfer
  // encoding (e.g. a tar of an image's rootfs). `timeout` bounds the whole
  // exchange.
  Result<HttpResponse> StreamRequest(std::string_view method, const std::string& target,
                                     const std::string& content_type, const BodySource& source,
                                     std::chrono::milliseconds timeout) const;

  // POSTs `json_body` asking to upgrade the connection (Docker's "hijack",
  // used by exec start / attach) and, once the daemon answered 101 (or 200),
  // returns the raw connection: from then on it carries the process's
  // streams. No byte after the response header is consumed, so the returned
  // blocking, close-on-exec socket is the whole stream. An HTTP error
  // response comes back as `*error_response` with an invalid fd.
  // `timeout` bounds only the request/response header exchange.
  Result<UniqueFd> Hijack(const std::string& target, const std::string& json_body,
                          std::chrono::milliseconds timeout, HttpResponse* error_response) const;

 private:
  std::string socket_path_;
  std::string api_prefix_;
};

// Docker's error body is {"message": "..."}; returns the message or the raw
// body.
std::string DockerErrorMessage(const HttpResponse& r);

// Maps an unsuccessful response to a Status: 400 InvalidArgument, 404
// NotFound, 409 AlreadyExists/FailedPrecondition (per `conflict_code`), 5xx
// Internal. `what` prefixes the message.
Status DockerError(const std::string& what, const HttpResponse& r,
                   Code conflict_code = Code::kFailedPrecondition);

// Decodes Docker's multiplexed stdout/stderr stream (non-TTY attach, exec,
// logs): frames of [stream(1=stdout,2=stderr), 0, 0, 0, size (u32 BE)]
// followed by `size` bytes. Feed it bytes as they arrive, in any split.
class StreamDemuxer {
 public:
  // merge: both streams go to out() in arrival order (container logs).
  explicit StreamDemuxer(bool merge = false) : merge_(merge) {}
  void Feed(const char* data, size_t n);
  // Bytes of an incomplete frame still buffered (0 at a clean end).
  size_t pending() const { return buf_.size(); }
  std::string& out() { return out_; }
  std::string& err() { return err_; }

 private:
  bool merge_;
  std::string buf_;
  std::string out_;
  std::string err_;
};

}  // namespace berth::runtime

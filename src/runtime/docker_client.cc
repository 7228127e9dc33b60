#include "runtime/docker_client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

namespace berth::runtime {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Stream = beast::basic_stream<asio::local::stream_protocol, asio::any_io_executor,
                                   beast::unlimited_rate_policy>;
using asio::use_awaitable;

constexpr uint64_t kMaxResponseBody = 256ull << 20;  // logs are trimmed by the caller
constexpr size_t kMaxHeader = 64 << 10;

std::string Seconds(std::chrono::milliseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string((d.count() % 1000) / 100) + "s";
}

// Transport failures all mean "the daemon is not (properly) there".
Status TransportError(const std::string& path, const std::string& what, beast::error_code ec,
                      std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout)
    return Unavailable("Docker Engine at unix://" + path + " did not answer " + what + " within " +
                           Seconds(timeout),
                       "docker_unavailable");
  return Unavailable("Docker Engine not reachable at unix://" + path + " (" + what +
                         "): " + ec.message() + " (is dockerd running?)",
                     "docker_unavailable");
}

// Runs `fn(stream)` on a fresh connection to `path`; the whole exchange,
// connect included, must finish within `timeout` (beast::basic_stream cancels
// the pending operation and reports error::timeout otherwise).
template <typename T, typename Fn>
Result<T> RunOnConnection(const std::string& path, std::chrono::milliseconds timeout,
                          const std::string& what, Fn fn) {
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path))
    return InvalidArgument("bad Docker socket path '" + path + "'");
  asio::io_context io;
  Stream stream(io);
  // Our own socket so that it is close-on-exec from the start.
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoStatus("socket", errno);
  beast::error_code ec;
  stream.socket().assign(asio::local::stream_protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    return Internal("socket assign: " + ec.message());
  }
  std::optional<Result<T>> out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        beast::error_code cec;
        stream.expires_after(timeout);
        co_await stream.async_connect(asio::local::stream_protocol::endpoint(path),
                                      asio::redirect_error(use_awaitable, cec));
        if (cec) {
          out.emplace(TransportError(path, what, cec, timeout));
          co_return;
        }
        out.emplace(co_await fn(stream));
      },
      asio::detached);
  try {
    io.run();
  } catch (const std::exception& e) {
    return Internal("docker request " + what + ": " + e.what());
  }
  if (!out) return Internal("docker request " + what + " ended without a result");
  return std::move(*out);
}

Result<bhttp::verb> ParseVerb(std::string_view method) {
  bhttp::verb v = bhttp::string_to_verb(beast::string_view(method.data(), method.size()));
  if (v == bhttp::verb::unknown) return InvalidArgument("bad HTTP method");
  return v;
}

template <typename Body>
void SetCommonHeaders(bhttp::request<Body>& req) {
  req.set(bhttp::field::host, "docker");  // required by HTTP/1.1, ignored by dockerd
  req.set(bhttp::field::user_agent, "berth");
}

// Reads a complete response into a HttpResponse.
asio::awaitable<Result<HttpResponse>> ReadResponse(Stream& stream, const std::string& path,
                                                   const std::string& what,
                                                   std::chrono::milliseconds timeout) {
  beast::error_code ec;
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  co_await bhttp::async_read(stream, buf, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return TransportError(path, what, ec, timeout);
  HttpResponse r;
  r.status = parser.get().result_int();
  r.body = std::move(parser.get().body());
  co_return r;
}

}  // namespace

Result<HttpResponse> DockerClient::Request(std::string_view method, const std::string& target,
                                           const std::string& json_body,
                                           std::chrono::milliseconds timeout) const {
  BERTH_ASSIGN_OR_RETURN(bhttp::verb verb, ParseVerb(method));
  const std::string what = std::string(method) + " " + target;
  bhttp::request<bhttp::string_body> req{verb, api_prefix_ + target, 11};
  SetCommonHeaders(req);
  if (!json_body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = json_body;
  }
  req.prepare_payload();
  const std::string& path = socket_path_;
  return RunOnConnection<HttpResponse>(
      path, timeout, what, [&](Stream& stream) -> asio::awaitable<Result<HttpResponse>> {
        beast::error_code ec;
        co_await bhttp::async_write(stream, req, asio::redirect_error(use_awaitable, ec));
        if (ec) co_return TransportError(path, what, ec, timeout);
        co_return co_await ReadResponse(stream, path, what, timeout);
      });
}

Result<HttpResponse> DockerClient::StreamRequest(std::string_view method, const std::string& target,
                                                 const std::string& content_type,
                                                 const BodySource& source,
                                                 std::chrono::milliseconds timeout) const {
  BERTH_ASSIGN_OR_RETURN(bhttp::verb verb, ParseVerb(method));
  const std::string what = std::string(method) + " " + target;
  const std::string& path = socket_path_;
  return RunOnConnection<HttpResponse>(
      path, timeout, what, [&](Stream& stream) -> asio::awaitable<Result<HttpResponse>> {
        bhttp::request<bhttp::empty_body> req{verb, api_prefix_ + target, 11};
        SetCommonHeaders(req);
        req.set(bhttp::field::content_type, content_type);
        req.chunked(true);
        bhttp::request_serializer<bhttp::empty_body> sr{req};
        beast::error_code ec;
        co_await bhttp::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
        if (ec) co_return TransportError(path, what, ec, timeout);
        // The daemon answers only once it has read the whole body (image
        // import writes no progress for a streamed source), so writing all
        // of it before reading cannot deadlock.
        std::string chunk;
        for (;;) {
          chunk.clear();
          Result<bool> more = source(&chunk);
          if (!more.ok()) co_return more.status();  // closing the connection aborts the upload
          if (!chunk.empty()) {
            co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(chunk)),
                                       asio::redirect_error(use_awaitable, ec));
            if (ec) break;
          }
          if (!*more) break;
        }
        if (!ec) {
          co_await asio::async_write(stream, bhttp::make_chunk_last(),
                                     asio::redirect_error(use_awaitable, ec));
        }
        // Even after a write error the daemon may have answered (a 4xx
        // before it closed its end): that answer says more than EPIPE.
        auto r = co_await ReadResponse(stream, path, what, timeout);
        if (!r.ok() && ec) co_return TransportError(path, what, ec, timeout);
        co_return r;
      });
}

Result<UniqueFd> DockerClient::Hijack(const std::string& target, const std::string& json_body,
                                      std::chrono::milliseconds timeout,
                                      HttpResponse* error_response) const {
  const std::string what = "POST " + target;
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, api_prefix_ + target, 11};
  SetCommonHeaders(req);
  req.set(bhttp::field::connection, "Upgrade");
  req.set(bhttp::field::upgrade, "tcp");
  req.set(bhttp::field::content_type, "application/json");
  req.body() = json_body;
  req.prepare_payload();
  const std::string& path = socket_path_;
  return RunOnConnection<UniqueFd>(
      path, timeout, what, [&](Stream& stream) -> asio::awaitable<Result<UniqueFd>> {
        beast::error_code ec;
        co_await bhttp::async_write(stream, req, asio::redirect_error(use_awaitable, ec));
        if (ec) co_return TransportError(path, what, ec, timeout);
        // The header byte by byte: whatever follows it belongs to the
        // process and must stay in the socket for the caller.
        std::string head;
        while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
          if (head.size() > kMaxHeader) co_return Internal(what + ": response header too long");
          char c;
          co_await stream.async_read_some(asio::buffer(&c, 1),
                                          asio::redirect_error(use_awaitable, ec));
          if (ec) co_return TransportError(path, what, ec, timeout);
          head.push_back(c);
        }
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(1 << 20);
        parser.put(asio::buffer(head), ec);
        if (ec || !parser.is_header_done())
          co_return Internal(what + ": unparsable response header");
        unsigned status = parser.get().result_int();
        if (status == 101 || status == 200) {
          stream.expires_never();
          int fd = stream.socket().release(ec);
          if (ec) co_return Internal(what + ": release socket: " + ec.message());
          UniqueFd owned(fd);
          int fl = ::fcntl(fd, F_GETFL);
          if (fl < 0 || ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
            co_return ErrnoStatus("fcntl", errno);
          co_return owned;
        }
        if (!parser.is_done()) {
          beast::flat_buffer buf;
          co_await bhttp::async_read(stream, buf, parser, asio::redirect_error(use_awaitable, ec));
          if (ec) co_return TransportError(path, what, ec, timeout);
        }
        if (error_response != nullptr) {
          error_response->status = status;
          error_response->body = std::move(parser.get().body());
        }
        co_return UniqueFd();
      });
}

std::string DockerErrorMessage(const HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    return j["message"].get<std::string>();
  std::string body = r.body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body.empty() ? "HTTP " + std::to_string(r.status) : body;
}

Status DockerError(const std::string& what, const HttpResponse& r, Code conflict_code) {
  std::string msg = what + ": " + DockerErrorMessage(r);
  switch (r.status) {
    case 400:
      return InvalidArgument(msg);
    case 404:
      return NotFound(msg);
    case 409:
      return Status(conflict_code, msg);
    default:
      return Internal(msg + " (HTTP " + std::to_string(r.status) + ")");
  }
}

void StreamDemuxer::Feed(const char* data, size_t n) {
  buf_.append(data, n);
  size_t pos = 0;
  while (buf_.size() - pos >= 8) {
    const auto* h = reinterpret_cast<const unsigned char*>(buf_.data() + pos);
    size_t len = (size_t{h[4]} << 24) | (size_t{h[5]} << 16) | (size_t{h[6]} << 8) | h[7];
    if (buf_.size() - pos - 8 < len) break;
    // 0 stdin (echoed), 1 stdout, 2 stderr, 3 the daemon's own error text.
    (!merge_ && (h[0] == 2 || h[0] == 3) ? err_ : out_).append(buf_, pos + 8, len);
    pos += 8 + len;
  }
  buf_.erase(0, pos);
}

}  // namespace berth::runtime

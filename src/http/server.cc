// Server's connection handling, and the only Beast-heavy translation unit
// of the server (one Beast TU costs over a minute to compile; a second one
// would double that, so this file is deliberately not split further). It is
// one concept, the life of a connection on the io_context: accept, read a
// request, dispatch it to the Router on the worker pool, write the response
// (string, chunked stream or sendfile with a progress watchdog), upgrade to
// WebSocket, and drain on Stop; over plain TCP or TLS, with one code path
// (templates over the stream type, both instantiated here). Everything not tied to Beast or Asio lives
// elsewhere: routing in router.cc, the Beast-free Request/Response types in
// request.cc, URL decoding in url.cc.
#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

#include "http/server.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "common/request_id.h"
#include "http/asio_util.h"
#include "http/connection_limiter.h"
#include "http/tls_context.h"
#include "http/trusted_proxy.h"
#include "http/url.h"
#include "http/websocket.h"

namespace berth::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace bws = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
// A connection is one of two stream types; everything past the TLS
// handshake is written once, as templates over the stream.
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr size_t kUploadChunk = 1 << 20;
constexpr size_t kStreamChunk = 256 << 10;
// Like nginx's sendfile_max_chunk: one huge sendfile(2) call keeps the
// page cache walk and the socket copy far apart; 2 MiB steps are faster.
constexpr uint64_t kSendfileChunk = 2 << 20;
constexpr const char* kHsts = "max-age=31536000";

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// Counts requests in flight so Stop can drain them.
class ActiveGuard {
 public:
  explicit ActiveGuard(std::atomic<int>& n) : n_(n) { ++n_; }
  ~ActiveGuard() { --n_; }

 private:
  std::atomic<int>& n_;
};

// Sends WebSocket messages queued from any thread, in order, on the
// connection's strand, and keeps the state for flow control (websocket.h):
// bytes queued for sending, and whether reading is paused.
template <class Ws>
class WsSender : public WebSocketSender, public std::enable_shared_from_this<WsSender<Ws>> {
 public:
  using std::enable_shared_from_this<WsSender<Ws>>::shared_from_this;
  explicit WsSender(Ws& ws)
      : ws_(ws), ex_(ws.get_executor()), resume_(ex_) {}

  bool SendBinary(std::string data) override { return Enqueue(true, std::move(data)); }
  bool SendText(std::string data) override { return Enqueue(false, std::move(data)); }
  void Close(WebSocketClose code) override {
    asio::post(ex_, [self = shared_from_this(), code] {
      self->closing_ = true;
      self->close_code_ = code;
      self->Resume();  // a paused reader must see the close
      if (!self->writing_ && !self->detached_) self->StartClose();
    });
  }
  void ResumeReading() override {
    asio::post(ex_, [self = shared_from_this()] { self->Resume(); });
  }
  void SetDrainCallback(std::function<void()> f) override { on_drain_ = std::move(f); }

  // The rest runs on the strand.
  // Waits until ResumeReading (or Close) after a session asked for a pause.
  awaitable<void> PauseReading() {
    paused_ = true;
    while (paused_ && !detached_) {
      resume_.expires_at(asio::steady_timer::time_point::max());
      beast::error_code ec;
      co_await resume_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
  // Called when the connection ends; later sends are dropped.
  void Detach() {
    detached_ = true;
    on_drain_ = nullptr;
    Resume();
  }

 private:
  bool Enqueue(bool binary, std::string data) {
    const size_t n = data.size();
    const size_t queued = queued_bytes_.fetch_add(n) + n;
    asio::post(ex_, [self = shared_from_this(), binary, d = std::move(data)]() mutable {
      if (self->detached_ || self->closing_) {
        self->Sent(d.size());
        return;
      }
      self->queue_.emplace_back(binary, std::move(d));
      if (!self->writing_) self->WriteNext();
    });
    return queued <= kWebSocketSendQueueBytes;
  }
  void Sent(size_t n) {
    const size_t before = queued_bytes_.fetch_sub(n);
    if (before > kWebSocketSendQueueBytes && before - n <= kWebSocketSendQueueBytes && on_drain_) {
      on_drain_();
    }
  }
  void Resume() {
    paused_ = false;
    resume_.cancel();
  }
  void WriteNext() {
    if (detached_ || queue_.empty()) {
      writing_ = false;
      if (closing_ && !detached_) StartClose();
      return;
    }
    writing_ = true;
    ws_.binary(queue_.front().first);
    ws_.async_write(asio::buffer(queue_.front().second),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->Sent(self->queue_.front().second.size());
                      self->queue_.pop_front();
                      if (ec) {
                        self->detached_ = true;
                        self->writing_ = false;
                        self->Resume();  // a paused reader must see the failure
                        return;
                      }
                      self->WriteNext();
                    });
  }
  void StartClose() {
    detached_ = true;
    ws_.async_close(bws::close_reason(static_cast<bws::close_code>(close_code_)),
                    [self = shared_from_this()](beast::error_code) {});
  }

  Ws& ws_;
  asio::any_io_executor ex_;
  asio::steady_timer resume_;
  std::atomic<size_t> queued_bytes_{0};
  std::function<void()> on_drain_;
  std::deque<std::pair<bool, std::string>> queue_;
  WebSocketClose close_code_ = WebSocketClose::kNormal;
  bool writing_ = false;
  bool closing_ = false;
  bool detached_ = false;
  bool paused_ = false;
};

// Written to a connection refused by the caps, straight from the accept
// loop (a fresh socket's send buffer always takes it), then closed.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nServer: berth\r\nConnection: close\r\n"
    "Retry-After: 1\r\nContent-Type: application/json\r\nContent-Length: 79\r\n\r\n"
    "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"too many open connections\"}}";

// Lingering close: a client still sending a body that was refused early (a
// 413 decided from Content-Length) gets a reset, and may lose the answer,
// if the socket closes with its bytes unread. So after our FIN, read and
// drop what still comes until the client closes, for at most 2 s and 16 MiB.
template <class TcpStream>
awaitable<void> LingerBeforeClose(TcpStream& s) {
  constexpr size_t kMaxBytes = 16 << 20;
  s.expires_after(std::chrono::seconds(2));
  std::array<char, 16 * 1024> sink;
  beast::error_code ec;
  for (size_t total = 0; total < kMaxBytes;) {
    size_t n = co_await s.async_read_some(asio::buffer(sink),
                                          asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    total += n;
  }
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r)
      : options(std::move(o)),
        router(r),
        workers(options.worker_threads),
        acceptor(io),
        limiter(options.max_connections, options.max_connections_per_client) {}

  ServerOptions options;
  const Router& router;
  std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
  TrustedProxies proxies;
  asio::io_context io;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  ConnectionLimiter limiter;
  std::vector<std::thread> threads;
  std::atomic<int> active{0};
  std::atomic<int> busy{0};    // worker threads running something of ours
  std::atomic<int> queued{0};  // work posted to the pool, not started yet
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  bool stopped = false;
  uint16_t port = 0;

  // Runs f() on the worker pool and resumes on the caller's executor.
  // Counted in `queued` until a thread takes it, then in `busy`.
  template <typename F>
  awaitable<std::invoke_result_t<F>> OnWorkers(F f) {
    ++queued;
    return OnPool(workers, [this, f = std::move(f)]() mutable {
      --queued;
      ActiveGuard running(busy);
      return f();
    });
  }

  // Tells the observers about a finished request.
  void Observe(const Request& req, const Route* route, bool fallback, int status,
               uint64_t bytes_in, uint64_t bytes_out, std::chrono::steady_clock::time_point t0,
               const std::string& raw_path) {
    if (options.observers.empty()) return;
    RequestRecord r;
    r.method = req.method;
    r.route = route ? route->pattern : fallback ? "static" : "unmatched";
    r.path = raw_path;
    r.status = status;
    r.bytes_in = bytes_in;
    r.bytes_out = bytes_out;
    r.duration = std::chrono::steady_clock::now() - t0;
    r.remote_addr = req.remote_addr;
    r.request_id = req.request_id;
    r.user_id = req.user_id;
    for (RequestObserver* o : options.observers) o->OnRequest(r);
  }

  static Response Guarded(const std::function<Response()>& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      spdlog::error("handler threw: {}", e.what());
      return Response::Error(Internal("internal error"));
    }
  }

  awaitable<void> Accept();
  awaitable<void> Serve(tcp::socket socket, ConnectionLimiter::Slot slot);
  template <class Stream>
  awaitable<void> ServeHttp(Stream& stream, const std::string& peer);
  template <class Stream>
  awaitable<bool> Write(Stream& stream, Response& r, unsigned version, bool keep_alive, bool head,
                        bool hsts, uint64_t* sent = nullptr);
  template <class Stream>
  awaitable<bool> SendFile(Stream& stream, FileBody& file);
  template <class Stream>
  awaitable<bool> SendLive(Stream& stream, LiveBodySource& live, uint64_t* sent);
  template <class Stream>
  awaitable<void> RunWebSocket(Stream stream, bhttp::request<bhttp::empty_body> req,
                               std::shared_ptr<WebSocketSession> session);
};

awaitable<void> Server::Impl::Accept() {
  // On errors such as EMFILE the pending connection stays in the backlog,
  // so retrying at once spins; wait 50 ms, doubling up to 500 ms, and log
  // once per such wait rather than once per failure.
  using std::chrono::milliseconds;
  milliseconds backoff{0};
  asio::steady_timer pause(io);
  for (;;) {
    beast::error_code ec;
    tcp::socket sock =
        co_await acceptor.async_accept(asio::make_strand(io), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      backoff = std::clamp(backoff * 2, milliseconds(50), milliseconds(500));
      spdlog::warn("accept: {} (retrying in {} ms)", ec.message(), backoff.count());
      pause.expires_after(backoff);
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    backoff = milliseconds(0);
    std::string client;
    if (auto ep = sock.remote_endpoint(ec); !ec) client = ep.address().to_string();
    // A trusted proxy carries many clients: only the total cap applies to it
    // (each client's own address is known only once its request is read).
    std::optional<ConnectionLimiter::Slot> slot =
        limiter.TryAcquire(client, /*per_client_cap=*/!proxies.Contains(client));
    if (!slot) {
      spdlog::debug("refusing a connection from {}: too many open connections", client);
      // A TLS client could not read a plaintext answer: it just sees the close.
      if (!tls) {
        (void)::send(sock.native_handle(), kTooManyConnections.data(), kTooManyConnections.size(),
                     MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      sock.shutdown(tcp::socket::shutdown_send, ec);
      continue;  // the socket closes here
    }
    sock.set_option(tcp::no_delay(true), ec);
    auto ex = sock.get_executor();
    asio::co_spawn(ex, Serve(std::move(sock), std::move(*slot)), asio::detached);
  }
}

awaitable<void> Server::Impl::Serve(tcp::socket socket, ConnectionLimiter::Slot slot) {
  beast::error_code ec;
  std::string remote;
  if (auto ep = socket.remote_endpoint(ec); !ec) remote = ep.address().to_string();
  if (!tls) {
    PlainStream stream(std::move(socket));
    co_await ServeHttp(stream, remote);
    co_return;
  }
  TlsStream stream(std::move(socket), *tls);
  stream.next_layer().expires_after(std::chrono::seconds(options.idle_timeout_s));
  co_await stream.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(use_awaitable, ec));
  if (ec) {
    // Plain HTTP, a port scan or a client that distrusts our certificate.
    spdlog::debug("TLS handshake with {} failed: {}", remote, ec.message());
    co_return;
  }
  co_await ServeHttp(stream, remote);
}

// Serves requests on one connection until it closes (or turns WebSocket).
template <class Stream>
awaitable<void> Server::Impl::ServeHttp(Stream& stream, const std::string& peer) {
  beast::error_code ec;
  auto& tcp_layer = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  const auto idle = std::chrono::seconds(options.idle_timeout_s);

  for (;;) {
    bhttp::request_parser<bhttp::empty_body> header_parser;
    header_parser.header_limit(options.max_header_bytes);
    // Checked per route below. (Not boost::none: Beast 1.74 compares
    // `len > optional` and so refuses every body with it.)
    header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    tcp_layer.expires_after(idle);
    co_await bhttp::async_read_header(stream, buffer, header_parser,
                                      asio::redirect_error(use_awaitable, ec));
    if (ec) {
      spdlog::debug("reading request header: {}", ec.message());
      if (ec == bhttp::error::header_limit ||
          ec.category() == beast::error_code(bhttp::error::bad_target).category()) {
        Response r = Response::Error(InvalidArgument(
            ec == bhttp::error::header_limit ? "request headers are too large" : "malformed HTTP request"));
        co_await Write(stream, r, 11, false, false, kIsTls<Stream>);
      }
      break;
    }
    ActiveGuard guard(active);
    const auto t0 = std::chrono::steady_clock::now();

    const auto& h = header_parser.get();
    const unsigned version = h.version();
    bool keep_alive = h.keep_alive() && !stopping;
    Request req;
    req.method = std::string(h.method_string());
    req.target = std::string(h.target());
    std::string forwarded_for, forwarded_proto;
    for (const auto& f : h) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "x-forwarded-for") {
        forwarded_for += (forwarded_for.empty() ? "" : ",") + std::string(f.value());
      } else if (name == "x-forwarded-proto" && forwarded_proto.empty()) {
        forwarded_proto = std::string(f.value());
      }
      req.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    ClientOrigin origin =
        ResolveClient(proxies, peer, kIsTls<Stream>, forwarded_for, forwarded_proto);
    req.remote_addr = std::move(origin.addr);
    req.https = origin.https;
    req.request_id = RequestIdFor(req.Header("x-request-id"));
    uint64_t bytes_in = 0;
    const bool head = req.method == "HEAD";
    const bool has_body = h.has_content_length() ? header_parser.content_length().value_or(0) > 0
                                                 : h.chunked();
    const bool expect_continue = beast::iequals(h[bhttp::field::expect], "100-continue");

    std::string_view target = req.target;
    size_t qpos = target.find('?');
    std::string_view raw_path = target.substr(0, qpos);
    auto segments = SplitPathSegments(raw_path);
    auto decoded = PercentDecode(raw_path, false);
    std::optional<std::map<std::string, std::string>> query =
        qpos == std::string_view::npos ? std::map<std::string, std::string>{}
                                       : ParseQuery(target.substr(qpos + 1));

    Response resp;
    Router::Match match;
    if (!segments || !decoded || !query || raw_path.empty() || raw_path.front() != '/') {
      resp = Response::Error(InvalidArgument("malformed request target (bad percent-encoding?)"));
      keep_alive = false;
    } else {
      req.path = std::move(*decoded);
      req.query = std::move(*query);
      match = router.Find(req, *segments);
    }
    const Route* route = match.route;

    if (resp.status >= 400) {
      // already an error
    } else if (route && route->websocket) {
      if (!bws::is_upgrade(header_parser.get())) {
        resp = Response::Error(InvalidArgument("this endpoint needs a WebSocket upgrade"));
      } else {
        auto result = co_await OnWorkers([&] { return route->websocket(req); });
        if (auto* session = std::get_if<std::shared_ptr<WebSocketSession>>(&result)) {
          Observe(req, route, false, 101, 0, 0, t0, std::string(raw_path));
          co_await RunWebSocket(std::move(stream), header_parser.release(), std::move(*session));
          co_return;
        }
        resp = std::move(std::get<Response>(result));
        keep_alive = false;
      }
    } else if (route && route->upload) {
      auto result = co_await OnWorkers([&] {
        try {
          return route->upload(req);
        } catch (const std::exception& e) {
          spdlog::error("upload handler threw: {}", e.what());
          return std::variant<Response, std::unique_ptr<BodySink>>(
              Response::Error(Internal("internal error")));
        }
      });
      if (auto* refused = std::get_if<Response>(&result)) {
        resp = std::move(*refused);
        if (has_body) keep_alive = false;  // the body is not read
      } else {
        std::unique_ptr<BodySink> sink = std::move(std::get<std::unique_ptr<BodySink>>(result));
        if (expect_continue) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
          tcp_layer.expires_after(idle);
          co_await bhttp::async_write(stream, cont, asio::redirect_error(use_awaitable, ec));
          if (ec) break;
        }
        std::vector<char> chunk(kUploadChunk);
        Status write_status;
        if (!header_parser.get().chunked()) {
          // Content-Length body: take what arrived with the header, then read
          // the rest straight from the socket into `chunk`. Going through the
          // parser costs a recv per 512 bytes: Beast sizes each read by the
          // flat_buffer's spare capacity (beast::read_size), which stays at
          // what the header needed.
          uint64_t left = header_parser.content_length().value_or(0);
          size_t pre = static_cast<size_t>(std::min<uint64_t>(buffer.size(), left));
          if (pre > 0) {
            write_status = sink->Write(static_cast<const char*>(buffer.data().data()), pre);
            buffer.consume(pre);
            left -= pre;
            bytes_in += pre;
          }
          while (left > 0 && write_status.ok()) {
            size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), left));
            tcp_layer.expires_after(idle);
            size_t n = co_await asio::async_read(stream, asio::buffer(chunk.data(), want),
                                                 asio::redirect_error(use_awaitable, ec));
            if (ec) break;
            left -= n;
            bytes_in += n;
            write_status = sink->Write(chunk.data(), n);
          }
        } else {
          bhttp::request_parser<bhttp::buffer_body> body_parser(std::move(header_parser));
          body_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
          buffer.reserve(64 << 10);  // see above: else 512-byte reads
          while (!body_parser.is_done()) {
            body_parser.get().body().data = chunk.data();
            body_parser.get().body().size = chunk.size();
            tcp_layer.expires_after(idle);
            co_await bhttp::async_read(stream, buffer, body_parser,
                                       asio::redirect_error(use_awaitable, ec));
            if (ec == bhttp::error::need_buffer) ec = {};
            if (ec) break;
            size_t n = chunk.size() - body_parser.get().body().size;
            if (n > 0) {
              bytes_in += n;
              write_status = sink->Write(chunk.data(), n);
              if (!write_status.ok()) break;
            }
          }
        }
        if (ec) {
          spdlog::info("upload {} aborted: {}", req.path, ec.message());
          co_return;  // the sink's destructor removes the partial upload
        }
        if (!write_status.ok()) {
          resp = Response::Error(write_status);
          keep_alive = false;
        } else {
          resp = co_await OnWorkers([&] { return Guarded([&] { return sink->Finish(); }); });
        }
        co_await OnWorkers([&] { sink.reset(); return 0; });
      }
    } else {
      // Beast checks Content-Length against the limit only while parsing
      // the header, so a declared length is checked here.
      const bool too_long = header_parser.content_length().value_or(0) > options.max_body_bytes;
      bhttp::request_parser<bhttp::string_body> body_parser(std::move(header_parser));
      body_parser.body_limit(options.max_body_bytes);
      if (!too_long) {
        tcp_layer.expires_after(idle);
        co_await bhttp::async_read(stream, buffer, body_parser,
                                   asio::redirect_error(use_awaitable, ec));
      }
      if (too_long || ec == bhttp::error::body_limit) {
        resp = Response::Error(ResourceExhausted("request body is larger than " +
                                                 std::to_string(options.max_body_bytes) + " bytes"));
        keep_alive = false;
      } else if (ec) {
        break;
      } else {
        req.body = std::move(body_parser.get().body());
        bytes_in = req.body.size();
        const Handler* handler = nullptr;
        if (route) {
          handler = &route->handler;
        } else if (!match.path_matched && router.fallback() && (req.method == "GET" || head)) {
          handler = &router.fallback();
        }
        if (handler) {
          resp = co_await OnWorkers([&] { return Guarded([&] { return (*handler)(req); }); });
        } else if (match.path_matched) {
          resp = Response::Error(Status(Code::kInvalidArgument,
                                        "method " + req.method + " is not allowed on " + req.path,
                                        "method_not_allowed"));
          resp.status = 405;
        } else {
          resp = Response::Error(NotFound("no such endpoint: " + req.path, "no_such_endpoint"));
        }
      }
    }

    keep_alive = keep_alive && !resp.close && !stopping;
    resp.SetHeader("X-Request-Id", req.request_id);
    uint64_t bytes_out = 0;
    bool ok = co_await Write(stream, resp, version, keep_alive, head, req.https, &bytes_out);
    if (resp.stream) co_await OnWorkers([&] { resp.stream.reset(); return 0; });
    Observe(req, route, !route && !match.path_matched && router.fallback() &&
                            (req.method == "GET" || head),
            resp.status, bytes_in, bytes_out, t0, std::string(raw_path));
    if (!ok || !keep_alive) break;
  }
  if constexpr (kIsTls<Stream>) {
    // close_notify, so that the client can tell the end from a truncation.
    tcp_layer.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(asio::redirect_error(use_awaitable, ec));
  }
  tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (!stopping) co_await LingerBeforeClose(tcp_layer);
}

template <class Stream>
awaitable<bool> Server::Impl::Write(Stream& stream, Response& r, unsigned version, bool keep_alive,
                                    bool head, bool hsts, uint64_t* sent) {
  beast::error_code ec;
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(std::chrono::seconds(options.idle_timeout_s));
  auto fill = [&](auto& msg) {
    msg.result(static_cast<unsigned>(r.status));
    msg.version(version);
    msg.set(bhttp::field::server, "berth");
    if (hsts) msg.set(bhttp::field::strict_transport_security, kHsts);
    for (const auto& [k, v] : r.headers) msg.set(k, v);
    msg.keep_alive(keep_alive);
  };
  if (!r.file && !r.stream && !r.live && !head) {
    bhttp::response<bhttp::string_body> msg;
    fill(msg);
    msg.body() = std::move(r.body);
    msg.prepare_payload();
    co_await bhttp::async_write(stream, msg, asio::redirect_error(use_awaitable, ec));
    if (sent && !ec) *sent = msg.body().size();
    co_return !ec;
  }
  bhttp::response<bhttp::empty_body> msg;
  fill(msg);
  if (r.stream || r.live) {
    msg.chunked(true);
  } else {
    msg.content_length(r.file ? r.file->length : r.body.size());
  }
  bhttp::response_serializer<bhttp::empty_body> sr(msg);
  co_await bhttp::async_write_header(stream, sr, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return false;
  if (head) co_return true;
  if (r.file) {
    const bool ok = co_await SendFile(stream, *r.file);
    if (sent && ok) *sent = r.file->length;
    co_return ok;
  }
  if (r.live) co_return co_await SendLive(stream, *r.live, sent);

  std::vector<char> buf(kStreamChunk);
  for (;;) {
    Result<size_t> n = co_await OnWorkers([&] { return r.stream->Read(buf.data(), buf.size()); });
    if (!n.ok()) {
      spdlog::warn("stream aborted: {}", n.status().ToString());
      co_return false;  // no last chunk: the client sees a truncated body
    }
    tcp_layer.expires_after(std::chrono::seconds(options.idle_timeout_s));
    if (*n == 0) {
      co_await asio::async_write(stream, bhttp::make_chunk_last(),
                                 asio::redirect_error(use_awaitable, ec));
      co_return !ec;
    }
    co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(buf.data(), *n)),
                               asio::redirect_error(use_awaitable, ec));
    if (ec) co_return false;
    if (sent) *sent += *n;
  }
}

// Cancels a socket's pending waits once it has made no progress for `idle`.
// Armed once per transfer and re-armed only when it fires: touching a timer
// on every EAGAIN costs two timerfd syscalls per socket-buffer refill.
class ProgressWatchdog : public std::enable_shared_from_this<ProgressWatchdog> {
 public:
  ProgressWatchdog(tcp::socket& sock, std::chrono::seconds idle)
      : timer_(sock.get_executor()), sock_(sock), idle_(idle) {}
  void Start() { Arm(idle_); }
  void Progress() { last_ = std::chrono::steady_clock::now(); }
  void Stop() {
    done_ = true;
    timer_.cancel();
  }

 private:
  void Arm(std::chrono::steady_clock::duration d) {
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (e || self->done_) return;
      auto quiet = std::chrono::steady_clock::now() - self->last_;
      if (quiet >= self->idle_) {
        self->sock_.cancel();
      } else {
        self->Arm(self->idle_ - quiet);
      }
    });
  }

  asio::steady_timer timer_;
  tcp::socket& sock_;
  std::chrono::seconds idle_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  bool done_ = false;
};

template <class Stream>
awaitable<bool> Server::Impl::SendFile(Stream& stream, FileBody& file) {
  if constexpr (kIsTls<Stream>) {
    // No sendfile through OpenSSL: read on the workers, encrypt and write here.
    std::vector<char> buf(kStreamChunk);
    uint64_t offset = file.offset;
    uint64_t left = file.length;
    beast::error_code ec;
    while (left > 0) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      ssize_t n = co_await OnWorkers([&] {
        ssize_t r;
        do r = ::pread(file.fd.get(), buf.data(), want, static_cast<off_t>(offset));
        while (r < 0 && errno == EINTR);
        return r;
      });
      if (n <= 0) {
        spdlog::warn("file read stopped with {} bytes left: {}", left, n < 0 ? strerror(errno) : "EOF");
        co_return false;
      }
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(options.idle_timeout_s));
      co_await asio::async_write(stream, asio::buffer(buf.data(), static_cast<size_t>(n)),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) co_return false;
      offset += static_cast<uint64_t>(n);
      left -= static_cast<uint64_t>(n);
    }
    co_return true;
  }
  auto& sock = beast::get_lowest_layer(stream).socket();
  beast::error_code ec;
  sock.native_non_blocking(true, ec);
  if (ec) co_return false;
  auto watchdog =
      std::make_shared<ProgressWatchdog>(sock, std::chrono::seconds(options.idle_timeout_s));
  watchdog->Start();
  off_t offset = static_cast<off_t>(file.offset);
  uint64_t left = file.length;
  bool ok = true;
  while (left > 0) {
    ssize_t n = ::sendfile(sock.native_handle(), file.fd.get(), &offset,
                           std::min<uint64_t>(left, kSendfileChunk));
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      watchdog->Progress();
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      co_await sock.async_wait(tcp::socket::wait_write, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        ok = false;
        break;
      }
      continue;
    }
    // n == 0: the file shrank under us; the client gets a short body.
    spdlog::warn("sendfile stopped with {} bytes left: {}", left, n < 0 ? strerror(errno) : "EOF");
    ok = false;
    break;
  }
  watchdog->Stop();
  co_return ok;
}

template <class Stream>
awaitable<bool> Server::Impl::SendLive(Stream& stream, LiveBodySource& live, uint64_t* sent) {
  // Woken from any thread; `woken` and the timer are touched only on the
  // connection's strand, so a wake between TryRead and the wait is not lost.
  struct Wait {
    explicit Wait(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    bool woken = false;
  };
  auto ex = stream.get_executor();
  auto wait = std::make_shared<Wait>(ex);
  live.SetWaker([wait, ex] {
    asio::post(ex, [wait] {
      wait->woken = true;
      wait->timer.cancel();
    });
  });
  beast::error_code ec;
  for (;;) {
    std::string out;
    const bool more = live.TryRead(out);
    if (out.empty() && more) {
      if (!wait->woken) {
        wait->timer.expires_after(kLiveBodyIdle);
        co_await wait->timer.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      const bool idle = !wait->woken;
      wait->woken = false;
      if (!idle) continue;
      out = live.Heartbeat();
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(options.idle_timeout_s));
    if (!out.empty()) {
      co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(out)),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) co_return false;
      if (sent) *sent += out.size();
    }
    if (!more) {
      co_await asio::async_write(stream, bhttp::make_chunk_last(),
                                 asio::redirect_error(use_awaitable, ec));
      co_return !ec;
    }
  }
}

template <class Stream>
awaitable<void> Server::Impl::RunWebSocket(Stream stream, bhttp::request<bhttp::empty_body> req,
                                           std::shared_ptr<WebSocketSession> session) {
  ActiveGuard guard(active);
  beast::get_lowest_layer(stream).expires_never();
  bws::stream<Stream> ws(std::move(stream));
  ws.set_option(bws::stream_base::timeout::suggested(beast::role_type::server));
  ws.read_message_max(1 << 20);
  beast::error_code ec;
  co_await ws.async_accept(req, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  auto sender = std::make_shared<WsSender<bws::stream<Stream>>>(ws);
  // An exception from the session closes this socket (1011) and still
  // reaches OnClose below: it must never escape into the I/O thread.
  auto guarded = [&](auto&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      spdlog::error("websocket session threw: {}", e.what());
      sender->Close(WebSocketClose::kInternal);
    }
  };
  guarded([&] { session->OnOpen(sender); });
  beast::flat_buffer buf;
  for (;;) {
    co_await ws.async_read(buf, asio::redirect_error(use_awaitable, ec));
    if (ec) break;  // closed, or failed (a message over the limit closes with 1009)
    const bool binary = ws.got_binary();
    auto next = WebSocketSession::Next::kContinue;
    guarded([&] { next = session->OnMessage(binary, beast::buffers_to_string(buf.data())); });
    buf.consume(buf.size());
    if (next == WebSocketSession::Next::kPause) co_await sender->PauseReading();
  }
  sender->Detach();
  guarded([&] { session->OnClose(); });
  // Let queued handlers that reference `ws` run before it is destroyed.
  asio::steady_timer t(ws.get_executor());
  t.expires_after(std::chrono::milliseconds(50));
  co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  if (!impl_->options.tls_cert_file.empty() || !impl_->options.tls_key_file.empty()) {
    BERTH_ASSIGN_OR_RETURN(impl_->tls, MakeServerTlsContext(impl_->options.tls_cert_file,
                                                            impl_->options.tls_key_file));
  }
  BERTH_ASSIGN_OR_RETURN(impl_->proxies, TrustedProxies::Parse(impl_->options.trusted_proxies));
  BERTH_ASSIGN_OR_RETURN(impl_->port, Listen(impl_->acceptor, impl_->options.host,
                                             impl_->options.port, "the API"));
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  RunThreads(impl_->io, impl_->options.io_threads, impl_->threads);
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

PoolStats Server::pool_stats() const {
  return {impl_->options.worker_threads, impl_->busy.load(), impl_->queued.load()};
}

void Server::Wait() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->stopped; });
}

void Server::Stop() {
  Impl& im = *impl_;
  if (im.stopping.exchange(true)) {
    Wait();
    return;
  }
  if (!im.threads.empty()) {
    asio::post(im.io, [&im] {
      beast::error_code ec;
      im.acceptor.close(ec);
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(im.options.drain_timeout_s);
    while (im.active > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (im.active > 0) spdlog::warn("stopping with {} requests still in flight", im.active.load());
  }
  im.io.stop();
  for (auto& t : im.threads) t.join();
  im.threads.clear();
  im.workers.stop();
  im.workers.join();
  {
    std::lock_guard lock(im.mu);
    im.stopped = true;
  }
  im.cv.notify_all();
}

}  // namespace berth::http

// The apps origin's connection handling (see proxy_server.h). Only the
// request and response heads are parsed; bodies, chunked or not, and
// WebSocket frames are copied as bytes: with splice(2) for plain HTTP
// (Copy below), through apps/tls_pump.h over TLS.
#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

#include "apps/proxy_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include "api/error_mapping.h"
#include "apps/netns_dialer.h"
#include "apps/proxy_link.h"
#include "apps/proxy_rules.h"
#include "apps/tls_pump.h"
#include "common/unique_fd.h"
#include "http/asio_util.h"

namespace berth::apps {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using PlainStream = beast::tcp_stream;
using PlainLink = Link<tcp::socket>;

namespace {

constexpr size_t kPipeBytes = 1 << 20;  // each copy direction's pipe (F_SETPIPE_SZ)
constexpr int kRetryAfterS = 2;
constexpr auto kHeadTimeout = std::chrono::seconds(30);

constexpr char kStartingPage[] =
    "<!doctype html><html><head><meta charset=\"utf-8\">"
    "<meta http-equiv=\"refresh\" content=\"2\"><title>Starting…</title></head>"
    "<body><p>The app is starting. This page reloads by itself.</p></body></html>\n";

using Headers = std::vector<std::pair<std::string, std::string>>;

std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

// A complete response of the proxy's own, always with Connection: close.
std::string Reply(int status, std::string_view content_type, std::string_view body,
                  const Headers& extra = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " +
                    std::string(Sv(bhttp::obsolete_reason(bhttp::int_to_status(status)))) +
                    "\r\nServer: berth\r\nConnection: close\r\nCache-Control: no-store\r\n";
  for (const auto& [k, v] : extra) out += k + ": " + v + "\r\n";
  if (!content_type.empty()) out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

// (Built outside the coroutines: g++ 12 cannot keep a braced list of
// string literals alive across a co_await.)
std::string Redirect(int status, const std::string& location, const std::string& set_cookie = "") {
  Headers h{{"Location", location}};
  if (!set_cookie.empty()) h.emplace_back("Set-Cookie", set_cookie);
  return Reply(status, "", "", h);
}

std::string StartingReply() {
  return Reply(503, "text/html; charset=utf-8", kStartingPage,
               Headers{{"Retry-After", std::to_string(kRetryAfterS)}});
}

std::string ExitedReply(const std::string& app) {
  return Reply(502, "application/json",
               api::ErrorBody(Unavailable("the app has exited; open it again from Berth to restart "
                                          "it (its output is in ~/.berth-apps/" + app + ".log)",
                                          "app_exited")) + "\n");
}

// The app took the connection and closed it (or sent no valid head) before
// answering: the client gets the proxy's own 502, not a dropped connection.
// Typically the app is exiting (its listener still accepted) or crashed on
// this request.
std::string NoAnswerReply(const std::string& app, bool malformed) {
  const std::string what = malformed ? "sent a malformed response head"
                                     : "closed the connection before it answered";
  return Reply(502, "application/json",
               api::ErrorBody(Unavailable("the app " + what + "; if it has exited, open it again "
                                          "from Berth to restart it (its output is in "
                                          "~/.berth-apps/" + app + ".log)",
                                          "app_no_response")) + "\n");
}

std::string ErrorReply(const Status& s) {
  return Reply(api::HttpStatusFor(s.code()), "application/json", api::ErrorBody(s) + "\n");
}

template <bool isRequest>
void AppendFields(std::string& out, const bhttp::header<isRequest>& h) {
  for (const auto& f : h) {
    out += Sv(f.name_string());
    out += ": ";
    out += Sv(f.value());
    out += "\r\n";
  }
  out += "\r\n";
}

std::string RequestHead(const bhttp::request_header<>& h) {
  std::string out =
      std::string(Sv(h.method_string())) + " " + std::string(Sv(h.target())) + " HTTP/1.1\r\n";
  AppendFields(out, h);
  return out;
}

std::string ResponseHead(const bhttp::response_header<>& h) {
  std::string reason(Sv(h.reason()));
  if (reason.empty()) reason = std::string(Sv(bhttp::obsolete_reason(h.result())));
  std::string out = "HTTP/1.1 " + std::to_string(h.result_int()) + " " + reason + "\r\n";
  AppendFields(out, h);
  return out;
}

// Copies `from` → `to` until EOF or an error, with splice(2) through a
// pipe: the bytes never enter user space (a 100 MB download through the
// proxy ran at 0.5-0.6 x direct with read/write and 64-512 KiB buffers on
// a loaded 2-core host; bench/apps). The pipe is a buffer between the two
// sockets: each turn reads while it has room and writes while it holds
// bytes, and the loop waits only when neither side moved, for the side
// that blocks (the reader's socket when the pipe is empty, else the
// writer's). Draining the pipe completely after every read instead made
// one wakeup per segment the app wrote. On a clean EOF with `half_close`,
// only shuts `to`'s sending side (the other direction may still carry the
// response); otherwise closes the whole link.
awaitable<void> Copy(std::shared_ptr<PlainLink> link, tcp::socket& from, tcp::socket& to,
                     bool half_close) {
  beast::error_code ec;
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    link->Close();
    co_return;
  }
  UniqueFd pipe_out(fds[0]), pipe_in(fds[1]);
  int got = ::fcntl(pipe_in.get(), F_SETPIPE_SZ, static_cast<int>(kPipeBytes));
  if (got < 0) got = ::fcntl(pipe_in.get(), F_GETPIPE_SZ);
  const size_t capacity = got > 0 ? static_cast<size_t>(got) : size_t{64} << 10;
  {
    beast::error_code ignored;  // asio's own sockets are non-blocking already
    from.native_non_blocking(true, ignored);
    to.native_non_blocking(true, ignored);
  }
  size_t held = 0;  // bytes in the pipe
  bool eof = false;
  while (!ec) {
    bool moved = false;
    if (!eof && held < capacity) {
      ssize_t n = ::splice(from.native_handle(), nullptr, pipe_in.get(), nullptr,
                           capacity - held, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n == 0) {
        eof = true;
      } else if (n > 0) {
        held += static_cast<size_t>(n);
        moved = true;
      } else if (errno != EAGAIN && errno != EINTR) {
        break;
      }
    }
    if (held > 0) {
      ssize_t m = ::splice(pipe_out.get(), nullptr, to.native_handle(), nullptr, held,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (m > 0) {
        held -= static_cast<size_t>(m);
        moved = true;
      } else if (m < 0 && errno != EAGAIN && errno != EINTR) {
        ec = asio::error::broken_pipe;
        break;
      }
    }
    if (eof && held == 0) break;
    if (moved) {
      link->Touch();
      continue;
    }
    if (held > 0) {
      co_await to.async_wait(tcp::socket::wait_write, asio::redirect_error(use_awaitable, ec));
    } else {
      co_await from.async_wait(tcp::socket::wait_read, asio::redirect_error(use_awaitable, ec));
    }
  }
  if (eof && !ec && held == 0 && half_close) {
    to.shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  link->Close();
}

// The two copy directions and the client side's end, per link kind.
awaitable<void> ToApp(std::shared_ptr<PlainLink> l, bool half_close) {
  return Copy(l, l->client, l->upstream, half_close);
}
awaitable<void> ToApp(std::shared_ptr<TlsLink> l, bool half_close) {
  return TlsToApp(std::move(l), half_close);
}
awaitable<void> ToClient(std::shared_ptr<PlainLink> l) {
  return Copy(l, l->upstream, l->client, /*half_close=*/false);
}
awaitable<void> ToClient(std::shared_ptr<TlsLink> l) { return TlsToClient(std::move(l)); }
awaitable<void> EndClient(std::shared_ptr<PlainLink> l) {
  beast::error_code ec;
  l->client.shutdown(tcp::socket::shutdown_send, ec);
  l->Close();
  co_return;
}
awaitable<void> EndClient(std::shared_ptr<TlsLink> l) { return TlsGoodbye(std::move(l)); }

// A link owning the client's stream; its idle watchdog replaces the
// stream's own timeouts.
std::shared_ptr<PlainLink> MakeLink(PlainStream& c) {
  return std::make_shared<PlainLink>(c.release_socket());
}
std::shared_ptr<TlsLink> MakeLink(TlsStream& c) {
  beast::get_lowest_layer(c).expires_never();
  return std::make_shared<TlsLink>(std::move(c));
}

// After the proxy's own answer: the end of the client's stream (TLS:
// close_notify, bounded).
awaitable<void> EndStream(PlainStream& c) {
  beast::error_code ec;
  c.socket().shutdown(tcp::socket::shutdown_send, ec);
  co_return;
}
awaitable<void> EndStream(TlsStream& c) {
  beast::error_code ec;
  beast::get_lowest_layer(c).expires_after(kTlsGoodbye);
  co_await c.async_shutdown(asio::redirect_error(use_awaitable, ec));
}

// What the Gate answered for a request to forward: where the app is, and a
// connected socket to it (each an error when refused or not reached).
struct Admitted {
  Result<AppTarget> target;
  Result<int> fd;
};

// A reply of the proxy's own for a request whose Host is not the host of
// the app its path names (wildcard-host mode).
std::string WrongHostReply(const std::string& expected) {
  return Reply(421, "application/json",
               api::ErrorBody(InvalidArgument("this app is served at " + expected +
                                              " only: every app has its own host name here",
                                              "wrong_app_host")) + "\n");
}

}  // namespace

struct ProxyServer::Impl {
  Impl(ProxyOptions o, Gate* g)
      : options(std::move(o)), gate(g), workers(std::max(1, options.worker_threads)), acceptor(io) {}

  ProxyOptions options;
  Gate* gate;
  asio::io_context io;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  uint16_t port = 0;

  // Runs f() on the worker pool and resumes on the caller's executor.
  template <typename F>
  awaitable<std::invoke_result_t<F>> OnWorkers(F f) {
    return http::OnPool(workers, std::move(f));
  }

  awaitable<void> Accept();
  awaitable<void> ServePlain(tcp::socket socket) {
    PlainStream client(std::move(socket));
    co_await Serve(client);
  }
  // The TLS handshake (https apps origin), then Serve.
  awaitable<void> Handshake(tcp::socket socket);
  template <class Stream>
  awaitable<void> Serve(Stream& client);
  // Connects to the app and copies both ways; the request head is parsed.
  template <class Stream>
  awaitable<void> Forward(Stream& client, beast::flat_buffer& buffer,
                          bhttp::request_parser<bhttp::empty_body>& parser, const AppPath& path);
  template <class Stream>
  awaitable<void> Send(Stream& client, std::string bytes) {
    beast::error_code ec;
    beast::get_lowest_layer(client).expires_after(kHeadTimeout);
    co_await asio::async_write(client, asio::buffer(bytes), asio::redirect_error(use_awaitable, ec));
    if (!ec) co_await EndStream(client);
  }
};

awaitable<void> ProxyServer::Impl::Accept() {
  for (;;) {
    beast::error_code ec;
    tcp::socket sock =
        co_await acceptor.async_accept(asio::make_strand(io), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || ec == asio::error::operation_aborted) co_return;
      spdlog::warn("apps proxy accept: {}", ec.message());
      asio::steady_timer pause(io, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    auto ex = sock.get_executor();
    if (options.tls) {
      asio::co_spawn(ex, Handshake(std::move(sock)), asio::detached);
    } else {
      asio::co_spawn(ex, ServePlain(std::move(sock)), asio::detached);
    }
  }
}

awaitable<void> ProxyServer::Impl::Handshake(tcp::socket socket) {
  beast::error_code ec;
  TlsStream client(std::move(socket), *options.tls);
  beast::get_lowest_layer(client).expires_after(kHeadTimeout);
  co_await client.async_handshake(asio::ssl::stream_base::server,
                                  asio::redirect_error(use_awaitable, ec));
  if (ec) {
    // Plain HTTP, a port scan or a client that distrusts the certificate.
    spdlog::debug("apps proxy: TLS handshake failed: {}", ec.message());
    co_return;
  }
  co_await Serve(client);
}

template <class Stream>
awaitable<void> ProxyServer::Impl::Serve(Stream& client) {
  beast::error_code ec;
  beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::empty_body> parser;
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::get_lowest_layer(client).expires_after(kHeadTimeout);
  co_await bhttp::async_read_header(client, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    if (ec != asio::error::eof && ec != beast::error::timeout) {
      co_await Send(client, ErrorReply(InvalidArgument("malformed or oversized HTTP request head",
                                                       "bad_request")));
    }
    co_return;
  }
  const auto& req = parser.get();
  auto path = ParseAppPath(Sv(req.target()));
  if (!path) {
    co_await Send(client, ErrorReply(NotFound("the apps origin serves only /s/<session>/<app>/",
                                              "not_found")));
    co_return;
  }
  if (!options.domain.empty()) {
    // One origin per app: a page of one app must not reach another app
    // (and the viewer's cookie for it) through its path.
    const std::string expected = AppHostName(options.domain, path->session_id, path->app);
    if (HostNameOf(Sv(req[bhttp::field::host])) != expected) {
      co_await Send(client, WrongHostReply(expected));
      co_return;
    }
  }
  const std::string base_url = AppBaseUrl(path->session_id, path->app);
  if (!path->trailing_slash) {
    std::string target(Sv(req.target()));
    size_t q = target.find('?');
    std::string location = base_url + (q == std::string::npos ? "" : target.substr(q));
    co_await Send(client, Redirect(301, location));
    co_return;
  }
  const std::string_view rest = path->rest;
  const std::string_view step = kOpenStep;
  if (rest.substr(0, step.size()) == step && (rest.size() == step.size() || rest[step.size()] == '?')) {
    const std::string code = QueryParam(rest, "code").value_or("");
    const AppPath& where = *path;
    auto cookie = co_await OnWorkers(
        [this, &where, &code] { return gate->RedeemOpenCode(where.session_id, where.app, code); });
    if (!cookie.ok()) {
      co_await Send(client, ErrorReply(cookie.status()));
      co_return;
    }
    co_await Send(client, Redirect(302, base_url,
                                   AppCookie(*cookie, base_url, gate->cookie_max_age_s(),
                                             options.tls != nullptr)));
    co_return;
  }
  co_await Forward(client, buffer, parser, *path);
}

template <class Stream>
awaitable<void> ProxyServer::Impl::Forward(Stream& client, beast::flat_buffer& buffer,
                                           bhttp::request_parser<bhttp::empty_body>& parser,
                                           const AppPath& path) {
  beast::error_code ec;
  auto& req = parser.get();
  ProxyCredentials creds;
  creds.bearer = BearerToken(Sv(req[bhttp::field::authorization]));
  const std::string cookies = StripBerthCookies(Sv(req[bhttp::field::cookie]), &creds.app_cookies);
  if (creds.bearer.empty() && req.count(bhttp::field::origin) > 0 &&
      !SameOrigin(Sv(req[bhttp::field::origin]), Sv(req[bhttp::field::host]), options.tls != nullptr)) {
    // A page of another origin (another app's host is same-site) sending
    // the viewer's apps cookie: refused before the app sees it.
    co_await Send(client, ErrorReply(PermissionDenied(
                              "a request from another origin cannot use the apps cookie; open the app "
                              "from Berth, or send Authorization: Bearer <token>",
                              "cross_origin_request")));
    co_return;
  }
  // Admission, the dial and its bookkeeping in one trip to the workers:
  // each trip is two thread switches before the first byte (bench/apps).
  const auto connect_timeout = std::chrono::seconds(options.connect_timeout_s);
  auto admitted = co_await OnWorkers([&] {
    Admitted a{gate->Admit(path.session_id, path.app, creds), Internal("not dialled")};
    if (!a.target.ok()) return a;
    a.fd = gate->Dial(path.session_id, path.app, *a.target, connect_timeout);
    if (a.fd.ok()) gate->Reached(path.session_id, path.app);
    return a;
  });
  const Result<AppTarget>& target = admitted.target;
  if (!target.ok()) {
    co_await Send(client, ErrorReply(target.status()));
    co_return;
  }
  const Result<int>& fd = admitted.fd;
  if (!fd.ok()) {
    // Not accepting: starting, or (its process ended) gone for good. A
    // connection that succeeds wins over the registry (e.g. an instance
    // left from before a berthd restart still serves).
    // (A local, not a ?: inside co_await: g++ 12 miscompiles that.)
    std::string reply = fd.status().reason() != "app_not_listening"
                            ? Reply(502, "application/json", api::ErrorBody(fd.status()) + "\n")
                        : target->exited ? ExitedReply(path.app)
                                         : StartingReply();
    co_await Send(client, std::move(reply));
    co_return;
  }
  // A TCP socket here, one end of a socketpair for a node agent's app: the
  // copy below only reads, writes, splices and shuts down.
  tcp::socket up(beast::get_lowest_layer(client).get_executor());
  up.assign(tcp::v4(), *fd, ec);
  if (ec) {
    ::close(*fd);
    co_await Send(client, ErrorReply(Internal("cannot use the app's socket")));
    co_return;
  }
  beast::tcp_stream upstream(std::move(up));

  // The head as the app must see it: no Berth credential, a local Host.
  const bool upgrade = !req[bhttp::field::upgrade].empty();
  const std::string host = "127.0.0.1:" + std::to_string(target->port);
  req.erase(bhttp::field::authorization);
  req.erase(bhttp::field::proxy_authorization);
  req.erase(bhttp::field::cookie);
  if (!cookies.empty()) req.set(bhttp::field::cookie, cookies);
  req.set(bhttp::field::host, host);
  if (req.count(bhttp::field::origin) > 0) req.set(bhttp::field::origin, "http://" + host);
  req.erase(bhttp::field::keep_alive);
  if (!upgrade) req.set(bhttp::field::connection, "close");
  std::string head = RequestHead(req.base());
  const auto early = buffer.data();  // body bytes read along with the head
  head.append(static_cast<const char*>(early.data()), early.size());
  buffer.consume(buffer.size());

  auto link = MakeLink(client);
  link->upstream = upstream.release_socket();
  co_await asio::async_write(link->upstream, asio::buffer(head), asio::redirect_error(use_awaitable, ec));
  if (ec) {
    link->Close();
    co_return;
  }
  auto ex = link->client.get_executor();
  asio::co_spawn(ex, Watch(link, std::chrono::seconds(options.idle_timeout_s)), asio::detached);
  asio::co_spawn(ex, ToApp(link, /*half_close=*/!upgrade), asio::detached);

  // The response head: interim 1xx heads pass as they are; the final one
  // says Connection: close unless it switches protocols.
  beast::flat_buffer ubuf;
  bool head_sent = false;  // an interim 1xx head went to the client already
  for (;;) {
    bhttp::response_parser<bhttp::empty_body> rp;
    rp.header_limit(64 * 1024);
    rp.body_limit(std::numeric_limits<std::uint64_t>::max());
    rp.skip(false);
    co_await bhttp::async_read_header(link->upstream, ubuf, rp, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!head_sent && link->Open()) {
        const bool closed = ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                            ec == asio::error::connection_reset ||
                            ec == bhttp::error::partial_message;
        std::string reply = NoAnswerReply(path.app, !closed);
        beast::error_code wec;
        co_await asio::async_write(link->client, asio::buffer(reply),
                                   asio::redirect_error(use_awaitable, wec));
        if (!wec) {
          co_await EndClient(link);
          co_return;
        }
      }
      link->Close();
      co_return;
    }
    auto& res = rp.get();
    const int status = res.result_int();
    const bool interim = status >= 100 && status < 200 && status != 101;
    if (!interim && status != 101) {
      res.erase(bhttp::field::keep_alive);
      res.set(bhttp::field::connection, "close");
    }
    std::string rhead = ResponseHead(res.base());
    if (!interim) {
      const auto more = ubuf.data();
      rhead.append(static_cast<const char*>(more.data()), more.size());
      ubuf.consume(ubuf.size());
    }
    link->Touch();
    co_await asio::async_write(link->client, asio::buffer(rhead), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      link->Close();
      co_return;
    }
    if (!interim) break;
    head_sent = true;
  }
  co_await ToClient(link);
}

ProxyServer::ProxyServer(ProxyOptions options, Gate* gate)
    : impl_(std::make_unique<Impl>(std::move(options), gate)) {}

ProxyServer::~ProxyServer() { Stop(); }

Status ProxyServer::Start() {
  BERTH_ASSIGN_OR_RETURN(impl_->port, http::Listen(impl_->acceptor, impl_->options.host,
                                                   impl_->options.port, "apps"));
  asio::co_spawn(impl_->io, impl_->Accept(), asio::detached);
  http::RunThreads(impl_->io, impl_->options.io_threads, impl_->threads);
  return Status::Ok();
}

uint16_t ProxyServer::port() const { return impl_->port; }

void ProxyServer::Stop() {
  Impl& im = *impl_;
  if (im.stopping.exchange(true)) return;
  asio::post(im.io, [&im] {
    beast::error_code ec;
    im.acceptor.close(ec);
  });
  im.io.stop();
  for (auto& t : im.threads) t.join();
  im.threads.clear();
  im.workers.stop();
  im.workers.join();
}

}  // namespace berth::apps

// The only Boost.Beast translation unit of the CLI (it takes a while to
// compile; keep everything else out of it).
#include "cli/http_client.h"

#include <poll.h>
#include <strings.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 + g++12 need it

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <limits>

#include "cli/tls_client.h"

namespace berth::cli {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return {};
}

Result<std::string> ResponseStream::ReadAll(size_t limit) {
  std::string out;
  char buf[16384];
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(size_t n, Read(buf, sizeof buf));
    if (n == 0) return out;
    if (out.size() < limit) out.append(buf, std::min(n, limit - out.size()));
  }
}

namespace {

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

template <class Message>
HttpHeaders CopyHeaders(const Message& m) {
  HttpHeaders out;
  for (const auto& f : m) out.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

}  // namespace

struct HttpClient::Rep {
  explicit Rep(Endpoint e) : ep(std::move(e)) {}

  Endpoint ep;
  net::io_context ioc;
  tcp::socket socket{ioc};  // plain http://
  // https://: the context (made on first use) and this connection's stream,
  // which owns its own socket.
  std::shared_ptr<net::ssl::context> tls_ctx;
  std::unique_ptr<net::ssl::stream<tcp::socket>> tls;
  beast::flat_buffer buffer;
  bool connected = false;
  bool reused = false;  // the connection already carried a request

  tcp::socket& Lowest() { return tls ? tls->next_layer() : socket; }
  // Calls f with the stream requests and responses go through.
  template <class F>
  void WithStream(F&& f) {
    if (tls) {
      f(*tls);
    } else {
      f(socket);
    }
  }

  Status Connect() {
    if (connected) return Status::Ok();
    if (ep.tls) {
      if (!tls_ctx) {
        BERTH_ASSIGN_OR_RETURN(tls_ctx, MakeClientTlsContext(ep));
      }
      tls = std::make_unique<net::ssl::stream<tcp::socket>>(ioc, *tls_ctx);
      BERTH_RETURN_IF_ERROR(PrepareTlsConnection(tls->native_handle(), ep.host));
    }
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(ep.host, ep.port, ec);
    if (!ec) net::connect(Lowest(), results, ec);
    if (ec) {
      Close();
      return Unavailable("cannot connect to " + ep.ToString() + ": " + ec.message() +
                         " (is berthd running?)");
    }
    Lowest().set_option(tcp::no_delay(true), ec);
    if (tls) {
      tls->handshake(net::ssl::stream_base::client, ec);
      if (ec) {
        Status st = TlsHandshakeFailure(ep, tls->native_handle(), ec);
        Close();
        return st;
      }
    }
    connected = true;
    reused = false;
    buffer.clear();
    return Status::Ok();
  }

  void Close() {
    beast::error_code ec;
    Lowest().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().close(ec);
    tls.reset();
    connected = false;
    buffer.clear();
  }

  Status Failure(std::string_view what, const beast::error_code& ec) {
    Close();
    return Unavailable(std::string(what) + " " + ep.ToString() + ": " + ec.message());
  }

  template <class Body>
  void FillHead(const HttpRequest& in, bhttp::request<Body>& out) {
    bhttp::verb verb = bhttp::string_to_verb(in.method);
    if (verb == bhttp::verb::unknown) {
      out.method_string(in.method);
    } else {
      out.method(verb);
    }
    out.target(ep.base_path + in.target);
    out.version(11);
    out.set(bhttp::field::host, ep.host + ":" + ep.port);
    out.set(bhttp::field::user_agent, "berth/" BERTH_VERSION);
    for (const auto& [k, v] : in.headers) out.set(k, v);
  }

  // Reads a whole response into `out`. Keeps the connection when allowed.
  Status ReadResponse(HttpResponse& out) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kNoLimit);
    beast::error_code ec;
    WithStream([&](auto& s) { bhttp::read(s, buffer, parser, ec); });
    if (ec) return Failure("reading the response from", ec);
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    out.headers = CopyHeaders(res);
    out.body = std::move(res.body());
    reused = true;
    if (!res.keep_alive()) Close();
    return Status::Ok();
  }
};

class BeastResponseStream : public ResponseStream {
 public:
  BeastResponseStream(HttpClient::Rep* rep,
                      std::unique_ptr<bhttp::response_parser<bhttp::buffer_body>> p)
      : rep_(rep), parser_(std::move(p)), headers_(CopyHeaders(parser_->get())) {}
  ~BeastResponseStream() override {
    // A body not read to the end leaves the connection mid-message.
    if (!parser_->is_done()) rep_->Close();
  }

  int status() const override { return static_cast<int>(parser_->get().result_int()); }
  const HttpHeaders& headers() const override { return headers_; }
  std::optional<uint64_t> content_length() const override {
    auto len = parser_->content_length();
    if (!len) return std::nullopt;
    return *len;
  }

  Result<size_t> Read(char* buf, size_t cap) override {
    while (!parser_->is_done()) {
      auto& body = parser_->get().body();
      body.data = buf;
      body.size = cap;
      beast::error_code ec;
      // read_some: hand over what has arrived (a streamed exec's lines), do
      // not wait for `cap` bytes.
      rep_->WithStream([&](auto& s) { bhttp::read_some(s, rep_->buffer, *parser_, ec); });
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) return rep_->Failure("reading the response from", ec);
      size_t n = cap - body.size;
      if (parser_->is_done() && !parser_->get().keep_alive()) rep_->Close();
      if (n > 0) return n;
    }
    // Also for a message without a body: honour "Connection: close".
    if (!parser_->get().keep_alive() && rep_->connected) rep_->Close();
    return size_t{0};
  }

 private:
  HttpClient::Rep* rep_;
  std::unique_ptr<bhttp::response_parser<bhttp::buffer_body>> parser_;
  HttpHeaders headers_;
};

HttpClient::HttpClient(Endpoint endpoint) : rep_(std::make_unique<Rep>(std::move(endpoint))) {}
HttpClient::~HttpClient() = default;

const Endpoint& HttpClient::endpoint() const { return rep_->ep; }

// Send is Open read to the end: one request path, one retry rule.
Result<HttpResponse> HttpClient::Send(const HttpRequest& in) {
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream, Open(in));
  HttpResponse res;
  res.status = stream->status();
  res.headers = stream->headers();
  std::vector<char> buf(64 * 1024);
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(size_t n, stream->Read(buf.data(), buf.size()));
    if (n == 0) break;
    res.body.append(buf.data(), n);
  }
  return res;
}

Result<HttpResponse> HttpClient::SendFile(const HttpRequest& in, int fd, uint64_t size,
                                          const ProgressFn& progress) {
  // Uploads go on a fresh connection: a stale keep-alive connection would
  // fail midway through a body we cannot replay.
  if (rep_->reused) rep_->Close();
  BERTH_RETURN_IF_ERROR(rep_->Connect());
  bhttp::request<bhttp::empty_body> req;
  rep_->FillHead(in, req);
  req.content_length(size);
  beast::error_code ec;
  bhttp::request_serializer<bhttp::empty_body> sr(req);
  rep_->WithStream([&](auto& s) { bhttp::write_header(s, sr, ec); });
  if (ec) return rep_->Failure("sending the request to", ec);

  // Body: poll for writability and for an early response (an error the
  // server sends before reading the whole body, e.g. 409 or 413) so that a
  // server that stops reading never leaves us blocked in send().
  std::vector<char> buf(256 * 1024);
  uint64_t sent = 0;
  // Over TLS the server sends nothing unasked (no session tickets), so
  // readability still means an early response.
  const int sock = rep_->Lowest().native_handle();
  bool early_response = false;
  while (sent < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - sent));
    ssize_t n = ::read(fd, buf.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      rep_->Close();
      return ErrnoStatus("reading the file to upload", err);
    }
    if (n == 0) {
      rep_->Close();
      return Internal("the file to upload shrank while it was being sent");
    }
    size_t off = 0;
    while (off < static_cast<size_t>(n)) {
      pollfd pfd{sock, POLLIN | POLLOUT, 0};
      int pr = ::poll(&pfd, 1, -1);
      if (pr < 0 && errno == EINTR) continue;
      if (pr < 0 || (pfd.revents & POLLIN) || (pfd.revents & (POLLERR | POLLHUP))) {
        early_response = true;
        break;
      }
      size_t w = 0;
      rep_->WithStream([&](auto& s) { w = s.write_some(net::buffer(buf.data() + off, n - off), ec); });
      if (ec) {
        early_response = true;
        break;
      }
      off += w;
    }
    if (early_response) break;
    sent += static_cast<uint64_t>(n);
    if (progress) progress(sent, size);
  }
  HttpResponse res;
  Status st = rep_->ReadResponse(res);
  if (early_response) rep_->Close();  // the request body was cut short
  if (!st.ok()) return st;
  return res;
}

Result<std::unique_ptr<ResponseStream>> HttpClient::Open(const HttpRequest& in) {
  bhttp::request<bhttp::string_body> req;
  rep_->FillHead(in, req);
  req.body() = in.body;
  req.prepare_payload();
  // A kept-alive connection may have been closed by the server meanwhile;
  // that shows as a failure before any response byte, and one retry on a
  // fresh connection is safe then (the server never saw the request).
  for (int attempt = 0;; ++attempt) {
    BERTH_RETURN_IF_ERROR(rep_->Connect());
    bool may_retry = rep_->reused && attempt == 0;
    beast::error_code ec;
    rep_->WithStream([&](auto& s) { bhttp::write(s, req, ec); });
    if (ec) {
      Status st = rep_->Failure("sending the request to", ec);
      if (may_retry) continue;
      return st;
    }
    auto parser = std::make_unique<bhttp::response_parser<bhttp::buffer_body>>();
    parser->body_limit(kNoLimit);
    size_t buffered = rep_->buffer.size();
    rep_->WithStream([&](auto& s) { bhttp::read_header(s, rep_->buffer, *parser, ec); });
    if (ec) {
      Status st = rep_->Failure("reading the response from", ec);
      if (may_retry && buffered == 0) continue;
      return st;
    }
    rep_->reused = true;
    return std::unique_ptr<ResponseStream>(
        std::make_unique<BeastResponseStream>(rep_.get(), std::move(parser)));
  }
}

}  // namespace berth::cli

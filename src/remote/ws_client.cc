// The node agent's WebSocket client (Boost.Beast; slow to compile, keep
// everything else out). Modelled on the CLI's websocket_client.cc; the URL
// and TLS handling are the CLI's own (cli/url.h, cli/tls_client.h).
#include "remote/ws_client.h"

#include <utility>  // before Asio: Boost 1.74 + g++12 need it

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <mutex>
#include <thread>

#include "cli/tls_client.h"
#include "cli/url.h"

namespace berth::remote {
namespace {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// ws[s]://host[:port]/path → the CLI's Endpoint (http[s]) and the path.
Result<std::pair<cli::Endpoint, std::string>> ParseWsUrl(const std::string& url,
                                                         const std::string& ca_file) {
  std::string rest;
  bool tls;
  if (url.rfind("ws://", 0) == 0) {
    tls = false;
    rest = url.substr(5);
  } else if (url.rfind("wss://", 0) == 0) {
    tls = true;
    rest = url.substr(6);
  } else {
    return InvalidArgument("--manager must be a ws:// or wss:// URL, not '" + url + "'");
  }
  size_t slash = rest.find('/');
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  BERTH_ASSIGN_OR_RETURN(cli::Endpoint ep,
                         cli::ParseEndpoint((tls ? "https://" : "http://") + rest.substr(0, slash)));
  ep.ca_file = ca_file;
  return std::make_pair(std::move(ep), std::move(path));
}

template <class NextLayer>
class Client : public WsClient {
 public:
  template <class... Args>
  // `keep`: what the stream refers to (the TLS context), kept alive with it.
  explicit Client(Callbacks cb, std::shared_ptr<void> keep, Args&... next_args)
      : cb_(std::move(cb)), keep_(std::move(keep)), ws_(ioc_, next_args...) {}

  ~Client() override {
    Close();
    if (thread_.joinable()) thread_.join();
  }

  Status Connect(const cli::Endpoint& ep, const std::string& path,
                 std::chrono::milliseconds timeout) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(ep.host, ep.port, ec);
    if (ec) return Unavailable("cannot resolve " + ep.host + ": " + ec.message());
    auto& layer = beast::get_lowest_layer(ws_);
    layer.expires_after(timeout);
    layer.connect(results, ec);
    if (ec) return Unavailable("cannot connect to the manager at " + ep.ToString() + ": " + ec.message());
    layer.socket().set_option(tcp::no_delay(true), ec);
    if constexpr (!std::is_same_v<NextLayer, beast::tcp_stream>) {
      SSL* ssl = ws_.next_layer().native_handle();
      BERTH_RETURN_IF_ERROR(cli::PrepareTlsConnection(ssl, ep.host));
      ws_.next_layer().handshake(net::ssl::stream_base::client, ec);
      if (ec) return cli::TlsHandshakeFailure(ep, ssl, ec);
    }
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "berthd-node-agent/" BERTH_VERSION);
    }));
    ws_.handshake(ep.host + ":" + ep.port, path, ec);
    if (ec) return Unavailable("the manager declined the agent connection: " + ec.message());
    layer.expires_never();
    // Bounds the close handshake; idleness is the agent's pings' business.
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.binary(true);
    // The server's limit is 1 MiB + our header; refuse more than a frame.
    ws_.read_message_max(2 << 20);
    thread_ = std::thread([this] {
      StartRead();
      ioc_.run();
    });
    return Status::Ok();
  }

  bool Send(std::string data) override {
    std::lock_guard lock(mu_);
    if (closing_) return false;
    net::post(ioc_, [this, d = std::move(data)]() mutable {
      outq_.push_back(std::move(d));
      if (!writing_) WriteNext();
    });
    return true;
  }

  void Close() override {
    {
      std::lock_guard lock(mu_);
      if (closing_) return;
      closing_ = true;
    }
    net::post(ioc_, [this] {
      close_after_writes_ = true;
      if (!writing_) WriteNext();
    });
  }

 private:
  void StartRead() {
    ws_.async_read(rbuf_, [this](const beast::error_code& ec, size_t) {
      if (ec) return Finish();
      std::string data = beast::buffers_to_string(rbuf_.data());
      rbuf_.consume(rbuf_.size());
      if (cb_.on_message) cb_.on_message(std::move(data));
      StartRead();
    });
  }

  void WriteNext() {
    if (finished_) return;
    if (outq_.empty()) {
      writing_ = false;
      if (close_after_writes_) {
        close_after_writes_ = false;
        writing_ = true;
        ws_.async_close(websocket::close_code::normal,
                        [this](const beast::error_code&) { Finish(); });
      }
      return;
    }
    writing_ = true;
    ws_.async_write(net::buffer(outq_.front()), [this](const beast::error_code& ec, size_t) {
      outq_.pop_front();
      if (ec) return Finish();
      WriteNext();
    });
  }

  // The connection ended: close the socket once, tell the owner once.
  void Finish() {
    if (finished_) return;
    finished_ = true;
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    if (cb_.on_close) cb_.on_close();
  }

  Callbacks cb_;
  std::shared_ptr<void> keep_;
  net::io_context ioc_;
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer rbuf_;
  std::mutex mu_;
  bool closing_ = false;  // under mu_
  // I/O thread only:
  std::deque<std::string> outq_;
  bool writing_ = false;
  bool close_after_writes_ = false;
  bool finished_ = false;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<WsClient>> WsClient::Dial(const std::string& url, const std::string& ca_file,
                                                 std::chrono::milliseconds timeout, Callbacks cb) {
  BERTH_ASSIGN_OR_RETURN(auto parsed, ParseWsUrl(url, ca_file));
  auto& [ep, path] = parsed;
  if (ep.tls) {
    BERTH_ASSIGN_OR_RETURN(auto ctx, cli::MakeClientTlsContext(ep));
    auto c = std::make_unique<Client<beast::ssl_stream<beast::tcp_stream>>>(std::move(cb), ctx, *ctx);
    BERTH_RETURN_IF_ERROR(c->Connect(ep, path, timeout));
    return std::unique_ptr<WsClient>(std::move(c));
  }
  auto c = std::make_unique<Client<beast::tcp_stream>>(std::move(cb), nullptr);
  BERTH_RETURN_IF_ERROR(c->Connect(ep, path, timeout));
  return std::unique_ptr<WsClient>(std::move(c));
}

}  // namespace berth::remote

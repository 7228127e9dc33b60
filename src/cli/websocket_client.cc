// The CLI's WebSocket client (Boost.Beast; slow to compile, keep everything
// else out). One io_context runs the socket, the signals and the writes; a
// helper thread reads the local input (a terminal, a pipe or a file: not all
// of them can be polled by epoll) and posts what it reads to the io_context.
#include "cli/websocket_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 + g++12 need it

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cerrno>
#include <deque>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/tls_client.h"
#include "common/unique_fd.h"

namespace berth::cli {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Writes all of `data` to a blocking fd.
bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

std::string ResizeMessage(WindowSize ws) {
  return "{\"type\":\"resize\",\"cols\":" + std::to_string(ws.cols) +
         ",\"rows\":" + std::to_string(ws.rows) + "}";
}

// A control message from the server (a JSON object with a "type"), which we
// do not print.
bool IsControlMessage(const std::string& text) {
  if (text.empty() || text.front() != '{') return false;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("type");
}

// NextLayer: tcp::socket (ws://) or ssl::stream<tcp::socket> (wss://).
template <class NextLayer>
class Bridge {
 public:
  static constexpr bool kTls = !std::is_same_v<NextLayer, tcp::socket>;
  // `next_args`: what NextLayer takes after the io_context (the TLS context).
  template <class... Args>
  explicit Bridge(const TerminalIo& io, Args&... next_args) : io_(io), ws_(ioc_, next_args...) {}

  Status Connect(const Endpoint& ep, const std::string& target, const HttpHeaders& headers) {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(ep.host, ep.port, ec);
    if (!ec) net::connect(beast::get_lowest_layer(ws_), results, ec);
    if (ec) {
      return Unavailable("cannot connect to " + ep.ToString() + ": " + ec.message() +
                         " (is berthd running?)");
    }
    beast::get_lowest_layer(ws_).set_option(tcp::no_delay(true), ec);
    if constexpr (kTls) {
      SSL* ssl = ws_.next_layer().native_handle();
      BERTH_RETURN_IF_ERROR(PrepareTlsConnection(ssl, ep.host));
      ws_.next_layer().handshake(net::ssl::stream_base::client, ec);
      if (ec) return TlsHandshakeFailure(ep, ssl, ec);
    }
    ws_.set_option(websocket::stream_base::decorator([&headers](websocket::request_type& req) {
      req.set(bhttp::field::user_agent, "berth/" BERTH_VERSION);
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    websocket::response_type res;
    ws_.handshake(res, ep.host + ":" + ep.port, ep.base_path + target, ec);
    if (ec == websocket::error::upgrade_declined) {
      // Beast 1.74 does not hand back a declined response, so the reason
      // (e.g. an error body) is lost here; callers check the session first.
      return FailedPrecondition("the server declined the terminal connection to " + ep.ToString() +
                                target);
    }
    if (ec) return Unavailable("opening the terminal on " + ep.ToString() + ": " + ec.message());
    ws_.binary(true);
    ws_.auto_fragment(false);
    return Status::Ok();
  }

  Status Run() {
    Send(/*text=*/true, ResizeMessage(io_.window_size()));
    net::signal_set signals(ioc_);
    if (io_.handle_signals) {
      signals.add(SIGWINCH);
      for (int sig : {SIGTERM, SIGHUP, SIGINT, SIGQUIT}) signals.add(sig);
      WaitSignal(signals);
    }
    signals_ = &signals;
    StartRead();
    StartInputThread();
    ioc_.run();
    StopInputThread();
    signals_ = nullptr;
    return result_;
  }

 private:
  void WaitSignal(net::signal_set& signals) {
    signals.async_wait([this, &signals](const beast::error_code& ec, int sig) {
      if (ec || done_) return;
      if (sig == SIGWINCH) {
        Send(/*text=*/true, ResizeMessage(io_.window_size()));
        WaitSignal(signals);
        return;
      }
      Finish(Unavailable("interrupted by signal " + std::to_string(sig)), /*close=*/true);
    });
  }

  void StartRead() {
    ws_.async_read(rbuf_, [this](const beast::error_code& ec, size_t) {
      if (ec == websocket::error::closed) return Finish(Status::Ok(), /*close=*/false);
      if (ec) {
        if (done_) return;
        return Finish(Unavailable("the terminal connection was lost: " + ec.message()),
                      /*close=*/false);
      }
      std::string data = beast::buffers_to_string(rbuf_.data());
      rbuf_.consume(rbuf_.size());
      bool print = ws_.got_binary() || !IsControlMessage(data);
      if (print && !WriteAll(io_.out_fd, data.data(), data.size())) {
        return Finish(Unavailable("writing the terminal output failed"), /*close=*/true);
      }
      StartRead();
    });
  }

  // Queues one frame; one async_write is in flight at a time.
  void Send(bool text, std::string data) {
    if (done_) return;
    outq_.emplace_back(text, std::move(data));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (outq_.empty() || done_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.text(outq_.front().first);
    ws_.async_write(net::buffer(outq_.front().second), [this](const beast::error_code& ec, size_t) {
      outq_.pop_front();
      if (ec) {
        writing_ = false;
        if (!done_) {
          Finish(Unavailable("sending to the terminal failed: " + ec.message()),
                 /*close=*/false);
        }
        return;
      }
      WriteNext();
    });
  }

  // Ends the bridge with `st`: a close handshake when `close` (we end it),
  // else the socket is simply closed (the server ended it, or it broke).
  void Finish(Status st, bool close) {
    if (done_) return;
    done_ = true;
    result_ = std::move(st);
    if (signals_) {
      beast::error_code ignored;
      signals_->cancel(ignored);
    }
    if (close && ws_.is_open()) {
      ws_.async_close(websocket::close_code::normal, [this](const beast::error_code&) {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
      });
    } else {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).close(ignored);
    }
  }

  // Local input: a thread blocks in poll()/read() and posts each chunk to
  // the io_context. A pipe wakes it for shutdown.
  void StartInputThread() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return;
    cancel_read_.reset(p[0]);
    cancel_write_.reset(p[1]);
    input_ = std::thread([this] {
      char buf[8192];
      for (;;) {
        pollfd fds[2] = {{io_.in_fd, POLLIN, 0}, {cancel_read_.get(), POLLIN, 0}};
        int r = ::poll(fds, 2, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 || fds[1].revents != 0) return;
        ssize_t n = ::read(io_.in_fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return;  // EOF: keep the session going until the server ends it
        net::post(ioc_, [this, data = std::string(buf, static_cast<size_t>(n))]() mutable {
          Send(/*text=*/false, std::move(data));
        });
      }
    });
  }

  void StopInputThread() {
    if (!input_.joinable()) return;
    char c = 0;
    while (::write(cancel_write_.get(), &c, 1) < 0 && errno == EINTR) {
    }
    input_.join();
  }

  const TerminalIo& io_;
  net::io_context ioc_;
  websocket::stream<NextLayer> ws_;
  beast::flat_buffer rbuf_;
  std::deque<std::pair<bool, std::string>> outq_;  // (text?, payload)
  bool writing_ = false;
  bool done_ = false;
  Status result_;
  net::signal_set* signals_ = nullptr;
  std::thread input_;
  UniqueFd cancel_read_, cancel_write_;
};

}  // namespace

Status RunTerminal(const Endpoint& endpoint, const std::string& target, const HttpHeaders& headers,
                   const TerminalIo& io) {
  if (endpoint.tls) {
    BERTH_ASSIGN_OR_RETURN(auto ctx, MakeClientTlsContext(endpoint));
    Bridge<net::ssl::stream<tcp::socket>> bridge(io, *ctx);
    BERTH_RETURN_IF_ERROR(bridge.Connect(endpoint, target, headers));
    return bridge.Run();
  }
  Bridge<tcp::socket> bridge(io);
  BERTH_RETURN_IF_ERROR(bridge.Connect(endpoint, target, headers));
  return bridge.Run();
}

}  // namespace berth::cli

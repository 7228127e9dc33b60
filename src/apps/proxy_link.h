// One proxied connection of the apps origin (apps/proxy_server.cc) once the
// app answered: the client's stream, the socket to the app, and an idle
// watchdog, shared by the two copy directions. `Client` is a tcp::socket
// (plain HTTP: the splice pump in proxy_server.cc) or a TLS stream
// (https: apps/tls_pump.h). Header-only and Asio-heavy: include it only
// from the apps origin's translation units.
//
// Thread-safety: everything runs on the connection's strand.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

#include <chrono>
#include <memory>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

namespace berth::apps {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// The TCP socket under a client stream.
inline boost::asio::ip::tcp::socket& SocketOf(boost::asio::ip::tcp::socket& s) { return s; }
inline boost::asio::ip::tcp::socket& SocketOf(TlsStream& s) {
  return boost::beast::get_lowest_layer(s).socket();
}

template <class Client>
struct Link {
  using Clock = std::chrono::steady_clock;
  explicit Link(Client c)
      : client(std::move(c)), upstream(client.get_executor()), watchdog(client.get_executor()) {}
  void Touch() { last = Clock::now(); }
  bool Open() { return SocketOf(client).is_open(); }
  void Close() {
    boost::system::error_code ec;
    SocketOf(client).close(ec);
    upstream.close(ec);
    watchdog.cancel();
  }
  Client client;
  boost::asio::ip::tcp::socket upstream;
  boost::asio::steady_timer watchdog;
  Clock::time_point last = Clock::now();
  // TLS pump only (apps/tls_pump.h): the client sent its last byte; the
  // link is saying goodbye (no new read of the client may start).
  bool client_done = false;
  bool ending = false;
};

// Closes the link once nothing moved either way for `idle`.
template <class Client>
boost::asio::awaitable<void> Watch(std::shared_ptr<Link<Client>> link, std::chrono::seconds idle) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  for (;;) {
    link->watchdog.expires_at(link->last + idle);
    co_await link->watchdog.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !link->Open()) co_return;  // cancelled: the link is closed
    if (Link<Client>::Clock::now() - link->last >= idle) {
      spdlog::debug("apps proxy: closing a connection idle for {} s", idle.count());
      link->Close();
      co_return;
    }
  }
}

}  // namespace berth::apps

// Small Asio helpers shared by berthd's two listeners, the API server
// (http/server.cc) and the apps origin (apps/proxy_server.cc). Header-only
// and Asio-heavy: include it only from those translation units.
//
// Thread-safety: as the Asio objects passed in.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio.hpp>

#include "common/result.h"

namespace berth::http {

// Opens, binds (SO_REUSEADDR) and listens on host:port; Unavailable naming
// `what` when it cannot. Returns the bound port (useful with port 0).
inline Result<uint16_t> Listen(boost::asio::ip::tcp::acceptor& acc, const std::string& host,
                               uint16_t port, const std::string& what) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return InvalidArgument("bad " + what + " address '" + host + "'");
  asio::ip::tcp::endpoint ep(addr, port);
  acc.open(ep.protocol(), ec);
  if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("cannot listen on " + host + ":" + std::to_string(port) + " for " + what +
                       ": " + ec.message());
  }
  return acc.local_endpoint().port();
}

// Runs io.run() on `n` (at least 1) new threads appended to `threads`.
inline void RunThreads(boost::asio::io_context& io, int n, std::vector<std::thread>& threads) {
  for (int i = 0; i < std::max(1, n); ++i) threads.emplace_back([&io] { io.run(); });
}

// Runs f() on `pool` and resumes on the calling coroutine's executor.
template <typename F>
boost::asio::awaitable<std::invoke_result_t<F>> OnPool(boost::asio::thread_pool& pool, F f) {
  using R = std::invoke_result_t<F>;
  std::optional<R> out = co_await boost::asio::co_spawn(
      pool.get_executor(),
      [&f]() -> boost::asio::awaitable<std::optional<R>> { co_return std::optional<R>(f()); },
      boost::asio::use_awaitable);
  co_return std::move(*out);
}

}  // namespace berth::http

#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

#include "apps/tls_pump.h"

#include <vector>

namespace berth::apps {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

awaitable<void> TlsToApp(std::shared_ptr<TlsLink> link, bool half_close) {
  std::vector<char> buf(kTlsPumpChunk);
  beast::error_code ec;
  while (!ec && !link->ending) {
    size_t n = co_await link->client.async_read_some(asio::buffer(buf),
                                                     asio::redirect_error(use_awaitable, ec));
    if (link->ending) co_return;  // TlsGoodbye cancelled this read; it owns the link now
    if (n == 0) continue;
    link->Touch();
    beast::error_code wec;
    co_await asio::async_write(link->upstream, asio::buffer(buf.data(), n),
                               asio::redirect_error(use_awaitable, wec));
    if (wec) ec = wec;
    link->Touch();
  }
  if (link->ending) co_return;
  const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
  if (closed && half_close) {
    link->client_done = true;
    link->upstream.shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  link->Close();
}

awaitable<void> TlsToClient(std::shared_ptr<TlsLink> link) {
  std::vector<char> buf(kTlsPumpChunk);
  beast::error_code ec;
  while (!ec) {
    size_t n = co_await link->upstream.async_read_some(asio::buffer(buf),
                                                       asio::redirect_error(use_awaitable, ec));
    if (n == 0) continue;
    link->Touch();
    beast::error_code wec;
    co_await asio::async_write(link->client, asio::buffer(buf.data(), n),
                               asio::redirect_error(use_awaitable, wec));
    if (wec) {
      link->Close();
      co_return;
    }
    link->Touch();
  }
  if (ec != asio::error::eof) {
    link->Close();
    co_return;
  }
  co_await TlsGoodbye(std::move(link));
}

awaitable<void> TlsGoodbye(std::shared_ptr<TlsLink> link) {
  beast::error_code ec;
  if (!link->ending && link->Open()) {
    link->ending = true;
    auto& tcp_layer = beast::get_lowest_layer(link->client);
    if (!link->client_done) tcp_layer.socket().cancel(ec);  // TlsToApp's pending read
    tcp_layer.expires_after(kTlsGoodbye);
    co_await link->client.async_shutdown(asio::redirect_error(use_awaitable, ec));
  }
  link->Close();
}

}  // namespace berth::apps

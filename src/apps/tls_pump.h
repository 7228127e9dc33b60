// The apps origin's copy loops over TLS (https apps origin, berthd
// --tls-cert): a proxied connection whose client speaks TLS cannot use
// splice(2) (the bytes must be decrypted and encrypted in user space), so
// each direction copies through its own bounded buffer (kTlsPumpChunk)
// with Asio's OpenSSL stream, under the same idle watchdog as the splice
// path (apps/proxy_link.h Watch). Plain HTTP keeps the splice path
// (proxy_server.cc).
//
// Ending: when the app closes, the client gets TLS close_notify (bounded
// by kTlsGoodbye) so that it can tell the end of a response from a
// truncation; the client→app read still pending then is cancelled first
// (an OpenSSL stream takes one read at a time, and the goodbye reads the
// client's close_notify).
//
// Thread-safety: everything runs on the connection's strand.
#pragma once

#include <utility>  // before Asio's coroutine headers (Boost 1.74 + g++ 12)

#include <chrono>
#include <cstddef>
#include <memory>

#include "apps/proxy_link.h"

namespace berth::apps {

using TlsLink = Link<TlsStream>;

inline constexpr size_t kTlsPumpChunk = 256 * 1024;  // each direction's buffer
inline constexpr std::chrono::seconds kTlsGoodbye{2};

// Client → app until the client closes: then, with `half_close`, shuts the
// app's receiving side (the response may still be on its way), else
// closes the link. Errors close the link.
boost::asio::awaitable<void> TlsToApp(std::shared_ptr<TlsLink> link, bool half_close);

// App → client until the app closes, then TlsGoodbye. Errors close the link.
boost::asio::awaitable<void> TlsToClient(std::shared_ptr<TlsLink> link);

// Ends the client's side: close_notify (bounded), then closes the link.
boost::asio::awaitable<void> TlsGoodbye(std::shared_ptr<TlsLink> link);

}  // namespace berth::apps

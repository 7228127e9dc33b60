// The CLI's side of https:// endpoints (OpenSSL through Asio): a client
// context that trusts the system CAs plus an optional private CA file
// (--cacert / BERTH_CACERT), TLS 1.2 or newer; per connection, SNI and a
// check that the certificate names the endpoint's host (a DNS name, or an
// IP address in an iPAddress SAN). Verification is always on: there is no
// "insecure" switch.
//
// Included only by the CLI's Beast translation units (http_client.cc,
// websocket_client.cc). Pure functions; thread-safe.
#pragma once

#include <utility>  // before Asio (Boost 1.74 + g++ 12)

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "cli/url.h"
#include "common/result.h"

namespace berth::cli {

// The context for `ep` (REQUIRES: ep.tls). InvalidArgument when
// ep.ca_file cannot be read as PEM certificates.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(const Endpoint& ep);

// Sets SNI and the expected host name or address on a fresh SSL object.
Status PrepareTlsConnection(SSL* ssl, const std::string& host);

// The message for a failed handshake: the verification error when there
// was one, with a hint about --cacert.
Status TlsHandshakeFailure(const Endpoint& ep, SSL* ssl, const boost::system::error_code& ec);

}  // namespace berth::cli

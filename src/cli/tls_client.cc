#include "cli/tls_client.h"

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace berth::cli {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const Endpoint& ep) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return Internal("cannot load the system CA certificates: " + ec.message());
  if (!ep.ca_file.empty()) {
    ctx->load_verify_file(ep.ca_file, ec);
    if (ec) {
      return InvalidArgument("cannot use CA file " + ep.ca_file + " (--cacert/BERTH_CACERT): " +
                             ec.message());
    }
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

Status PrepareTlsConnection(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  const bool is_address = !ec;
  int ok = 1;
  if (is_address) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  } else {
    // SNI only for names (RFC 6066 forbids literal addresses).
    ok = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
  }
  if (ok != 1) return InvalidArgument("cannot verify TLS for host '" + host + "'");
  return Status::Ok();
}

Status TlsHandshakeFailure(const Endpoint& ep, SSL* ssl, const boost::system::error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return Unavailable("TLS certificate verification failed for " + ep.ToString() + ": " +
                       X509_verify_cert_error_string(verify) +
                       (ep.ca_file.empty() ? " (for a private CA, pass --cacert FILE or set BERTH_CACERT)"
                                           : " (CA file " + ep.ca_file + ")"));
  }
  return Unavailable("TLS handshake with " + ep.ToString() + " failed: " + ec.message() +
                     " (is it an https:// endpoint?)");
}

}  // namespace berth::cli

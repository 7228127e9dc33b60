#include <utility>  // before Asio (Boost 1.74 + g++ 12)

#include "http/tls_context.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

namespace berth::http {

namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 list without the DHE suites (no DH
// parameters to manage): ECDHE + AEAD only.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

Status CheckKeyFileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return ErrnoStatus("TLS key file " + path, errno);
  }
  if (!S_ISREG(st.st_mode)) return InvalidArgument("TLS key file " + path + " is not a regular file");
  if ((st.st_mode & 0007) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return InvalidArgument("TLS key file " + path + " is accessible to other users (mode " + mode +
                           "); make it private, e.g. chmod 600 " + path);
  }
  return Status::Ok();
}

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    return InvalidArgument("TLS needs both a certificate (--tls-cert) and a key (--tls-key)");
  }
  BERTH_RETURN_IF_ERROR(CheckKeyFileMode(key_file));
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_num_tickets(native, 0);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Internal("OpenSSL refused Berth's TLS 1.2 cipher list");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return InvalidArgument("TLS certificate " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return InvalidArgument("TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("TLS key " + key_file + " does not match the certificate " + cert_file);
  }
  return ctx;
}

}  // namespace berth::http

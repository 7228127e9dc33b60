// TLS for berthd's listener: loading the certificate chain and private key
// into an OpenSSL context with Berth's protocol and cipher policy
// (docs/operations.md "TLS"): TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE
// key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305), so every
// session has forward secrecy; OpenSSL's TLS 1.3 suites; no renegotiation,
// no compression, no session tickets (no resumption state to protect, and a
// ticket arriving mid-upload would look like an early response to the CLI).
//
// The key file must not be accessible to other users (mode & 0007 == 0):
// a world-readable key is refused with a message that says how to fix it.
// Pure functions; thread-safe. The returned context is shared read-only by
// every TLS connection.
#pragma once

#include <memory>
#include <string>

#include "common/result.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace berth::http {

// OK when `path` is a regular file that other users cannot read or write.
Status CheckKeyFileMode(const std::string& path);

// A server context from a PEM certificate chain (leaf first) and a PEM
// private key matching it. InvalidArgument naming the file on any error.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const std::string& cert_file,
                                                                        const std::string& key_file);

}  // namespace berth::http

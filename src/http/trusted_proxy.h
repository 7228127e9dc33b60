// TrustedProxies: the reverse proxies (`--trusted-proxy CIDR`) whose
// X-Forwarded-For and X-Forwarded-Proto headers berthd believes. From any
// other peer those headers are ignored, so a client cannot pick the address
// the login and connection limits count it under, nor claim https.
//
// ResolveClient picks the client address the way nginx's realip module does
// with `real_ip_recursive on`: walk X-Forwarded-For from the right (the
// entry the nearest proxy appended) past trusted proxies; the first address
// that is not one is the client. A malformed entry stops the walk (the last
// good address is used). IPv4-mapped IPv6 addresses match IPv4 networks.
//
// Immutable after Parse; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace berth::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Each entry "ADDR/BITS" or a bare address (a single host), IPv4 or IPv6.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& cidrs);

  bool empty() const { return nets_.empty(); }
  // Whether `addr` (a textual IP address) lies in one of the networks;
  // false for anything that is not an address.
  bool Contains(std::string_view addr) const;

 private:
  struct Net {
    std::array<uint8_t, 16> addr{};  // IPv4 as IPv4-mapped IPv6
    int bits = 0;                    // prefix length over the 128 bits
  };
  std::vector<Net> nets_;
};

struct ClientOrigin {
  std::string addr;    // the client's address, as the limits and the audit log see it
  bool https = false;  // the client spoke TLS (to us or to the trusted proxy)
};

// `peer`: the TCP peer's address; `tls`: the connection to us is TLS;
// `forwarded_for` / `forwarded_proto`: the headers' values ("" if absent;
// repeated headers joined with ",").
ClientOrigin ResolveClient(const TrustedProxies& proxies, std::string_view peer, bool tls,
                           std::string_view forwarded_for, std::string_view forwarded_proto);

}  // namespace berth::http

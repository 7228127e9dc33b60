// Ipv4Subnet: a session subnet in CIDR notation (--session-subnet), and the
// addresses Berth derives from it (the bridge's gateway is the first host
// address). Pure value type.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace berth::net {

struct Ipv4Subnet {
  uint32_t network = 0;  // host byte order, host bits zero
  int prefix = 0;

  // "A.B.C.D/N" with 8 <= N <= 28 and no host bits set; otherwise
  // InvalidArgument with a sentence saying why.
  static Result<Ipv4Subnet> Parse(const std::string& cidr);

  std::string ToString() const;  // "10.213.0.0/16"
  std::string Gateway() const;   // first host address, "10.213.0.1"
};

// "A.B.C.D" → host-order address; false if it is not a dotted quad.
bool ParseIpv4(const std::string& text, uint32_t& out);
std::string FormatIpv4(uint32_t address);

}  // namespace berth::net

#include "net/subnet.h"

#include <arpa/inet.h>

namespace berth::net {

bool ParseIpv4(const std::string& text, uint32_t& out) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  out = ntohl(a.s_addr);
  return true;
}

std::string FormatIpv4(uint32_t address) {
  in_addr a{};
  a.s_addr = htonl(address);
  char buf[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

Result<Ipv4Subnet> Ipv4Subnet::Parse(const std::string& cidr) {
  const size_t slash = cidr.find('/');
  const std::string why = "session subnet '" + cidr + "' ";
  if (slash == std::string::npos) return InvalidArgument(why + "must be CIDR, e.g. 10.213.0.0/16");
  Ipv4Subnet s;
  if (!ParseIpv4(cidr.substr(0, slash), s.network))
    return InvalidArgument(why + "must start with an IPv4 address");
  const std::string bits = cidr.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 || bits.find_first_not_of("0123456789") != std::string::npos)
    return InvalidArgument(why + "needs a prefix length");
  s.prefix = std::stoi(bits);
  if (s.prefix < 8 || s.prefix > 28)
    return InvalidArgument(why + "must have a prefix length between 8 and 28");
  const uint32_t mask = ~uint32_t{0} << (32 - s.prefix);
  if ((s.network & ~mask) != 0)
    return InvalidArgument(why + "has host bits set (did you mean " +
                           FormatIpv4(s.network & mask) + "/" + bits + "?)");
  return s;
}

std::string Ipv4Subnet::ToString() const {
  return FormatIpv4(network) + "/" + std::to_string(prefix);
}

std::string Ipv4Subnet::Gateway() const { return FormatIpv4(network + 1); }

}  // namespace berth::net

#include "http/trusted_proxy.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace berth::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The address as 16 bytes (IPv4 mapped into IPv6), and whether it was IPv4.
std::optional<std::pair<std::array<uint8_t, 16>, bool>> ParseAddr(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);
  std::array<uint8_t, 16> out{};
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return std::make_pair(out, true);
  }
  if (::inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return std::make_pair(out, false);
  return std::nullopt;
}

bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& net, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (net[i] & mask)) return false;
  }
  return true;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies out;
  for (const std::string& c : cidrs) {
    std::string_view text = Trim(c);
    const size_t slash = text.find('/');
    auto addr = ParseAddr(text.substr(0, slash));
    if (!addr) return InvalidArgument("trusted proxy '" + c + "' is not an address or CIDR");
    Net net;
    net.addr = addr->first;
    const int max_bits = addr->second ? 32 : 128;
    int bits = max_bits;
    if (slash != std::string_view::npos) {
      std::string_view b = text.substr(slash + 1);
      auto [p, ec] = std::from_chars(b.data(), b.data() + b.size(), bits);
      if (b.empty() || ec != std::errc() || p != b.data() + b.size() || bits < 0 || bits > max_bits) {
        return InvalidArgument("trusted proxy '" + c + "' has a bad prefix length");
      }
    }
    net.bits = addr->second ? bits + 96 : bits;
    out.nets_.push_back(net);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view addr) const {
  auto a = ParseAddr(Trim(addr));
  if (!a) return false;
  for (const Net& n : nets_) {
    if (PrefixMatches(a->first, n.addr, n.bits)) return true;
  }
  return false;
}

ClientOrigin ResolveClient(const TrustedProxies& proxies, std::string_view peer, bool tls,
                           std::string_view forwarded_for, std::string_view forwarded_proto) {
  ClientOrigin out{std::string(peer), tls};
  if (!proxies.Contains(peer)) return out;
  // X-Forwarded-Proto: the first value is what the client spoke to the
  // outermost proxy.
  std::string_view proto = Trim(forwarded_proto.substr(0, forwarded_proto.find(',')));
  if (proto.size() == 5 && (proto == "https" || proto == "HTTPS")) out.https = true;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const size_t comma = rest.rfind(',');
    std::string_view entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (entry.empty()) continue;
    if (!ParseAddr(entry)) break;  // garbage: keep the last good address
    out.addr = std::string(entry);
    if (!proxies.Contains(entry)) break;
  }
  return out;
}

}  // namespace berth::http

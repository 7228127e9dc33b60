#include "net/resolv_conf.h"

#include <arpa/inet.h>

#include <sstream>

namespace berth::net {
namespace {

bool IsIpAddress(const std::string& s) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, s.c_str(), buf) == 1 || ::inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool IsLoopback(const std::string& s) { return s.starts_with("127.") || s == "::1"; }

}  // namespace

Result<std::string> BuildResolvConf(const std::string& host_resolv_conf,
                                    const std::vector<std::string>& dns) {
  std::string out;
  if (!dns.empty()) {
    for (const auto& ip : dns) {
      if (!IsIpAddress(ip))
        return InvalidArgument("session DNS '" + ip + "' is not an IP address");
      out += "nameserver " + ip + "\n";
    }
    return out;
  }
  std::istringstream in(host_resolv_conf);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, value;
    words >> key >> value;
    if (key == "nameserver" && (IsLoopback(value) || !IsIpAddress(value))) continue;
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> SplitDnsList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::istringstream in(v);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

}  // namespace berth::net

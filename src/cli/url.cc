#include "cli/url.h"

namespace berth::cli {

std::string Endpoint::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + port + base_path;
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  std::string_view rest = url;
  Endpoint ep;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, pos);
    if (scheme != "http" && scheme != "https") {
      return InvalidArgument("unsupported endpoint scheme '" + std::string(scheme) +
                             "' (http:// or https://): " + std::string(url));
    }
    ep.tls = scheme == "https";
    if (ep.tls) ep.port = "443";
    rest.remove_prefix(pos + 3);
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.size() < rest.size()) {
    std::string_view path = rest.substr(authority.size());
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    ep.base_path = std::string(path);
  }
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return InvalidArgument("bad endpoint: " + std::string(url));
    ep.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgument("bad endpoint: " + std::string(url));
      ep.port = std::string(after.substr(1));
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    ep.host = std::string(authority.substr(0, colon));
    ep.port = std::string(authority.substr(colon + 1));
  } else {
    ep.host = std::string(authority);
  }
  if (ep.host.empty()) return InvalidArgument("bad endpoint (no host): " + std::string(url));
  if (ep.port.empty() || ep.port.size() > 5 ||
      ep.port.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("bad endpoint port: " + std::string(url));
  }
  return ep;
}

Target& Target::Segment(std::string_view segment) {
  path_ += '/';
  path_ += PercentEncode(segment);
  return *this;
}

Target& Target::Query(std::string_view key, std::string_view value) {
  query_.emplace_back(std::string(key), std::string(value));
  return *this;
}

std::string Target::str() const {
  std::string out = path_;
  char sep = '?';
  for (const auto& [k, v] : query_) {
    out += sep;
    out += PercentEncode(k);
    out += '=';
    out += PercentEncode(v);
    sep = '&';
  }
  return out;
}

std::string NormalizeFolderPath(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view comp = path.substr(i, j - i);
    if (!comp.empty() && comp != ".") {
      if (!out.empty()) out += '/';
      out += comp;
    }
    i = j + 1;
  }
  return out;
}

std::string JoinFolderPath(std::string_view dir, std::string_view name) {
  std::string d = NormalizeFolderPath(dir);
  std::string n = NormalizeFolderPath(name);
  if (d.empty()) return n;
  if (n.empty()) return d;
  return d + "/" + n;
}

std::string BaseName(std::string_view path) {
  std::string p = NormalizeFolderPath(path);
  auto pos = p.rfind('/');
  return pos == std::string::npos ? p : p.substr(pos + 1);
}

}  // namespace berth::cli

#include "apps/proxy_rules.h"

#include <cstdint>

#include "common/ascii.h"
#include "common/digest.h"
#include "images/app_spec.h"

namespace berth::apps {
namespace {

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr size_t kMaxDnsLabel = 63;

}  // namespace

std::optional<AppPath> ParseAppPath(std::string_view target) {
  constexpr std::string_view kPrefix = "/s/";
  if (target.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  target.remove_prefix(kPrefix.size());
  size_t slash = target.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash > 64) return std::nullopt;
  AppPath p;
  p.session_id = std::string(target.substr(0, slash));
  for (char c : p.session_id)
    if (!IdChar(c)) return std::nullopt;
  target.remove_prefix(slash + 1);
  size_t end = target.find_first_of("/?");
  p.app = std::string(target.substr(0, end));
  if (!images::IsValidAppName(p.app)) return std::nullopt;
  if (end == std::string_view::npos || target[end] == '?') {
    p.trailing_slash = false;
    return p;
  }
  p.rest = std::string(target.substr(end + 1));
  return p;
}

std::optional<std::string> QueryParam(std::string_view rest, std::string_view name) {
  size_t q = rest.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = rest.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string StripBerthCookies(std::string_view header, std::vector<std::string>* app_cookies) {
  std::string out;
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = Trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    if (pair.empty()) continue;
    std::string_view name = Trim(pair.substr(0, pair.find('=')));
    if (name == kAppCookie) {
      size_t eq = pair.find('=');
      if (eq != std::string_view::npos && app_cookies != nullptr)
        app_cookies->push_back(std::string(Trim(pair.substr(eq + 1))));
      continue;
    }
    if (name == "berth_session" || name == "berth_csrf") continue;
    if (!out.empty()) out += "; ";
    out += pair;
  }
  return out;
}

std::string BearerToken(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size()) return "";
  for (size_t i = 0; i < kBearer.size(); ++i) {
    char a = authorization[i], b = kBearer[i];
    if ((a | 0x20) != (b | 0x20)) return "";
  }
  return std::string(Trim(authorization.substr(kBearer.size())));
}

std::string AppHostName(std::string_view domain, std::string_view session_id, std::string_view app) {
  std::string label = AsciiLower(app) + "-" + AsciiLower(session_id);
  if (label.size() > kMaxDnsLabel) label = AsciiLower(session_id) + "-" + Sha256Hex(app).substr(0, 16);
  return label + "." + AsciiLower(domain);
}

std::string HostNameOf(std::string_view host) {
  host = Trim(host);
  if (!host.empty() && host.front() == '[') return AsciiLower(host.substr(0, host.find(']') + 1));
  std::string name = AsciiLower(host.substr(0, host.rfind(':')));
  if (!name.empty() && name.back() == '.') name.pop_back();  // "a.example." is "a.example"
  return name;
}

namespace {

// "host[:port]" lower-case, without `default_port`.
std::string Authority(std::string_view a, std::string_view default_port) {
  std::string out = AsciiLower(Trim(a));
  const std::string suffix = ":" + std::string(default_port);
  if (out.size() > suffix.size() && out.compare(out.size() - suffix.size(), suffix.size(), suffix) == 0 &&
      out.back() != ']') {
    out.resize(out.size() - suffix.size());
  }
  return out;
}

}  // namespace

bool SameOrigin(std::string_view origin, std::string_view host_header, bool tls) {
  const std::string_view scheme = tls ? "https://" : "http://";
  origin = Trim(origin);
  if (origin.size() <= scheme.size() || AsciiLower(origin.substr(0, scheme.size())) != scheme) return false;
  origin.remove_prefix(scheme.size());
  if (origin.find_first_of("/?#@ ") != std::string_view::npos || Trim(host_header).empty()) return false;
  const std::string_view port = tls ? "443" : "80";
  return Authority(origin, port) == Authority(host_header, port);
}

std::string AppCookie(const std::string& value, const std::string& base_url, int64_t max_age_s,
                      bool secure) {
  return std::string(kAppCookie) + "=" + value + "; Path=" + base_url +
         "; Max-Age=" + std::to_string(max_age_s) + "; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

}  // namespace berth::apps

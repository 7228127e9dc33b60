#include "http/url.h"

namespace berth::http {
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    out[*key] = *value;
  }
  return out;
}

std::optional<std::vector<std::string>> SplitPathSegments(std::string_view raw) {
  std::vector<std::string> out;
  if (!raw.empty() && raw.front() == '/') raw.remove_prefix(1);
  if (raw.empty()) return out;
  for (;;) {
    size_t slash = raw.find('/');
    auto seg = PercentDecode(raw.substr(0, slash), false);
    if (!seg) return std::nullopt;
    out.push_back(std::move(*seg));
    if (slash == std::string_view::npos) break;
    raw.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace berth::http

#include "store/store_url.h"

namespace berth::store {

std::string MaskUrlPassword(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    // The user info ends at the authority's last '@' (a password may hold
    // '@' unencoded in careless URLs); its password follows the first ':'.
    size_t at = out.rfind('@', end - 1);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... among the query parameters.
  size_t q = out.find('?');
  while (q != std::string::npos) {
    size_t key = q + 1;
    if (out.compare(key, 9, "password=") == 0) {
      size_t value = key + 9;
      size_t end = out.find_first_of("&#", value);
      out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
    }
    q = out.find('&', key);
  }
  return out;
}

}  // namespace berth::store

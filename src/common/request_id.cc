#include "common/request_id.h"

#include "common/random.h"

namespace berth {

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string MintRequestId() { return RandomHex(16); }

std::string RequestIdFor(std::string_view incoming) {
  return IsValidRequestId(incoming) ? std::string(incoming) : MintRequestId();
}

}  // namespace berth

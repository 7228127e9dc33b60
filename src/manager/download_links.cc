#include "manager/download_links.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/digest.h"
#include "common/random.h"
#include "manager/crypto.h"

namespace berth::manager {
DownloadLinks::DownloadLinks() : key_(RandomHex(32)) {}

std::string DownloadLinks::Mac(const std::string& payload) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), md, &len);
  return HexEncode(std::string_view(reinterpret_cast<char*>(md), len));
}

std::string DownloadLinks::Sign(const DownloadLink& l) const {
  std::string payload = l.user_id + "\n" + l.folder_id + "\n" + std::to_string(l.expires_at) + "\n" + l.path;
  return HexEncode(payload) + "." + Mac(payload);
}

Result<DownloadLink> DownloadLinks::Verify(const std::string& token, int64_t now) const {
  const Status bad = PermissionDenied("the download link is not valid", "bad_link");
  size_t dot = token.find('.');
  if (dot == std::string::npos) return bad;
  std::string payload;
  if (!HexDecode(std::string_view(token).substr(0, dot), &payload)) return bad;
  if (!ConstantTimeEquals(Mac(payload), token.substr(dot + 1))) return bad;
  DownloadLink l;
  size_t a = payload.find('\n'), b = payload.find('\n', a + 1), c = payload.find('\n', b + 1);
  if (a == std::string::npos || b == std::string::npos || c == std::string::npos) return bad;
  l.user_id = payload.substr(0, a);
  l.folder_id = payload.substr(a + 1, b - a - 1);
  l.expires_at = std::stoll(payload.substr(b + 1, c - b - 1));
  l.path = payload.substr(c + 1);
  if (l.expires_at < now) {
    return PermissionDenied("the download link has expired; ask for a new one", "link_expired");
  }
  return l;
}

}  // namespace berth::manager

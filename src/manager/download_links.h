// DownloadLinks: short-lived signed URLs that let a browser download a file
// or directory without an Authorization header (SPEC §4). A link binds the
// user, the folder id, the path and an expiry, signed with HMAC-SHA256 under
// a key that lives only in this process (links die with a restart, which is
// fine for five-minute links). Thread-safe (immutable after construction).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace berth::manager {

struct DownloadLink {
  std::string user_id;
  std::string folder_id;
  std::string path;
  int64_t expires_at = 0;
};

class DownloadLinks {
 public:
  static constexpr int64_t kLifetimeSeconds = 300;

  DownloadLinks();  // random key
  explicit DownloadLinks(std::string key) : key_(std::move(key)) {}

  std::string Sign(const DownloadLink& link) const;
  // PermissionDenied (reason "bad_link"/"link_expired") unless the token is
  // intact and not expired at `now`.
  Result<DownloadLink> Verify(const std::string& token, int64_t now) const;

 private:
  std::string Mac(const std::string& payload) const;
  std::string key_;
};

}  // namespace berth::manager

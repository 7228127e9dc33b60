// The quota part of a session's notice file (README-BERTH.txt): one line per
// mounted folder that has a quota, so users see their limits from inside
// the session without Berth's CLI. `df` does not show a btrfs qgroup limit
// (it reports the whole file system), so this file is where to look.
// Thread-safe (pure function).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::agent {

struct FolderQuotaNote {
  std::string target;                  // mount path in the session
  uint64_t quota_bytes = 0;
  std::optional<uint64_t> used_bytes;  // at session start; unknown where costly to measure
  bool kernel_enforced = false;        // writes fail with EDQUOT past the limit
};

// "" when no mounted folder has a quota.
std::string QuotaNoticeText(const std::vector<FolderQuotaNote>& notes);

}  // namespace berth::agent

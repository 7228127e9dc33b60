// What a session is told about its storage limits, so users see them from
// inside the session without Berth's CLI: each mounted folder that has a
// quota, and the scratch limit (the scratch home and the writable layer).
// Three renderings of the same facts, made once at session start:
//  * QuotaNoticeText: the part of the scratch home's README-BERTH.txt;
//  * QuotaShellNotice: a few lines the interactive shell prints at start;
//  * QuotaFileText: ~/.berth/quota, one tab-separated line per limit, for
//    scripts (`awk -F'\t'`).
// `df` does not show a btrfs qgroup limit (btrfs's statfs reports the whole
// file system), so these are where to look; on a tmpfs scratch `df
// /home/work` does show the limit.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::agent {

// Where the quota file lives, relative to the scratch home.
inline constexpr char kQuotaFilePath[] = ".berth/quota";

struct FolderQuotaNote {
  std::string target;                  // mount path in the session
  uint64_t quota_bytes = 0;
  std::optional<uint64_t> used_bytes;  // at session start; unknown where costly to measure
  bool kernel_enforced = false;        // writes fail with EDQUOT past the limit
};

// The session's scratch limit as the node enforces it.
struct ScratchNote {
  uint64_t limit_bytes = 0;  // 0: unbounded
  // "btrfs" (EDQUOT past it), "tmpfs" (ENOSPC), "" (unbounded).
  std::string enforced_by;
};

// "" when no mounted folder has a quota and scratch is unbounded.
std::string QuotaNoticeText(const std::vector<FolderQuotaNote>& notes,
                            const ScratchNote& scratch = {});

// "" when there is nothing to say; else lines ending in '\n'.
std::string QuotaShellNotice(const std::vector<FolderQuotaNote>& notes, const ScratchNote& scratch);

// Always a header; then "scratch" and one "folder" line per note:
// kind, path, quota_bytes, used_bytes ("-": unknown), enforced_by
// ("btrfs", "tmpfs", "kernel", "uploads"; "-" for unbounded scratch).
std::string QuotaFileText(const std::vector<FolderQuotaNote>& notes, const ScratchNote& scratch);

}  // namespace berth::agent

#include "agent/quota_notice.h"

#include <cstdio>

#include "agent/mount_plan.h"

namespace berth::agent {
namespace {

std::string Human(uint64_t bytes) {
  char buf[32];
  const double b = static_cast<double>(bytes);
  if (bytes >= (uint64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1024.0 * 1024.0 * 1024.0));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024.0));
  }
  return buf;
}

std::string ScratchError(const ScratchNote& s) {
  return s.enforced_by == "tmpfs" ? "\"No space left on device\" (ENOSPC)"
                                  : "\"Disk quota exceeded\" (EDQUOT)";
}

}  // namespace

std::string QuotaNoticeText(const std::vector<FolderQuotaNote>& notes, const ScratchNote& scratch) {
  std::string t;
  if (scratch.limit_bytes > 0 && !scratch.enforced_by.empty()) {
    t += "\nScratch limit: " + Human(scratch.limit_bytes) + " (" +
         std::to_string(scratch.limit_bytes) +
         " bytes) for everything written outside the folders\n"
         "(this home and the rest of the container's file system); writes past it fail with\n    " +
         ScratchError(scratch) + ".\n";
  }
  if (notes.empty()) return t;
  t += "\nFolder quotas (use measured when the session started):\n\n";
  for (const auto& n : notes) {
    t += "  " + n.target + ": quota " + Human(n.quota_bytes) + " (" +
         std::to_string(n.quota_bytes) + " bytes)";
    if (n.used_bytes) t += ", used " + Human(*n.used_bytes);
    t += n.kernel_enforced ? "; enforced by the kernel: writes past it fail with\n"
                             "    \"Disk quota exceeded\" (EDQUOT)\n"
                           : "; checked on uploads through Berth only\n";
  }
  t += "\n`df` shows the whole volume, not these limits; `berth folder info NAME` shows\n"
       "the current use. The same numbers are in ~/" +
       std::string(kQuotaFilePath) + ".\n";
  return t;
}

std::string QuotaShellNotice(const std::vector<FolderQuotaNote>& notes, const ScratchNote& scratch) {
  std::string t;
  if (scratch.limit_bytes > 0 && !scratch.enforced_by.empty())
    t += "berth: scratch (outside folders) is limited to " + Human(scratch.limit_bytes) + ".\n";
  for (const auto& n : notes) {
    t += "berth: " + n.target + " has a quota of " + Human(n.quota_bytes);
    if (n.used_bytes) t += ", " + Human(*n.used_bytes) + " used";
    t += ".\n";
  }
  if (!t.empty()) t += "berth: details in ~/" + std::string(kQuotaFilePath) + "\n";
  return t;
}

std::string QuotaFileText(const std::vector<FolderQuotaNote>& notes, const ScratchNote& scratch) {
  std::string t =
      "# Storage limits of this Berth session, measured when it started (bytes; '-': unknown\n"
      "# or none). Columns, tab-separated: kind path quota_bytes used_bytes enforced_by\n";
  const bool bounded = scratch.limit_bytes > 0 && !scratch.enforced_by.empty();
  t += std::string("scratch\t") + kHome + "\t" +
       (bounded ? std::to_string(scratch.limit_bytes) : "-") + "\t-\t" +
       (bounded ? scratch.enforced_by : "-") + "\n";
  for (const auto& n : notes) {
    t += "folder\t" + n.target + "\t" + std::to_string(n.quota_bytes) + "\t" +
         (n.used_bytes ? std::to_string(*n.used_bytes) : "-") + "\t" +
         (n.kernel_enforced ? "kernel" : "uploads") + "\n";
  }
  return t;
}

}  // namespace berth::agent

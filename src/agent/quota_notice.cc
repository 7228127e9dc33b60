#include "agent/quota_notice.h"

#include <cstdio>

namespace berth::agent {
namespace {

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

}  // namespace

std::string QuotaNoticeText(const std::vector<FolderQuotaNote>& notes) {
  if (notes.empty()) return "";
  std::string t = "\nFolder quotas (use measured when the session started):\n\n";
  for (const auto& n : notes) {
    t += "  " + n.target + ": quota " + Mib(n.quota_bytes) + " (" + std::to_string(n.quota_bytes) +
         " bytes)";
    if (n.used_bytes) t += ", used " + Mib(*n.used_bytes);
    t += n.kernel_enforced ? "; enforced by the kernel: writes past it fail with\n"
                             "    \"Disk quota exceeded\" (EDQUOT)\n"
                           : "; checked on uploads through Berth only\n";
  }
  t += "\n`df` shows the whole volume, not these limits; `berth folder info NAME` shows\n"
       "the current use.\n";
  return t;
}

}  // namespace berth::agent

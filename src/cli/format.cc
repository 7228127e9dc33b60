#include "cli/format.h"

#include <ctime>

#include "cli/size.h"
#include "cli/table.h"

namespace berth::cli {

std::string FormatTimestamp(const std::string& ts) {
  if (ts.empty()) return "-";
  std::string s = ts;
  if (s.size() >= 19 && s[10] == 'T') {
    s = s.substr(0, 10) + " " + s.substr(11, 8);
  }
  return s;
}

std::string FormatEpoch(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "-";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string FormatMode(const std::string& type, uint32_t mode) {
  std::string s(10, '-');
  s[0] = type == "dir" ? 'd' : type == "symlink" ? 'l' : type == "file" ? '-' : '?';
  static constexpr char kRwx[] = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) {
    if (mode & (0400u >> i)) s[1 + i] = kRwx[i];
  }
  if (mode & 04000) s[3] = (mode & 0100) ? 's' : 'S';
  if (mode & 02000) s[6] = (mode & 0010) ? 's' : 'S';
  if (mode & 01000) s[9] = (mode & 0001) ? 't' : 'T';
  return s;
}

std::string FoldersTable(const std::vector<api::Folder>& folders, bool trash) {
  std::vector<std::string> headers = {"NAME", "ID",     "VOLUME", "OWNER",
                                      "PERM", "STATUS", "QUOTA",  "CREATED"};
  if (trash) headers.push_back("TRASHED");
  Table t(headers);
  t.AlignRight(6);
  for (const auto& f : folders) {
    std::vector<std::string> row = {f.name,
                                    f.id,
                                    f.volume,
                                    f.owner,
                                    f.permission,
                                    f.status,
                                    f.quota_bytes ? FormatSize(*f.quota_bytes) : "-",
                                    FormatTimestamp(f.created_at)};
    if (trash) row.push_back(FormatTimestamp(f.trashed_at.value_or("")));
    t.AddRow(std::move(row));
  }
  return t.Render();
}

std::string FolderInfo(const api::Folder& f) {
  std::string out;
  auto line = [&out](const char* key, const std::string& value) {
    std::string k = std::string(key) + ":";
    k.resize(12, ' ');
    out += k + value + "\n";
  };
  line("Name", f.name);
  line("ID", f.id);
  line("Volume", f.volume);
  line("Owner", f.owner);
  line("Permission", f.permission);
  line("Status", f.status);
  line("Automount",
       f.automount ? "yes (mounted into every session at /home/work/" + f.name + ")" : "no");
  line("Quota", f.quota_bytes ? FormatSize(*f.quota_bytes) : "none");
  if (f.usage && !f.usage->counted) {
    line("Usage", FormatSize(f.usage->bytes) + " (" + std::to_string(f.usage->bytes) +
                      " bytes, from the volume's quota accounting)");
  } else if (f.usage) {
    line("Usage", FormatSize(f.usage->bytes) + " (" + std::to_string(f.usage->bytes) +
                      " bytes) in " + std::to_string(f.usage->files) + " files, " +
                      std::to_string(f.usage->dirs) + " directories");
  }
  line("Created", FormatTimestamp(f.created_at));
  if (f.trashed_at) line("Trashed", FormatTimestamp(*f.trashed_at));
  return out;
}

std::string FilesTable(const std::vector<api::FileEntry>& entries) {
  Table t({"MODE", "SIZE", "MODIFIED", "NAME"});
  t.AlignRight(1);
  for (const auto& e : entries) {
    bool dir = e.type == "dir";
    t.AddRow({FormatMode(e.type, e.mode), dir ? "-" : FormatSize(e.size), FormatEpoch(e.mtime),
              dir ? e.name + "/" : e.name});
  }
  return t.Render();
}

}  // namespace berth::cli

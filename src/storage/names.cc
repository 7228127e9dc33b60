#include "storage/names.h"

#include <array>
#include <string>

namespace berth::storage {
namespace {

constexpr size_t kMaxNameLength = 64;

// Names that would shadow session configuration when automounted into the
// home directory (SPEC §2).
constexpr std::array<std::string_view, 5> kReservedNames = {".ssh", ".terminfo", ".jupyter",
                                                            ".tmux.conf", ".berth"};

bool IsAllowedChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// True when `name` is "." + one or more [a-z0-9] + `suffix`; that is,
// ^\.[a-z0-9]+<suffix>$ without pulling in <regex>.
bool MatchesDotWordSuffix(std::string_view name, std::string_view suffix) {
  if (name.size() < 1 + 1 + suffix.size()) return false;
  if (name.front() != '.' || !name.ends_with(suffix)) return false;
  std::string_view middle = name.substr(1, name.size() - 1 - suffix.size());
  for (char c : middle) {
    if (!IsLowerAlnum(c)) return false;
  }
  return true;
}

Status Invalid(std::string_view name, std::string why) {
  return InvalidArgument("invalid folder name '" + std::string(name) + "': " + why,
                         "invalid_folder_name");
}

}  // namespace

Status ValidateFolderName(std::string_view name) {
  if (name.empty()) return InvalidArgument("folder name must not be empty", "invalid_folder_name");
  if (name.size() > kMaxNameLength) {
    return InvalidArgument("folder name is " + std::to_string(name.size()) +
                               " characters long; at most 64 are allowed",
                           "invalid_folder_name");
  }
  for (char c : name) {
    if (!IsAllowedChar(c)) {
      // Do not echo control characters or NULs back verbatim.
      return InvalidArgument("folder name may contain only letters, digits, '.', '_' and '-'",
                             "invalid_folder_name");
    }
  }
  if (name == "." || name == "..") return Invalid(name, "'.' and '..' are not folder names");
  if (name.front() == '-') return Invalid(name, "a folder name must not start with '-'");
  for (std::string_view reserved : kReservedNames) {
    if (name == reserved) return Invalid(name, "the name is reserved");
  }
  if (MatchesDotWordSuffix(name, "rc")) {
    return Invalid(name, "names like '.bashrc' (matching ^\\.[a-z0-9]+rc$) are reserved");
  }
  if (MatchesDotWordSuffix(name, "_profile")) {
    return Invalid(name,
                   "names like '.bash_profile' (matching ^\\.[a-z0-9]+_profile$) are reserved");
  }
  return Status::Ok();
}

bool IsAutomountName(std::string_view name) { return !name.empty() && name.front() == '.'; }

Status ValidateSnapshotName(std::string_view name) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid snapshot name '" + std::string(name) + "': " + why,
                           "invalid_snapshot_name");
  };
  if (name.empty() || name.size() > kMaxNameLength) return bad("must be 1 to 64 characters");
  if (name == "." || name == "..") return bad("'.' and '..' are not names");
  for (char c : name) {
    if (!IsAllowedChar(c)) return bad("only letters, digits, '.', '_' and '-' are allowed");
  }
  return Status::Ok();
}

bool IsScheduledSnapshotName(std::string_view name) {
  return name.starts_with(kScheduledSnapshotPrefix);
}

}  // namespace berth::storage

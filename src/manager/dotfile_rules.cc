#include "manager/dotfile_rules.h"

#include <cstdio>
#include <vector>

namespace berth::manager {

Result<std::string> NormalizeDotfilePath(std::string_view path) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("dotfile path '" + std::string(path.substr(0, 200)) + "' " + why,
                           "invalid_path");
  };
  if (path.empty()) return bad("is empty");
  if (path.size() > kMaxDotfilePathBytes) return bad("is too long");
  if (path.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (path.front() == '/') return bad("must be relative to the home directory");
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view c = path.substr(start, end - start);
    if (c.empty()) return bad("has an empty component");
    if (c == "..") return bad("must not contain '..'");
    if (c != ".") kept.push_back(c);
    start = end + 1;
  }
  if (kept.empty()) return bad("names no file");
  if (kept.front() == ".berth") return bad("is under .berth/, which Berth reserves");
  std::string out;
  for (auto c : kept) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

Result<uint32_t> ParseDotfileMode(std::string_view mode, std::string_view path) {
  if (mode.empty()) return path.starts_with(".ssh/") ? 0600u : 0644u;
  uint32_t v = 0;
  bool ok = mode.size() == 3 || mode.size() == 4;
  for (char c : mode) {
    if (c < '0' || c > '7') ok = false;
    v = v * 8 + static_cast<uint32_t>(c - '0');
  }
  if (!ok || v > 0777) {
    return InvalidArgument("mode must be octal 0000 to 0777, like 0644 (got '" +
                               std::string(mode.substr(0, 16)) + "')",
                           "invalid_mode");
  }
  return v;
}

std::string FormatDotfileMode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", mode & 0777);
  return buf;
}

}  // namespace berth::manager

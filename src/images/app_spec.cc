#include "images/app_spec.h"

namespace berth::images {
namespace {

bool HasControl(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

}  // namespace

bool IsValidAppName(const std::string& name) {
  if (name.empty() || name.size() > 32 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

Status ValidateApp(const AppSpec& app) {
  auto bad = [&](const std::string& what) {
    return InvalidArgument("app '" + app.name + "': " + what, "invalid_app");
  };
  if (!IsValidAppName(app.name)) return bad("name must match [a-z][a-z0-9-]{0,31}");
  if (app.display_name.empty() || app.display_name.size() > 64 || HasControl(app.display_name))
    return bad("display_name must be 1-64 printable characters");
  if (app.port == 0) return bad("port must be 1-65535");
  if (app.command.empty() || HasControl(app.command)) return bad("command must be one line");
  return Status::Ok();
}

std::string ExpandAppCommand(const AppSpec& app, uint16_t port, const std::string& base_url) {
  std::string out = app.command;
  ReplaceAll(out, "{port}", std::to_string(port));
  ReplaceAll(out, "{base_url}", base_url);
  return out;
}

}  // namespace berth::images

#include "cli/command_helpers.h"

#include <istream>
#include <ostream>

#include "cli/tty.h"

namespace berth::cli {

using nlohmann::json;

Result<json> ParseObject(const std::string& raw) {
  json j = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Internal("unexpected response from the server: not a JSON object");
  return j;
}

Result<json> ParseList(const std::string& raw, const char* key) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(raw));
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) {
    return Internal(std::string("unexpected response from the server: no \"") + key + "\" list");
  }
  return std::move(*it);
}

std::string Field(const json& obj, const char* key) {
  if (!obj.is_object()) return "-";
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "-";
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    return s.empty() ? "-" : s;
  }
  if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return it->dump();
}

InfoBlock& InfoBlock::Line(const std::string& key, const std::string& value) {
  std::string k = key + ":";
  if (k.size() < 12) k.resize(12, ' ');
  out_ += k + value + "\n";
  return *this;
}

Result<std::string> ReadSecretLine(CliContext& ctx, const std::string& prompt) {
  std::string line;
  {
    // Echo goes off before the prompt shows, so that nothing typed after it is echoed.
    NoEcho no_echo(ctx.stdin_is_tty);
    if (ctx.stdin_is_tty) ctx.err << prompt << std::flush;
    if (!std::getline(ctx.in, line) && line.empty()) {
      return UsageError("nothing to read on stdin");
    }
  }
  if (ctx.stdin_is_tty) ctx.err << "\n";
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace berth::cli

namespace berth::cli {

Status PrintNewToken(CliContext& ctx, const std::string& raw, const std::string& output,
                     const std::string& note) {
  BERTH_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(raw));
  if (!j.contains("token") || !j["token"].is_string()) {
    return Internal("unexpected response from the server: no token");
  }
  if (output == "json") return PrintJson(ctx, raw);
  ctx.out << j["token"].get<std::string>() << "\n";
  ctx.err << note << " (id " << Field(j, "id") << "); it is shown only this once\n";
  return Status::Ok();
}

}  // namespace berth::cli

#include "api/exec_ndjson.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

namespace berth::api {

using nlohmann::json;

namespace {
constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}
}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, kVariant) != 0 ||
      end != text.data() + text.size()) {
    return InvalidArgument("not valid base64", "invalid_base64");
  }
  out.resize(len);
  return out;
}

std::string ExecOutputLine(ExecStreamKind kind, std::string_view bytes) {
  return Dump({{"stream", kind == ExecStreamKind::kStdout ? "stdout" : "stderr"},
               {"data_b64", Base64Encode(bytes)}});
}

std::string ExecExitLine(int exit_code) { return Dump({{"exit_code", exit_code}}); }

std::string ExecTimeoutLine(int exit_code, int64_t timeout_ms) {
  const std::string secs = std::to_string((timeout_ms + 999) / 1000);
  return Dump(
      {{"exit_code", exit_code},
       {"timed_out", true},
       {"error",
        {{"code", "timed_out"},
         {"message", "the command ran past its timeout of " + secs + " s and was stopped"}}}});
}

std::string ExecErrorLine(const Status& error) {
  std::string code = error.reason().empty() ? std::string(CodeName(error.code())) : error.reason();
  return Dump({{"error", {{"code", code}, {"message", error.message()}}}});
}

Result<ExecEvent> ParseExecLine(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  auto bad = [] { return InvalidArgument("unexpected line in the exec stream", "bad_stream"); };
  if (!j.is_object()) return bad();
  ExecEvent e;
  if (auto s = j.find("stream"); s != j.end()) {
    auto d = j.find("data_b64");
    if (!s->is_string() || d == j.end() || !d->is_string()) return bad();
    if (*s == "stdout") {
      e.kind = ExecStreamKind::kStdout;
    } else if (*s == "stderr") {
      e.kind = ExecStreamKind::kStderr;
    } else {
      return bad();
    }
    BERTH_ASSIGN_OR_RETURN(e.data, Base64Decode(d->get<std::string>()));
    return e;
  }
  if (auto c = j.find("exit_code"); c != j.end()) {
    if (!c->is_number_integer()) return bad();
    e.exit_code = c->get<int>();
  }
  e.timed_out = j.value("timed_out", false);
  if (auto err = j.find("error"); err != j.end()) {
    if (!err->is_object()) return bad();
    std::string code = err->value("code", "");
    e.error = Status(Code::kUnavailable, err->value("message", "the exec failed"), code);
  }
  if (!e.final()) return bad();
  return e;
}

}  // namespace berth::api

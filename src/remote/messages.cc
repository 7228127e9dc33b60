#include "remote/messages.h"

#include <nlohmann/json.hpp>

#include "api/exec_ndjson.h"

namespace berth::remote {
namespace {

using nlohmann::json;

Result<json> ParseObject(const std::string& text, const char* what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument(std::string(what) + ": not a JSON object");
  return j;
}

// The string at `key`; "" when absent; InvalidArgument when not a string.
Result<std::string> Str(const json& j, const char* key, const char* what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return InvalidArgument(std::string(what) + ": " + key + " must be a string");
  return it->get<std::string>();
}

Result<std::string> Bytes(const json& j, const char* key, const char* what) {
  BERTH_ASSIGN_OR_RETURN(std::string b64, Str(j, key, what));
  auto bytes = api::Base64Decode(b64);
  if (!bytes.ok()) return InvalidArgument(std::string(what) + ": " + key + " is not base64");
  return std::move(*bytes);
}

Result<bool> Bool(const json& j, const char* key, const char* what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  if (!it->is_boolean()) return InvalidArgument(std::string(what) + ": " + key + " must be a boolean");
  return it->get<bool>();
}

Result<std::vector<std::string>> Strings(const json& j, const char* key, const char* what) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return InvalidArgument(std::string(what) + ": " + key + " must be an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return InvalidArgument(std::string(what) + ": " + key + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string EncodeRegistration(const Registration& r) {
  return Dump({{"session_id", r.session_id}, {"job_id", r.job_id}, {"node", r.node}, {"key", r.key}});
}

Result<Registration> DecodeRegistration(const std::string& text) {
  const char* what = "registration";
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, what));
  Registration r;
  BERTH_ASSIGN_OR_RETURN(r.session_id, Str(j, "session_id", what));
  BERTH_ASSIGN_OR_RETURN(r.job_id, Str(j, "job_id", what));
  BERTH_ASSIGN_OR_RETURN(r.node, Str(j, "node", what));
  BERTH_ASSIGN_OR_RETURN(r.key, Str(j, "key", what));
  if (r.session_id.empty()) return InvalidArgument("registration: session_id is empty");
  return r;
}

std::string EncodeAdmission(const std::optional<std::string>& spec_json) {
  if (!spec_json) return "{\"spec\":null}";
  return "{\"spec\":" + *spec_json + "}";
}

Result<std::optional<std::string>> DecodeAdmission(const std::string& text) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, "admission"));
  auto it = j.find("spec");
  if (it == j.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_object()) return InvalidArgument("admission: spec must be an object");
  return std::optional<std::string>(it->dump());
}

std::string EncodeStatusReport(const StatusReport& s) {
  return Dump({{"status", s.status}, {"reason", s.reason}, {"ip", s.ip}});
}

Result<StatusReport> DecodeStatusReport(const std::string& text) {
  const char* what = "status report";
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, what));
  StatusReport s;
  BERTH_ASSIGN_OR_RETURN(s.status, Str(j, "status", what));
  BERTH_ASSIGN_OR_RETURN(s.reason, Str(j, "reason", what));
  BERTH_ASSIGN_OR_RETURN(s.ip, Str(j, "ip", what));
  if (s.status != "creating" && s.status != "running" && s.status != "error" &&
      s.status != "terminated") {
    return InvalidArgument("status report: unknown status '" + s.status + "'");
  }
  return s;
}

std::string EncodeExecRequest(const runtime::ExecOptions& o) {
  json j = {{"argv", o.argv},
            {"env", o.env},
            {"stdin_base64", api::Base64Encode(o.stdin_data)},
            {"timeout_ms", static_cast<int64_t>(o.timeout.count())}};
  if (o.cwd) j["cwd"] = *o.cwd;
  return Dump(j);
}

Result<runtime::ExecOptions> DecodeExecRequest(const std::string& text) {
  const char* what = "exec request";
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, what));
  runtime::ExecOptions o;
  BERTH_ASSIGN_OR_RETURN(o.argv, Strings(j, "argv", what));
  if (o.argv.empty()) return InvalidArgument("exec request: argv is empty");
  BERTH_ASSIGN_OR_RETURN(o.env, Strings(j, "env", what));
  BERTH_ASSIGN_OR_RETURN(o.stdin_data, Bytes(j, "stdin_base64", what));
  auto t = j.find("timeout_ms");
  if (t != j.end() && !t->is_null()) {
    if (!t->is_number_unsigned()) return InvalidArgument("exec request: timeout_ms must be >= 0");
    o.timeout = std::chrono::milliseconds(t->get<uint64_t>());
  }
  if (j.contains("cwd") && !j["cwd"].is_null()) {
    BERTH_ASSIGN_OR_RETURN(std::string cwd, Str(j, "cwd", what));
    o.cwd = cwd;
  }
  return o;
}

std::string EncodeExecResult(const runtime::ExecResult& r) {
  json j = {{"exit_code", r.exit_code}, {"timed_out", r.timed_out}, {"aborted", r.aborted}};
  if (!r.stdout_data.empty()) j["stdout_base64"] = api::Base64Encode(r.stdout_data);
  if (!r.stderr_data.empty()) j["stderr_base64"] = api::Base64Encode(r.stderr_data);
  return Dump(j);
}

Result<runtime::ExecResult> DecodeExecResult(const std::string& text) {
  const char* what = "exec result";
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, what));
  runtime::ExecResult r;
  auto code = j.find("exit_code");
  if (code == j.end() || !code->is_number_integer()) {
    return InvalidArgument("exec result: exit_code must be an integer");
  }
  r.exit_code = code->get<int>();
  BERTH_ASSIGN_OR_RETURN(r.timed_out, Bool(j, "timed_out", what));
  BERTH_ASSIGN_OR_RETURN(r.aborted, Bool(j, "aborted", what));
  BERTH_ASSIGN_OR_RETURN(r.stdout_data, Bytes(j, "stdout_base64", what));
  BERTH_ASSIGN_OR_RETURN(r.stderr_data, Bytes(j, "stderr_base64", what));
  return r;
}

std::string EncodeError(const Status& s) {
  return Dump({{"code", std::string(CodeName(s.code()))}, {"reason", s.reason()}, {"message", s.message()}});
}

Status DecodeError(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.value("code", json()).is_string()) {
    return Internal("the node agent sent a malformed error");
  }
  const std::string name = j["code"].get<std::string>();
  const std::string reason = j.value("reason", json()).is_string() ? j["reason"].get<std::string>() : "";
  const std::string message =
      j.value("message", json()).is_string() ? j["message"].get<std::string>() : name;
  for (Code c : {Code::kInvalidArgument, Code::kUnauthenticated, Code::kPermissionDenied,
                 Code::kNotFound, Code::kAlreadyExists, Code::kFailedPrecondition,
                 Code::kResourceExhausted, Code::kUnavailable, Code::kInternal}) {
    if (CodeName(c) == name) return Status(c, message, reason == name ? "" : reason);
  }
  return Internal(message, reason);
}

std::string EncodeTermSize(TermSize t) { return Dump({{"cols", t.cols}, {"rows", t.rows}}); }

Result<TermSize> DecodeTermSize(const std::string& text) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, "terminal size"));
  auto in_range = [&j](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_number_unsigned() && *it >= 1 && *it <= 1000;
  };
  if (!in_range("cols") || !in_range("rows")) {
    return InvalidArgument("terminal size: cols and rows must be 1..1000");
  }
  return TermSize{j["cols"].get<uint16_t>(), j["rows"].get<uint16_t>()};
}

std::string EncodeNumber(const char* key, uint64_t v) { return Dump({{key, v}}); }

Result<uint64_t> DecodeNumber(const std::string& text, const char* key) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(text, key));
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) {
    return InvalidArgument(std::string(key) + " must be a non-negative integer");
  }
  return it->get<uint64_t>();
}

}  // namespace berth::remote

#include "manager/rest/handler_util.h"

#include <charconv>

#include "http/websocket.h"
#include "manager/auth_service.h"
#include "manager/exec_slots.h"
#include "manager/rest/auth_http.h"

namespace berth::manager {

using nlohmann::json;

Result<json> ParseJsonObject(const http::Request& req,
                             std::initializer_list<std::string_view> allowed) {
  json j = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr,
                       /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("the request body is not valid JSON", "invalid_json");
  if (!j.is_object()) return InvalidArgument("the request body must be a JSON object", "invalid_json");
  for (const auto& [key, value] : j.items()) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (!ok) return InvalidArgument("unknown field '" + key + "'", "unknown_field");
  }
  return j;
}

Result<std::optional<std::string>> StringField(const json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return InvalidArgument(std::string("field '") + key + "' is required", "missing_field");
    return std::optional<std::string>();
  }
  if (!it->is_string()) {
    return InvalidArgument(std::string("field '") + key + "' must be a string", "invalid_field");
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<bool>> BoolField(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) {
    return InvalidArgument(std::string("field '") + key + "' must be true or false", "invalid_field");
  }
  return std::optional<bool>(it->get<bool>());
}

Result<uint64_t> UintValue(const json& v, std::string_view name, uint64_t max, const char* reason) {
  const std::string field = "field '" + std::string(name) + "'";
  const std::string range = " (0 to " + std::to_string(max) + ")";
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > max) return InvalidArgument(field + " is too large" + range, reason);
    return v.get<uint64_t>();
  }
  if (v.is_number_integer()) return InvalidArgument(field + " must not be negative" + range, reason);
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d < 0) return InvalidArgument(field + " must not be negative" + range, reason);
    if (d >= 9.2e18) return InvalidArgument(field + " is too large" + range, reason);
    return InvalidArgument(field + " must be a whole number" + range, reason);
  }
  return InvalidArgument(field + " must be a non-negative integer" + range, reason);
}

Result<double> NumberValue(const json& v, std::string_view name, double max, const char* reason) {
  const std::string field = "field '" + std::string(name) + "'";
  if (!v.is_number()) return InvalidArgument(field + " must be a number", reason);
  double d = v.get<double>();
  if (!(d >= 0 && d <= max)) {
    return InvalidArgument(field + " must be between 0 and " + std::to_string(static_cast<uint64_t>(max)),
                           reason);
  }
  return d;
}

Result<std::optional<uint64_t>> UintField(const json& j, const char* key, uint64_t max) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<uint64_t>();
  BERTH_ASSIGN_OR_RETURN(uint64_t v, UintValue(*it, key, max));
  return std::optional<uint64_t>(v);
}

Result<bool> QueryBool(const http::Request& req, std::string_view key, bool def) {
  const std::string* v = req.Query(key);
  if (!v) return def;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  return InvalidArgument("query parameter '" + std::string(key) + "' must be true or false",
                         "invalid_query");
}

Result<uint64_t> QueryUint(const http::Request& req, std::string_view key, uint64_t def) {
  const std::string* v = req.Query(key);
  if (!v) return def;
  uint64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (v->empty() || ec != std::errc() || p != v->data() + v->size()) {
    return InvalidArgument("query parameter '" + std::string(key) + "' must be a non-negative integer",
                           "invalid_query");
  }
  return out;
}

std::string QueryString(const http::Request& req, std::string_view key) {
  const std::string* v = req.Query(key);
  return v ? *v : std::string();
}

Result<std::string> RequiredQuery(const http::Request& req, std::string_view key,
                                  std::string_view reason, bool allow_empty) {
  const std::string* v = req.Query(key);
  if (!v || (v->empty() && !allow_empty)) {
    return InvalidArgument("query parameter '" + std::string(key) + "' is required",
                           std::string(reason));
  }
  return *v;
}

// Names that are not UTF-8 travel as name_raw (api/raw_name.h); anything
// else that slips through is replaced rather than turning into a 500.
http::Response JsonResponse(int status, const json& j) {
  return http::Response::Json(status, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

HandlerResult NoContent(const Status& st) {
  BERTH_RETURN_IF_ERROR(st);
  return http::Response::Empty(204);
}

// Refusals that pass if retried later: 429 with Retry-After (SPEC §5)
// instead of the 413 of other ResourceExhausted errors.
struct RetryLater {
  std::string_view reason;
  int64_t retry_after_s;
};
constexpr RetryLater kRetryLater[] = {
    {"rate_limited", AuthService::kLockoutSeconds},       // sign-in lockout
    {"too_many_execs", ExecSlots::kRetryAfterSeconds},  // per-user exec cap
};

http::Response ErrorResponse(const Status& s) {
  http::Response r = http::Response::Error(s);
  const std::string reason = s.reason();
  for (const RetryLater& l : kRetryLater) {
    if (reason == l.reason) {
      r.status = 429;
      r.SetHeader("Retry-After", std::to_string(l.retry_after_s));
    }
  }
  return r;
}

http::Response ToResponse(HandlerResult r) {
  if (!r.ok()) return ErrorResponse(r.status());
  return std::move(r).value();
}

http::Handler Public(PublicHandler h) {
  return [h = std::move(h)](http::Request& req) { return ToResponse(h(req)); };
}

http::Handler Authed(AuthService& auth, AuthedHandler h) {
  return [&auth, h = std::move(h)](http::Request& req) {
    auto p = Authenticate(auth, req);
    if (!p.ok()) return ErrorResponse(p.status());
    req.user_id = p->user_id;  // for the access log
    return ToResponse(h(req, *p));
  };
}

http::UploadHandler AuthedUpload(AuthService& auth, AuthedUploadHandler h) {
  return [&auth, h = std::move(h)](http::Request& req)
             -> std::variant<http::Response, std::unique_ptr<http::BodySink>> {
    auto p = Authenticate(auth, req);
    if (!p.ok()) return ErrorResponse(p.status());
    req.user_id = p->user_id;  // for the access log
    auto sink = h(req, *p);
    if (!sink.ok()) return ErrorResponse(sink.status());
    return std::move(sink).value();
  };
}

http::WebSocketHandler AuthedWebSocket(AuthService& auth, AuthedWebSocketHandler h) {
  return [&auth, h = std::move(h)](http::Request& req)
             -> std::variant<http::Response, std::shared_ptr<http::WebSocketSession>> {
    auto p = Authenticate(auth, req, /*websocket=*/true);
    if (!p.ok()) return ErrorResponse(p.status());
    req.user_id = p->user_id;
    auto session = h(req, *p);
    if (!session.ok()) return ErrorResponse(session.status());
    return std::move(session).value();
  };
}

}  // namespace berth::manager

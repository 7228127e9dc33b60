#include "api/error_mapping.h"

#include <cstdlib>
#include <string_view>

#include "api/json.h"

namespace berth::api {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kFailedPrecondition: return 409;
    case Code::kResourceExhausted: return 413;
    case Code::kUnavailable: return 503;
    case Code::kInternal: return 500;
  }
  return 500;
}

namespace {
constexpr std::string_view kAvailableMarker = "quota_exceeded;available_bytes=";
}  // namespace

Status QuotaExceeded(std::string message, uint64_t available_bytes) {
  return Status(Code::kResourceExhausted, std::move(message),
                std::string(kAvailableMarker) + std::to_string(available_bytes));
}

ErrorCodeParts SplitErrorCode(const Status& s) {
  std::string reason = s.reason();
  if (reason.rfind(kAvailableMarker, 0) != 0) return {std::move(reason), std::nullopt};
  return {"quota_exceeded",
          std::strtoull(reason.c_str() + kAvailableMarker.size(), nullptr, 10)};
}

static Code CodeForHttp(int http) {
  switch (http) {
    case 400: return Code::kInvalidArgument;
    case 401: return Code::kUnauthenticated;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kAlreadyExists;
    case 413: return Code::kResourceExhausted;
    case 503: return Code::kUnavailable;
    default: return http >= 400 && http < 500 ? Code::kInvalidArgument : Code::kInternal;
  }
}

// A message may quote a file name that is not UTF-8: replace, never throw.
std::string ErrorBody(const Status& s) {
  return ErrorJson(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status StatusFromHttp(int http_status, const std::string& body) {
  Code code = CodeForHttp(http_status);
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    std::string reason = e.value("code", std::string());
    if (http_status == 409 && reason == "failed_precondition") code = Code::kFailedPrecondition;
    return Status(code, e.value("message", std::string("HTTP ") + std::to_string(http_status)),
                  reason);
  }
  std::string msg = "HTTP " + std::to_string(http_status);
  if (!body.empty()) msg += ": " + body.substr(0, 200);
  return Status(code, msg);
}

}  // namespace berth::api

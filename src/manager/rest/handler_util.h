// Helpers shared by the REST handlers (one file per resource beside this
// one): strict JSON body parsing, query parameters, JSON replies, and the
// adapters that turn a handler into an http::Router handler.
//
// Handlers return a HandlerResult: a Response, or the Status that went
// wrong (unwrap with BERTH_ASSIGN_OR_RETURN / BERTH_RETURN_IF_ERROR). A
// Status becomes an HTTP error response in exactly one place,
// ErrorResponse, called only by the adapters below (Authed, Public,
// AuthedUpload, AuthedWebSocket, ResultSink). Include only from handler .cc
// files (pulls in nlohmann/json).
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "http/request.h"
#include "http/router.h"
#include "manager/principal.h"

namespace berth::http {
class WebSocketSession;
}

namespace berth::manager {

class AuthService;

using HandlerResult = Result<http::Response>;

// Parses the body as a JSON object whose keys are all in `allowed`
// (unknown fields are refused: a typo must not be silently ignored).
Result<nlohmann::json> ParseJsonObject(const http::Request& req,
                                       std::initializer_list<std::string_view> allowed);
// A string field; `required` makes absence an error.
Result<std::optional<std::string>> StringField(const nlohmann::json& j, const char* key,
                                               bool required);
Result<std::optional<bool>> BoolField(const nlohmann::json& j, const char* key);

// Every integer in a request body ends up as an int64 somewhere below us
// (SQLite, the OCI spec, Docker's API), so that is the default range; a value
// outside it, negative, fractional, or too large for JSON's integers (which
// nlohmann parses as a double) is a 400 naming the field, never a 500.
inline constexpr uint64_t kMaxJsonUint = 0x7fffffffffffffffULL;
// No host has more CPUs; keeps cpus * 1e9 (Docker's NanoCpus) in an int64.
inline constexpr double kMaxJsonCpus = 65536;
// `v` as an integer in [0, max]; `name` is how the message names it.
Result<uint64_t> UintValue(const nlohmann::json& v, std::string_view name,
                           uint64_t max = kMaxJsonUint, const char* reason = "invalid_field");
// `v` as a finite number in [0, max].
Result<double> NumberValue(const nlohmann::json& v, std::string_view name, double max,
                           const char* reason = "invalid_field");
// The field `key` of `j` by UintValue; absent or null gives no value.
Result<std::optional<uint64_t>> UintField(const nlohmann::json& j, const char* key,
                                          uint64_t max = kMaxJsonUint);

// "true"/"false"/"1"/"0"; absent gives `def`.
Result<bool> QueryBool(const http::Request& req, std::string_view key, bool def);
Result<uint64_t> QueryUint(const http::Request& req, std::string_view key, uint64_t def);
std::string QueryString(const http::Request& req, std::string_view key);
// The query parameter `key`; InvalidArgument (reason `reason`) when absent,
// or when empty unless `allow_empty`.
Result<std::string> RequiredQuery(const http::Request& req, std::string_view key,
                                  std::string_view reason, bool allow_empty = false);

http::Response JsonResponse(int status, const nlohmann::json& j);
// JSON of `r`'s value with `status`, or its error.
template <typename T>
HandlerResult Reply(int status, const Result<T>& r) {
  if (!r.ok()) return r.status();
  return JsonResponse(status, nlohmann::json(*r));
}
// 204 No Content, or the error.
HandlerResult NoContent(const Status& st);

// The SPEC §5 error response for `s`: the one place a handler's Status
// becomes HTTP. A sign-in refused for too many failures and an exec over
// the per-user cap (manager/exec_slots.h) are 429 with Retry-After.
http::Response ErrorResponse(const Status& s);
// `r`'s Response, or ErrorResponse of its error.
http::Response ToResponse(HandlerResult r);

using PublicHandler = std::function<HandlerResult(http::Request&)>;
using AuthedHandler = std::function<HandlerResult(http::Request&, const Principal&)>;
using AuthedUploadHandler =
    std::function<Result<std::unique_ptr<http::BodySink>>(http::Request&, const Principal&)>;
using AuthedWebSocketHandler = std::function<Result<std::shared_ptr<http::WebSocketSession>>(
    http::Request&, const Principal&)>;

// An endpoint that needs no credentials (or checks its own, e.g. a signed link).
http::Handler Public(PublicHandler h);
// Authenticate the caller (rest/auth_http.h), then call `h`; 401 otherwise.
http::Handler Authed(AuthService& auth, AuthedHandler h);
http::UploadHandler AuthedUpload(AuthService& auth, AuthedUploadHandler h);
// WebSocket upgrades check the Origin instead of a CSRF token.
http::WebSocketHandler AuthedWebSocket(AuthService& auth, AuthedWebSocketHandler h);

// A BodySink whose result is a HandlerResult (mapped by ErrorResponse).
class ResultSink : public http::BodySink {
 public:
  http::Response Finish() final { return ToResponse(Commit()); }

 protected:
  // Called once the whole body is in (on a worker thread).
  virtual HandlerResult Commit() = 0;
};

}  // namespace berth::manager

// Helpers shared by the REST handlers: strict JSON body parsing, query
// parameters, JSON responses, and the authentication wrapper that every
// non-public endpoint goes through. Include only from handler .cc files
// (pulls in nlohmann/json).
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "http/request.h"
#include "http/router.h"
#include "manager/principal.h"

namespace berth::manager {

class AuthService;

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

http::Response JsonResponse(int status, const nlohmann::json& j);
// The response for `r`: JSON of its value with `status`, or the error.
template <typename T>
http::Response Reply(int status, const Result<T>& r) {
  if (!r.ok()) return http::Response::Error(r.status());
  return JsonResponse(status, nlohmann::json(*r));
}

using AuthedHandler = std::function<http::Response(http::Request&, const Principal&)>;
using AuthedUploadHandler = std::function<std::variant<http::Response, std::unique_ptr<http::BodySink>>(
    http::Request&, const Principal&)>;
// Authenticates the caller, then calls `h`; 401 otherwise.
http::Handler Authed(AuthService& auth, AuthedHandler h);
http::UploadHandler AuthedUpload(AuthService& auth, AuthedUploadHandler h);

}  // namespace berth::manager

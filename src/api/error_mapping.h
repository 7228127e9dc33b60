// The one place where a Status becomes an HTTP status code and back (SPEC §5
// "Errors"). The server uses HttpStatusFor; the CLI uses StatusFromHttp to
// turn an error response into a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace berth::api {

int HttpStatusFor(Code code);
// The error body of SPEC §5 for `s`, serialised.
std::string ErrorBody(const Status& s);
// Parses an error response (status code + body) into a Status. Bodies that
// are not SPEC error bodies still give a Status with a readable message.
Status StatusFromHttp(int http_status, const std::string& body);

// A write refused for want of room (HTTP 413, code "quota_exceeded"): its
// error body also carries `available_bytes` (SPEC §5). Status has no
// detail field, so the number travels in the reason after a marker that
// ErrorJson (api/json.cc) takes off again; nothing else reads it.
Status QuotaExceeded(std::string message, uint64_t available_bytes);
// The code and the available bytes of a QuotaExceeded status; for any other
// status its reason and no bytes.
struct ErrorCodeParts {
  std::string code;
  std::optional<uint64_t> available_bytes;
};
ErrorCodeParts SplitErrorCode(const Status& s);

}  // namespace berth::api

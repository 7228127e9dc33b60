// The body of POST /api/v1/sessions (SPEC §3 "Sessions", §5) as a validated
// agent::ValidSessionRequest: JSON shape here (unknown fields, types, the
// "folder[:target][:ro|rw]" string form of a mount), every value rule in
// agent::ValidateSessionRequest. The create handler calls this once and
// hands the result to SessionService::Create. Thread-safe (pure).
#pragma once

#include "agent/session_request.h"
#include "common/result.h"

namespace berth::http {
struct Request;
}

namespace berth::manager {

// InvalidArgument with reason invalid_json/unknown_field/invalid_field/
// invalid_mount/invalid_resources/invalid_env for a malformed body, or the
// validator's refusal.
Result<agent::ValidSessionRequest> ParseSessionRequest(const http::Request& req);

}  // namespace berth::manager

// The one place where a Status becomes an HTTP status code and back (SPEC §5
// "Errors"). The server uses HttpStatusFor; the CLI uses StatusFromHttp to
// turn an error response into a Status.
#pragma once

#include <string>

#include "common/status.h"

namespace berth::api {

int HttpStatusFor(Code code);
// The error body of SPEC §5 for `s`, serialised.
std::string ErrorBody(const Status& s);
// Parses an error response (status code + body) into a Status. Bodies that
// are not SPEC error bodies still give a Status with a readable message.
Status StatusFromHttp(int http_status, const std::string& body);

}  // namespace berth::api

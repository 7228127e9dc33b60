// Percent-encoding (RFC 3986 §2.1) for URL path segments and query values:
// the one encoder used by the REST server (http/), the CLI (cli/) and the
// Docker Engine client (runtime/). Decoding is the server's business and
// lives in http/url.h. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace berth {

// Encodes every byte except RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~) as %XX (upper-case hex). '/' is kept when
// `keep_slash`. '+' is always encoded: servers decode '+' in queries as a
// space.
std::string PercentEncode(std::string_view s, bool keep_slash = false);

}  // namespace berth

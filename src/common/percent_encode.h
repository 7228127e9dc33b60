// Percent-encoding (RFC 3986 §2.1) for URL path segments and query values:
// the one encoder and decoder, used by the REST server (http/), the lossless
// form of non-UTF-8 file names (api/raw_name.h), the CLI (cli/) and the
// Docker Engine client (runtime/). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth {

// Encodes every byte except RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~) as %XX (upper-case hex). '/' is kept when
// `keep_slash`. '+' is always encoded: servers decode '+' in queries as a
// space.
std::string PercentEncode(std::string_view s, bool keep_slash = false);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, for query
// strings); nullopt for a truncated or non-hex escape. Any byte may come out,
// NUL included: callers that need a path check it themselves.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space = false);

}  // namespace berth

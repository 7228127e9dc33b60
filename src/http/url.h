// Percent-decoding and query-string parsing for request targets. Pure
// functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http {

// Decodes %XX escapes (and '+' as space when `plus_is_space`). nullopt on a
// malformed escape.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);
// Encodes everything except unreserved characters (RFC 3986) and, when
// `keep_slash`, '/'.
std::string PercentEncode(std::string_view s, bool keep_slash = false);
// "a=1&b=x%20y" → {a:1, b:"x y"}; nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view q);
// Splits a raw path on '/' and decodes each segment; nullopt on a malformed
// escape. "/api/v1/x" → {"api","v1","x"}; empty segments are kept except the
// leading one.
std::optional<std::vector<std::string>> SplitPathSegments(std::string_view raw_path);

}  // namespace berth::http

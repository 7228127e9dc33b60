// Percent-decoding and query-string parsing for request targets. Pure
// functions; thread-safe. The encoder is common/percent_encode.h.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/percent_encode.h"

namespace berth::http {

// Decodes %XX escapes (and '+' as space when `plus_is_space`). nullopt on a
// malformed escape.
using ::berth::PercentDecode;
using ::berth::PercentEncode;
// "a=1&b=x%20y" → {a:1, b:"x y"}; nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(std::string_view q);
// Splits a raw path on '/' and decodes each segment; nullopt on a malformed
// escape. "/api/v1/x" → {"api","v1","x"}; empty segments are kept except the
// leading one.
std::optional<std::vector<std::string>> SplitPathSegments(std::string_view raw_path);

}  // namespace berth::http

// Request ids (X-Request-Id): one per HTTP request, echoed on the response
// and written in the access log, so a client's report can be matched to a
// log line. An incoming id is kept when it is sane, else one is minted.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace berth {

inline constexpr size_t kMaxRequestIdLength = 128;

// 1..128 characters of [A-Za-z0-9._:-] (what proxies and tracing systems
// mint: UUIDs, hex, base32), so the id is safe in a header, a log line and
// a JSON string.
bool IsValidRequestId(std::string_view id);
// A fresh random id: 32 lower-case hex digits.
std::string MintRequestId();
// `incoming` when valid, else a fresh one.
std::string RequestIdFor(std::string_view incoming);

}  // namespace berth

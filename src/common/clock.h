// Wall-clock helpers. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace berth {

// Now as RFC 3339 UTC with seconds, e.g. "2026-11-27T17:00:00Z".
std::string NowRfc3339();
// Seconds since the epoch, formatted as RFC 3339 UTC.
std::string FormatRfc3339(int64_t unix_seconds);
int64_t NowUnix();

}  // namespace berth

#include "common/clock.h"

#include <ctime>

namespace berth {

int64_t NowUnix() { return static_cast<int64_t>(std::time(nullptr)); }

std::string FormatRfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NowRfc3339() { return FormatRfc3339(NowUnix()); }

}  // namespace berth

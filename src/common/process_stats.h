// ProcessStats: the standard process_* metrics of this process, read from
// /proc when scraped (resident memory, open and maximum descriptors, start
// time). Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "common/result.h"

namespace berth {

struct ProcessStats {
  uint64_t resident_bytes = 0;
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;           // RLIMIT_NOFILE soft limit
  double start_time_seconds = 0;  // since the Unix epoch
  double cpu_seconds = 0;         // user + system
};

// Reads /proc/self/{statm,fd,stat} and /proc/stat.
Result<ProcessStats> ReadProcessStats();

}  // namespace berth

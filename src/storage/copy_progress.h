// How far a streamed copy of a folder (a clone on a volume without
// snapshots) has got, reported as it goes: after each file and after each
// chunk of a large one. The callback runs on the copying thread; it must be
// quick (callers throttle what they do with it). Thread-safe: plain values.
#pragma once

#include <cstdint>
#include <functional>

namespace berth::storage {

struct CopyProgress {
  uint64_t bytes = 0;  // file bytes copied (or reflinked) so far
  uint64_t files = 0;  // regular files finished so far
};

// Empty: nobody is listening.
using CopyProgressFn = std::function<void(const CopyProgress&)>;

}  // namespace berth::storage

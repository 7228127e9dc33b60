// How far a streamed copy of a folder (a clone on a volume without
// snapshots) has got, reported as it goes: after each file and after each
// chunk of a large one. The callback runs on the copying thread; it must be
// quick (callers throttle what they do with it); it answers false to stop
// the copy (the copy then fails with reason "copy_stopped"). Thread-safe:
// plain values.
#pragma once

#include <cstdint>
#include <functional>

namespace berth::storage {

struct CopyProgress {
  uint64_t bytes = 0;  // file bytes copied (or reflinked) so far
  uint64_t files = 0;  // regular files finished so far
};

// Empty: nobody is listening (and nobody stops the copy). True: go on.
using CopyProgressFn = std::function<bool(const CopyProgress&)>;

}  // namespace berth::storage

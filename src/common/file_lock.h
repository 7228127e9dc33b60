// FileLock: an exclusive flock(2) on a lock file, held for the object's
// lifetime (move-only). Serialises processes (and threads holding their own
// FileLock) around a directory they share: the image store's per-image
// locks, the session network's address leases (CNI host-local's `lock`).
//
// Thread-safety: one FileLock per holder; Acquire is thread-safe.
#pragma once

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth {

class FileLock {
 public:
  // Opens (creating, mode 0600) `path` and blocks until it holds the lock.
  static Result<FileLock> Acquire(const std::string& path);

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it drops the lock
};

}  // namespace berth

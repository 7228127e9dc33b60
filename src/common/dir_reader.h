// DirReader streams the entries of one open directory with getdents64 into
// a reusable buffer; no per-entry allocation and no stat calls, so walking
// large trees costs about what `du` pays for directory reads. "." and ".."
// are skipped. Used by the storage walkers and the tree remover.
//
// Not thread-safe: one DirReader per walker. It owns its fd.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth {

struct DirEntry {
  std::string_view name;  // valid until the next call to Next()/Rewind()
  uint64_t ino = 0;
  unsigned char type = 0;  // DT_* (DT_UNKNOWN on file systems without d_type)
};

class DirReader {
 public:
  // REQUIRES: `fd` is a directory opened for reading (not O_PATH).
  explicit DirReader(UniqueFd fd, size_t buffer_bytes = 32 * 1024);
  DirReader(DirReader&&) = default;
  DirReader& operator=(DirReader&&) = default;

  int fd() const { return fd_.get(); }

  // Fills `*entry` and returns true, or returns false at the end.
  Result<bool> Next(DirEntry* entry);
  // Starts over from the first entry.
  Status Rewind();

 private:
  UniqueFd fd_;
  size_t cap_;
  std::unique_ptr<char[]> buf_;
  size_t len_ = 0;
  size_t pos_ = 0;
};

}  // namespace berth

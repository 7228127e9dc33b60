// Extraction of a directory download (a tar stream from the server) into a
// local directory, with libarchive's secure extraction flags
// (ARCHIVE_EXTRACT_SECURE_NODOTDOT | SECURE_SYMLINKS | SECURE_NOABSOLUTEPATHS):
// no entry may climb out with "..", be absolute, or be written through a
// symlink. Only directories, regular files, symlinks and hard links are
// extracted; set-id and sticky bits are dropped; owners are not restored.
//
// NOT thread-safe: extraction runs with the process's working directory
// switched to the destination (restored before returning), so that entry
// names stay relative and SECURE_NOABSOLUTEPATHS can hold.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"

namespace berth::cli {

// Pulls the next bytes of the stream; 0 at the end.
using ReadFn = std::function<Result<size_t>(char* buf, size_t cap)>;

struct ExtractStats {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t bytes = 0;  // regular file content
};

// Extracts into `dest_dir` (which must exist). Archives whose first entry is
// a directory named `top_name` (the server may put everything under the
// downloaded directory's name) have that prefix stripped, so the contents of
// the downloaded directory land directly in `dest_dir` either way.
Result<ExtractStats> ExtractTar(const ReadFn& read, const std::string& dest_dir,
                                const std::string& top_name);

}  // namespace berth::cli

// RemoveTreeAt: rm -rf for trees that a session (or any user) filled, and so
// may have shaped to defeat the remover. The attacks it is written against:
//  - depth: 25,000 nested directories (far past PATH_MAX in total) must not
//    exhaust descriptors, the stack or memory. The walk is iterative and holds
//    at most RemoveTreeLimits::max_open_dirs directory fds; a subdirectory
//    deeper than that (or met when open() says EMFILE) is renamed up into the
//    top directory being removed, so any depth costs bounded fds and memory
//    (one 8 KiB getdents buffer per held level, no paths are ever built);
//  - width: a directory with millions of entries is streamed with getdents64,
//    never listed into memory;
//  - symlinks: every open is openat2(RESOLVE_NO_SYMLINKS) of one name
//    relative to its already-open parent, and entries are removed with
//    unlinkat on that fd, so a symlink (to /, to another user's folder) is
//    unlinked itself and its target never touched;
//  - mounts: RESOLVE_NO_XDEV, so the walk never descends into a mount point
//    beneath the tree (it fails on that entry instead);
//  - error floods: the walk is best effort (it removes what it can and goes
//    on), and the Status it returns carries the first failure plus a count,
//    at most kMaxRemoveErrorBytes long, with non-printable bytes of names
//    replaced, so a user cannot make an error message huge or invalid UTF-8.
//
// Thread-safe (no shared state). Concurrent writers in the tree may make it
// fail, never make it act outside the tree.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"

namespace berth {

struct RemoveTreeLimits {
  // Directory fds held at once, besides the caller's `parent_fd` (at least 2).
  size_t max_open_dirs = 32;
  // Entries that could not be removed before the walk stops trying.
  size_t max_errors = 256;
};

inline constexpr size_t kMaxRemoveErrorBytes = 1024;

// Turns a failed call on entry `name` (sanitised, at most 255 bytes) into a
// Status. ErrnoStatus is the default; storage passes its PathErrnoStatus.
using RemoveErrorFn = Status (*)(std::string_view name, int err);

// Removes `name` inside the directory `parent_fd` and, if it is a directory,
// everything beneath it. A missing `name` is err_fn(name, ENOENT).
// On failure the Status has the code and reason of the first failure and a
// message of the form "<first failure> (and N more errors)".
Status RemoveTreeAt(int parent_fd, std::string_view name, const RemoveTreeLimits& limits = {},
                    RemoveErrorFn err_fn = &ErrnoStatus);

// Removes everything inside the open directory `dir_fd` (not the directory
// itself), entry by entry with RemoveTreeAt; the error counts add up.
Status RemoveTreeContentsAt(int dir_fd, const RemoveTreeLimits& limits = {},
                            RemoveErrorFn err_fn = &ErrnoStatus);

}  // namespace berth

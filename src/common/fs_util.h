// Small file-system helpers shared by the runtime, images and agent modules:
// directory creation, whole-file read/atomic write, and a careful recursive
// remove. Thread-safe (no shared state); results depend on the file system.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace berth {

// mkdir -p; existing directories are fine. New directories get `mode`.
Status MkdirAll(const std::string& path, mode_t mode = 0755);
// An empty directory (`mode`) or file (`mode` without execute bits) at
// `path` to bind-mount something on; fails if `path` exists.
Status MakeMountPoint(const std::string& path, bool directory, mode_t mode);

// The whole file; NotFound when it does not exist.
Result<std::string> ReadFile(const std::string& path);
// The file a piece (up to 64 KiB) at a time, in order, for files that need
// not fit in memory; NotFound when it does not exist.
Status ReadFileChunks(const std::string& path,
                      const std::function<void(std::string_view piece)>& sink);

// Writes `data` to a temp file beside `path`, fsyncs, sets `mode` and renames
// it over `path`, so readers see the old or the new contents, never a mix.
// `durable` = false skips the fsync: for files that are worthless after a
// host crash anyway (a session's bundle, rebuilt or reconciled away).
Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode = 0644,
                       bool durable = true);

// rm -rf that never follows a symlink and never descends into another mount:
// if any mount point lies at or beneath `path` it removes nothing there and
// returns FailedPrecondition (reason "mount_point_in_tree"). This is what
// keeps a leftover bind mount of a user's folder from being emptied by a
// cleanup. A missing `path` is OK. Any depth and width with bounded fds and
// memory, best effort, bounded error message: see common/tree_remove.h.
Status RemoveTree(const std::string& path);

// Mount points at or beneath `path` (from /proc/self/mountinfo), deepest
// first, so they can be unmounted in order.
std::vector<std::string> MountPointsUnder(const std::string& path);

// Lexically normalised absolute path: collapses "//" and "/./", strips a
// trailing "/". ".." components are kept (callers that must refuse them do).
std::string CleanPath(const std::string& path);

}  // namespace berth

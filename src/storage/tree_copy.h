// Internal to storage: copies a folder's tree into a new, empty directory
// for clones on volumes without snapshots. Regular files are reflinked
// (FICLONE) where the file system shares extents, else copied in the
// kernel (copy_file_range); directories and symlinks are re-created; FIFOs,
// sockets and devices are skipped. Modes, owners and mtimes are kept.
// Never follows a symlink; bounded descriptors (one per level, depth-capped).
//
// A folder in use while it is copied gives a copy that is consistent per
// file only (each file as it was at some moment during the copy).
// Thread-safe (no shared state).
#pragma once

#include <string>

#include "common/status.h"

namespace berth::storage {

// REQUIRES: src_dir and dst_dir are directories opened O_RDONLY; dst_dir
// is empty.
Status CopyTree(int src_dir, int dst_dir);

// Copies the one entry `name` of src_dir (a file, a symlink as a symlink,
// or a directory with everything beneath it) as the new `dst_name` in
// dst_dir. NotFound if `name` is missing; InvalidArgument for a FIFO,
// socket or device. Used to restore a path from a snapshot.
Status CopyEntryTree(int src_dir, const std::string& name, int dst_dir,
                     const std::string& dst_name);

}  // namespace berth::storage

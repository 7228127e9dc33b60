// Internal to storage: recursive removal that never follows a symlink.
// Thread-safe (no shared state); concurrent writers in the tree may make it
// fail, never make it leave the tree.
#pragma once

#include <string>

#include "common/status.h"

namespace berth::storage {

// Removes `name` inside the directory `parent_fd` and, if it is a directory,
// everything beneath it. Each directory is opened with
// openat(O_DIRECTORY|O_NOFOLLOW) relative to its already-open parent, and
// entries are removed with unlinkat on that fd, so a symlink anywhere in the
// tree is unlinked itself and its target is never touched. At most
// kMaxRemoveDepth directory fds are held: a subdirectory deeper than that is
// first renamed up into the top directory being removed (still inside the
// tree), so arbitrarily deep trees are removed with bounded fds.
// NotFound if `name` does not exist.
Status RemoveTree(int parent_fd, const std::string& name);

inline constexpr size_t kMaxRemoveDepth = 64;

}  // namespace berth::storage

// Internal to storage: recursive removal of a folder path that never follows
// a symlink, with bounded descriptors and memory at any depth (see
// common/tree_remove.h for the attacks it is written against).
// Thread-safe (no shared state); concurrent writers in the tree may make it
// fail, never make it leave the tree.
#pragma once

#include <string>

#include "common/status.h"

namespace berth::storage {

// Removes `name` inside the directory `parent_fd` and, if it is a directory,
// everything beneath it: RemoveTreeAt with errors mapped by PathErrnoStatus.
// NotFound if `name` does not exist.
Status RemoveTree(int parent_fd, const std::string& name);

}  // namespace berth::storage

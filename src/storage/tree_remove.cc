#include "storage/tree_remove.h"

#include "common/tree_remove.h"
#include "storage/fs_errors.h"

namespace berth::storage {

Status RemoveTree(int parent_fd, const std::string& name) {
  return RemoveTreeAt(parent_fd, name, RemoveTreeLimits{}, &PathErrnoStatus);
}

}  // namespace berth::storage

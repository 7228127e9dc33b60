// Internal to storage: turning a failed file-system call on a folder path
// into a Status with a reason the API can show. Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "common/status.h"

namespace berth::storage {

// Maps errno from resolving or acting on `path` (an API path, shown in the
// message) to a Status:
//   ENOENT -> NotFound; EEXIST/ENOTEMPTY -> AlreadyExists;
//   EXDEV, ELOOP -> InvalidArgument "path_escapes_folder" (openat2 resolution
//   refused a step that leaves the folder); ENOTDIR -> FailedPrecondition
//   "not_a_directory"; EISDIR -> FailedPrecondition "is_a_directory";
//   EACCES/EPERM -> PermissionDenied; ENAMETOOLONG -> InvalidArgument
//   "invalid_path"; ENOSPC/EDQUOT -> ResourceExhausted; else Internal.
Status PathErrnoStatus(std::string_view path, int err);

}  // namespace berth::storage

#include "storage/fs_errors.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace berth::storage {

Status PathErrnoStatus(std::string_view path, int err) {
  std::string p = "'" + std::string(path) + "'";
  switch (err) {
    case ENOENT:
      return NotFound(p + " does not exist");
    case EEXIST:
    case ENOTEMPTY:
      return AlreadyExists(p + " already exists");
    case EXDEV:
    case ELOOP:
      return InvalidArgument(p + " resolves outside the folder", "path_escapes_folder");
    case ENOTDIR:
      return FailedPrecondition("a component of " + p + " is not a directory", "not_a_directory");
    case EISDIR:
      return FailedPrecondition(p + " is a directory", "is_a_directory");
    case EACCES:
    case EPERM:
      return PermissionDenied("permission denied on " + p);
    case ENAMETOOLONG:
      return InvalidArgument(p + " is too long", "invalid_path");
    case EDQUOT:
      return ResourceExhausted("disk quota exceeded writing " + p, "quota_exceeded");
    case ENOSPC:
      return ResourceExhausted("no space left on the volume writing " + p, "no_space");
    default:
      return Internal(p + ": " + std::strerror(err));
  }
}

}  // namespace berth::storage

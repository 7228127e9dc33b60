// PathGuard: the one safe resolver for paths inside a folder (SPEC §2 "Path
// safety"). Every file operation on folder contents goes through it.
//
// Sessions write into folders, so a folder may contain symlinks (to /etc, to
// another user's folder on the same volume, to "../../"), FIFOs, sockets and
// hard links. API paths are resolved with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) relative to an O_PATH descriptor of
// the folder root, so the kernel refuses any step that would leave the root,
// and the final component is always acted on with *at() calls on its parent
// (unlinkat, renameat2, mkdirat) so a planted symlink is removed or renamed
// itself, never followed. Reads open with O_NONBLOCK|O_NOFOLLOW and fstat the
// result, refusing anything but a regular file (a FIFO would block, a device
// would leak).
//
// A PathGuard holds one directory fd; it is immutable after Open and safe to
// use from several threads.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth::storage {

// Splits an API path ("a/b/c") into components, rejecting (InvalidArgument,
// reason "invalid_path"): absolute paths, "..", NUL bytes, components over
// 255 bytes, paths over 4096 bytes. "", "." and "./" mean the folder root
// (no components); repeated and trailing slashes are collapsed; "." inside a
// path is dropped.
Result<std::vector<std::string>> SplitPath(std::string_view path);

class PathGuard {
 public:
  // Opens the folder root (must be a real directory, not a symlink).
  static Result<PathGuard> Open(const std::string& root);

  int root_fd() const { return root_.get(); }

  // Opens `components` beneath the root with openat2 (flags as for openat;
  // O_NOFOLLOW is implied for the last component unless follow_last).
  // NotFound when a component is missing, InvalidArgument (reason
  // "path_escapes_folder") when resolution would leave the folder,
  // InvalidArgument (reason "is_a_symlink") when the last component is a
  // symlink that O_NOFOLLOW refused (O_PATH opens give the link itself),
  // FailedPrecondition ("not_a_directory") when a component is not one.
  Result<UniqueFd> OpenBeneath(const std::vector<std::string>& components, int flags,
                               mode_t mode = 0) const;
  // As above; with `follow_last` a symlink as the last component is followed
  // as long as it resolves inside the folder (the same rule as for the
  // intermediate components). An empty `components` opens the root itself.
  Result<UniqueFd> OpenBeneath(const std::vector<std::string>& components, int flags, mode_t mode,
                               bool follow_last) const;

  // Opens the parent directory of the last component (O_PATH|O_DIRECTORY).
  // REQUIRES: !components.empty()
  Result<UniqueFd> OpenParent(const std::vector<std::string>& components) const;

 private:
  explicit PathGuard(UniqueFd root) : root_(std::move(root)) {}
  UniqueFd root_;
};

}  // namespace berth::storage

// Internal to storage: small helpers shared by the FolderFs operation files
// (folder_fs.cc, folder_upload.cc, folder_archive.cc, folder_usage.cc).
// Pure functions or single syscalls; thread-safe.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/status.h"

namespace berth::storage {

// "file", "dir", "symlink" or "other" for a st_mode.
const char* FileTypeName(mode_t mode);

api::FileEntry EntryFromStat(std::string name, const struct stat& st);

// "a/b/c" for {"a","b","c"}; "" for the root.
std::string JoinComponents(const std::vector<std::string>& components);

// When running as root, gives `fd` (a file or directory we just created) to
// the owner of the folder root so the session user can still change it.
// A file system that refuses (EPERM, e.g. NFS root_squash) is tolerated: the
// file then keeps the server-side owner.
Status ChownToFolderOwner(int root_fd, int fd);

// InvalidArgument unless `name` may be created by the API: our own temp
// names (".berth-upload-*") are reserved so uploads cannot collide with them.
Status CheckCreatableName(std::string_view name);

}  // namespace berth::storage

#include "storage/folder_internal.h"

#include <unistd.h>

#include <cerrno>

#include "storage/dir_reader.h"

namespace berth::storage {

const char* FileTypeName(mode_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISLNK(mode)) return "symlink";
  return "other";
}

api::FileEntry EntryFromStat(std::string name, const struct stat& st) {
  api::FileEntry e;
  e.name = std::move(name);
  e.type = FileTypeName(st.st_mode);
  e.size = static_cast<uint64_t>(st.st_size);
  e.mtime = static_cast<int64_t>(st.st_mtim.tv_sec);
  e.mode = st.st_mode & 07777;
  return e;
}

std::string JoinComponents(const std::vector<std::string>& components) {
  std::string out;
  for (const auto& c : components) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

Status ChownToFolderOwner(int root_fd, int fd) {
  if (::geteuid() != 0) return Status::Ok();
  struct stat root;
  if (::fstat(root_fd, &root) != 0) return ErrnoStatus("fstat folder root", errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat new file", errno);
  if (st.st_uid == root.st_uid && st.st_gid == root.st_gid) return Status::Ok();
  if (::fchown(fd, root.st_uid, root.st_gid) != 0 && errno != EPERM) {
    return ErrnoStatus("chown new file to the folder owner", errno);
  }
  return Status::Ok();
}

Status CheckCreatableName(std::string_view name) {
  if (IsUploadTempName(name)) {
    return InvalidArgument("names starting with '" + std::string(kUploadTempPrefix) +
                               "' are reserved for uploads in progress",
                           "invalid_path");
  }
  return Status::Ok();
}

}  // namespace berth::storage

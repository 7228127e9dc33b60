#include "storage/local_volume.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "storage/folder_fs.h"
#include "storage/fs_errors.h"
#include "storage/tree_copy.h"
#include "storage/tree_remove.h"

namespace berth::storage {

Status LocalVolume::CreateFolderDir(const std::string& owner_id,
                                    const std::string& folder_id) const {
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(owner_id, folder_id, /*create=*/true));
  if (::mkdirat(parent.dir.get(), parent.leaf.c_str(), 0755) != 0) {
    if (errno == EEXIST) {
      return AlreadyExists("folder directory " + FolderPath(owner_id, folder_id) +
                           " already exists");
    }
    return ErrnoStatus("mkdir " + FolderPath(owner_id, folder_id), errno);
  }
  return FinishFolderDir(parent.dir.get(), parent.leaf);
}

Status LocalVolume::PurgePlainDir(const Parent& parent) const {
  Status s = RemoveTree(parent.dir.get(), parent.leaf);
  if (s.code() == Code::kNotFound) {
    // Gone already, or only something inside vanished while we worked:
    // make sure the folder directory itself is gone.
    struct stat st;
    if (::fstatat(parent.dir.get(), parent.leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 &&
        errno == ENOENT) {
      return Status::Ok();
    }
  }
  return s;
}

Status LocalVolume::PurgeFolderDir(const std::string& owner_id,
                                   const std::string& folder_id) const {
  auto parent = OpenParent(owner_id, folder_id, /*create=*/false);
  if (!parent.ok()) {
    return parent.status().code() == Code::kNotFound ? Status::Ok() : parent.status();
  }
  return PurgePlainDir(*parent);
}

Result<api::Usage> LocalVolume::WalkUsage(const std::string& owner_id,
                                          const std::string& folder_id) const {
  BERTH_ASSIGN_OR_RETURN(auto fs, FolderFs::Open(FolderPath(owner_id, folder_id)));
  return fs.ComputeUsage();
}

Result<api::Usage> LocalVolume::Usage(const std::string& owner_id,
                                      const std::string& folder_id) const {
  return WalkUsage(owner_id, folder_id);
}

Result<UniqueFd> LocalVolume::OpenFolderDir(const std::string& owner_id,
                                            const std::string& folder_id) const {
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(owner_id, folder_id, /*create=*/false));
  UniqueFd fd(::openat(parent.dir.get(), parent.leaf.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return ErrnoStatus("open folder " + FolderPath(owner_id, folder_id), errno);
  return fd;
}

Status LocalVolume::CloneFolder(const std::string& src_owner_id, const std::string& src_folder_id,
                                const std::string& dst_owner_id,
                                const std::string& dst_folder_id,
                                const CopyProgressFn& progress) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd src, OpenFolderDir(src_owner_id, src_folder_id));
  BERTH_RETURN_IF_ERROR(CreateFolderDir(dst_owner_id, dst_folder_id));
  auto dst = OpenFolderDir(dst_owner_id, dst_folder_id);
  Status st = dst.ok() ? CopyTree(src.get(), dst->get(), progress) : dst.status();
  if (!st.ok()) (void)PurgeFolderDir(dst_owner_id, dst_folder_id);
  return st;
}

}  // namespace berth::storage

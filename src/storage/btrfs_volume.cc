#include "storage/btrfs_volume.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "storage/btrfs_ioctl.h"
#include "storage/fs_errors.h"
#include "storage/tree_copy.h"

namespace berth::storage {
namespace {

Result<uint64_t> ReadSysfsNumber(const std::string& path) {
  std::ifstream in(path);
  uint64_t v = 0;
  if (!(in >> v)) return NotFound("cannot read " + path);
  return v;
}

}  // namespace

Status BtrfsVolume::Init() const {
  BERTH_RETURN_IF_ERROR(Volume::Init());
  UniqueFd root(::open(this->root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) return ErrnoStatus("open volume root " + this->root(), errno);
  Status st = btrfs::EnableQuota(root.get());
  if (!st.ok()) {
    return FailedPrecondition("volume '" + name() + "' (btrfs at " + this->root() +
                              "): cannot enable quota groups: " + st.message());
  }
  return Status::Ok();
}

Status BtrfsVolume::CreateFolderDir(const std::string& owner_id,
                                    const std::string& folder_id) const {
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(owner_id, folder_id, /*create=*/true));
  BERTH_ASSIGN_OR_RETURN(uint64_t group, OwnerQgroup(owner_id, /*create=*/true));
  BERTH_RETURN_IF_ERROR(btrfs::CreateSubvolume(parent.dir.get(), parent.leaf, group));
  return FinishFolderDir(parent.dir.get(), parent.leaf);
}

Status BtrfsVolume::PurgeFolderDir(const std::string& owner_id,
                                   const std::string& folder_id) const {
  auto parent = OpenParent(owner_id, folder_id, /*create=*/false);
  if (!parent.ok()) {
    return parent.status().code() == Code::kNotFound ? Status::Ok() : parent.status();
  }
  BERTH_RETURN_IF_ERROR(PurgeSnapshots(*parent));
  UniqueFd fd(::openat(parent->dir.get(), parent->leaf.c_str(),
                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd || !btrfs::IsSubvolumeRoot(fd.get())) return PurgePlainDir(*parent);
  BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd.get()));
  fd = UniqueFd();
  Status st = btrfs::DestroySubvolume(parent->dir.get(), parent->leaf);
  if (st.code() == Code::kNotFound) return Status::Ok();
  // A session may have made subvolumes inside the folder: the kernel
  // refuses to delete a subvolume that holds others. Remove the tree
  // entry by entry then (root may rmdir an empty subvolume).
  if (!st.ok()) {
    spdlog::warn("volume {}: {}; removing folder {} file by file", name(), st.message(), folder_id);
    BERTH_RETURN_IF_ERROR(PurgePlainDir(*parent));
  }
  return btrfs::RemoveQgroup(parent->dir.get(), id);
}

Status BtrfsVolume::SetQuota(const std::string& owner_id, const std::string& folder_id,
                             std::optional<uint64_t> quota_bytes) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd fd, OpenFolderDir(owner_id, folder_id));
  if (!btrfs::IsSubvolumeRoot(fd.get())) return Status::Ok();  // plain dir: API-enforced
  return btrfs::LimitReferenced(fd.get(), quota_bytes);
}

Result<std::string> BtrfsVolume::QgroupSysfsDir(int fd) const {
  BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd));
  BERTH_ASSIGN_OR_RETURN(std::string uuid, btrfs::FsUuid(fd));
  return "/sys/fs/btrfs/" + uuid + "/qgroups/0_" + std::to_string(id);
}

Result<api::Usage> BtrfsVolume::Usage(const std::string& owner_id,
                                      const std::string& folder_id) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd fd, OpenFolderDir(owner_id, folder_id));
  if (btrfs::IsSubvolumeRoot(fd.get())) {
    // Qgroup numbers move at transaction commit: commit first so usage
    // includes what was just written.
    (void)::syncfs(fd.get());
    auto dir = QgroupSysfsDir(fd.get());
    if (dir.ok()) {
      if (auto bytes = ReadSysfsNumber(*dir + "/referenced"); bytes.ok()) {
        api::Usage u;
        u.bytes = *bytes;
        u.counted = false;
        return u;
      }
    }
  }
  return WalkUsage(owner_id, folder_id);  // plain directory, or no qgroup in sysfs
}

Status BtrfsVolume::CloneFolder(const std::string& src_owner_id, const std::string& src_folder_id,
                                const std::string& dst_owner_id,
                                const std::string& dst_folder_id) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd src, OpenFolderDir(src_owner_id, src_folder_id));
  if (!btrfs::IsSubvolumeRoot(src.get())) {
    return LocalVolume::CloneFolder(src_owner_id, src_folder_id, dst_owner_id, dst_folder_id);
  }
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(dst_owner_id, dst_folder_id, /*create=*/true));
  BERTH_ASSIGN_OR_RETURN(uint64_t group, OwnerQgroup(dst_owner_id, /*create=*/true));
  BERTH_RETURN_IF_ERROR(btrfs::Snapshot(src.get(), parent.dir.get(), parent.leaf, false, group));
  // Into another owner's group the kernel cannot account the shared data
  // at once and asks for a rescan.
  if (btrfs::QuotaInconsistent(src.get())) (void)btrfs::StartRescan(src.get());
  // The snapshot's qgroup starts without a limit; the caller sets the
  // clone's quota (SetQuota).
  return FinishFolderDir(parent.dir.get(), parent.leaf);
}

Status BtrfsVolume::PurgeSnapshots(const Parent& parent) const {
  const std::string name = parent.leaf + ".snapshots";
  UniqueFd dir(::openat(parent.dir.get(), name.c_str(),
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return errno == ENOENT ? Status::Ok() : ErrnoStatus("open " + name, errno);
  BERTH_ASSIGN_OR_RETURN(auto snaps, ListSnapshotNames(dir.get()));
  for (const auto& snap : snaps) {
    Status st = DestroyWithQgroup(dir.get(), snap);
    if (!st.ok() && st.code() != Code::kNotFound) return st;
  }
  dir = UniqueFd();
  if (::unlinkat(parent.dir.get(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ErrnoStatus("remove " + name, errno);
  }
  return Status::Ok();
}

Status BtrfsVolume::ReconcileGroups(const std::string& owner_id, const std::string& folder_id,
                                    int folder_fd) const {
  BERTH_ASSIGN_OR_RETURN(uint64_t group, OwnerQgroup(owner_id, /*create=*/true));
  BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(folder_fd));
  BERTH_RETURN_IF_ERROR(btrfs::AssignQgroup(folder_fd, btrfs::QgroupId(0, id), group));
  BERTH_RETURN_IF_ERROR(ReconcileSnapshots(owner_id, folder_id, group));
  // What an interrupted whole restore left (btrfs_snapshots.cc).
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(owner_id, folder_id, /*create=*/false));
  Status left = DestroyWithQgroup(parent.dir.get(), parent.leaf + ".restoring");
  if (left.ok()) spdlog::warn("volume {}: removed what an interrupted restore of folder {} left", name(), folder_id);
  if (btrfs::QuotaInconsistent(folder_fd)) {
    spdlog::warn("volume {}: qgroup accounting inconsistent; rescanning", name());
    (void)btrfs::StartRescan(folder_fd);
  }
  return Status::Ok();
}

Status BtrfsVolume::Reconcile(const std::string& owner_id, const std::string& folder_id,
                              std::optional<uint64_t> quota_bytes) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd fd, OpenFolderDir(owner_id, folder_id));
  if (!btrfs::IsSubvolumeRoot(fd.get())) return Status::Ok();
  BERTH_RETURN_IF_ERROR(ReconcileGroups(owner_id, folder_id, fd.get()));
  BERTH_ASSIGN_OR_RETURN(std::string dir, QgroupSysfsDir(fd.get()));
  if (::access(dir.c_str(), F_OK) != 0) {
    BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd.get()));
    Status st = btrfs::CreateQgroup(fd.get(), id);
    if (!st.ok() && st.code() != Code::kAlreadyExists) return st;
    spdlog::warn("volume {}: folder {} had no qgroup; re-created 0/{}", name(), folder_id, id);
  }
  // sysfs shows 0 for "no limit".
  auto max = ReadSysfsNumber(dir + "/max_referenced");
  if (max.ok() && *max == quota_bytes.value_or(0)) return Status::Ok();
  spdlog::warn("volume {}: folder {} quota limit was missing or wrong; re-applied", name(),
               folder_id);
  return btrfs::LimitReferenced(fd.get(), quota_bytes);
}

}  // namespace berth::storage

// BtrfsVolume: folder snapshots and the owner's level-1 qgroup (see
// btrfs_volume.h).
//
// Restoring a whole folder swaps subvolumes: a writable snapshot of the
// snapshot is made beside the folder as <leaf>.restoring (in the owner's
// qgroup, with the folder's limit), then renameat2(RENAME_EXCHANGE) swaps it
// with the folder in one step, then the old subvolume (now
// <leaf>.restoring) is deleted. A crash before the exchange leaves the
// folder as it was plus a half-made <leaf>.restoring; after it, the folder
// restored plus the old data in <leaf>.restoring. Either way start-up
// reconciliation deletes <leaf>.restoring; the folder itself is always a
// whole subvolume, the old one or the restored one.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/clock.h"
#include "storage/btrfs_ioctl.h"
#include "storage/btrfs_volume.h"
#include "storage/dir_reader.h"
#include "storage/fs_errors.h"
#include "storage/names.h"

namespace berth::storage {
namespace {

constexpr char kOwnerMarker[] = ".qgroup";
constexpr char kSnapshotsSuffix[] = ".snapshots";
constexpr char kRestoringSuffix[] = ".restoring";

Status SnapshotNotFound(const std::string& snap) {
  return NotFound("no snapshot named '" + snap + "'", "snapshot_not_found");
}

Result<UniqueFd> OpenSubdir(int dir_fd, const std::string& name) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return PathErrnoStatus(name, errno);
  return UniqueFd(fd);
}

}  // namespace

Result<uint64_t> BtrfsVolume::OwnerQgroup(const std::string& owner_id, bool create) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd owner, OpenOwnerDir(owner_id, create));
  auto marker = OpenSubdir(owner.get(), kOwnerMarker);
  if (!marker.ok() && marker.status().code() == Code::kNotFound && create) {
    Status st = btrfs::CreateSubvolume(owner.get(), kOwnerMarker);
    if (!st.ok() && st.code() != Code::kAlreadyExists) return st;
    (void)::fchmodat(owner.get(), kOwnerMarker, 0700, 0);
    marker = OpenSubdir(owner.get(), kOwnerMarker);
  }
  if (!marker.ok()) return marker.status();
  BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(marker->get()));
  const uint64_t group = btrfs::QgroupId(1, id);
  if (create) {
    Status st = btrfs::CreateQgroupById(marker->get(), group);
    if (!st.ok() && st.code() != Code::kAlreadyExists) return st;
  }
  return group;
}

Result<std::optional<uint64_t>> BtrfsVolume::OwnerBytes(const std::string& owner_id) const {
  auto group = OwnerQgroup(owner_id, /*create=*/false);
  if (!group.ok()) {
    // No marker: the owner has nothing on this volume yet (or it predates
    // level-1 groups and start-up has not reconciled it): add up folders.
    return std::optional<uint64_t>();
  }
  BERTH_ASSIGN_OR_RETURN(UniqueFd owner, OpenOwnerDir(owner_id, false));
  auto bytes = btrfs::ReadQgroup(owner.get(), *group, "referenced");
  if (!bytes.ok()) return std::optional<uint64_t>();
  return std::optional<uint64_t>(*bytes);
}

Result<UniqueFd> BtrfsVolume::OpenSnapshotDir(const std::string& owner_id,
                                              const std::string& folder_id, bool create) const {
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(owner_id, folder_id, /*create=*/false));
  const std::string name = parent.leaf + kSnapshotsSuffix;
  if (create && ::mkdirat(parent.dir.get(), name.c_str(), 0700) != 0 && errno != EEXIST) {
    return ErrnoStatus("mkdir " + name, errno);
  }
  return OpenSubdir(parent.dir.get(), name);
}

Status BtrfsVolume::DestroyWithQgroup(int dir_fd, const std::string& name) const {
  auto fd = OpenSubdir(dir_fd, name);
  if (!fd.ok()) return fd.status();
  BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd->get()));
  *fd = UniqueFd();
  BERTH_RETURN_IF_ERROR(btrfs::DestroySubvolume(dir_fd, name));
  return btrfs::RemoveQgroup(dir_fd, id);
}

Result<api::Snapshot> BtrfsVolume::CreateSnapshot(const std::string& owner_id,
                                                  const std::string& folder_id,
                                                  const std::string& snap) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd folder, OpenFolderDir(owner_id, folder_id));
  if (!btrfs::IsSubvolumeRoot(folder.get())) {
    return FailedPrecondition("this folder is a plain directory, not a btrfs subvolume: "
                              "it cannot be snapshotted (clone it to make a subvolume copy)",
                              "snapshots_unsupported");
  }
  BERTH_ASSIGN_OR_RETURN(uint64_t group, OwnerQgroup(owner_id, /*create=*/true));
  BERTH_ASSIGN_OR_RETURN(UniqueFd dir, OpenSnapshotDir(owner_id, folder_id, /*create=*/true));
  Status st = btrfs::Snapshot(folder.get(), dir.get(), snap, /*read_only=*/true, group);
  if (st.code() == Code::kAlreadyExists) {
    return AlreadyExists("a snapshot named '" + snap + "' already exists", "snapshot_exists");
  }
  BERTH_RETURN_IF_ERROR(st);
  (void)::syncfs(dir.get());  // qgroup numbers move at transaction commit
  BERTH_ASSIGN_OR_RETURN(auto entry, ReadSnapshotEntry(dir.get(), snap));
  return std::move(entry.second);
}

Result<std::pair<int64_t, api::Snapshot>> BtrfsVolume::ReadSnapshotEntry(
    int dir_fd, const std::string& name) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd fd, OpenSubdir(dir_fd, name));
  BERTH_ASSIGN_OR_RETURN(auto info, btrfs::GetSubvolInfo(fd.get()));
  api::Snapshot s;
  s.name = name;
  s.created_at = FormatRfc3339(info.otime);
  s.scheduled = IsScheduledSnapshotName(name);
  if (auto excl = btrfs::ReadQgroup(fd.get(), btrfs::QgroupId(0, info.id), "exclusive");
      excl.ok()) {
    s.exclusive_bytes = *excl;
  }
  return std::make_pair(static_cast<int64_t>(info.otime), std::move(s));
}

Result<std::vector<api::Snapshot>> BtrfsVolume::ListSnapshots(const std::string& owner_id,
                                                              const std::string& folder_id) const {
  std::vector<api::Snapshot> out;
  auto dir = OpenSnapshotDir(owner_id, folder_id, /*create=*/false);
  if (!dir.ok()) {
    if (dir.status().code() != Code::kNotFound) return dir.status();
    BERTH_RETURN_IF_ERROR(OpenFolderDir(owner_id, folder_id).status());  // the folder must exist
    return out;
  }
  BERTH_ASSIGN_OR_RETURN(auto names, ListSnapshotNames(dir->get()));
  std::vector<std::pair<int64_t, api::Snapshot>> found;
  (void)::syncfs(dir->get());  // qgroup numbers move at transaction commit
  for (const auto& name : names) {
    auto entry = ReadSnapshotEntry(dir->get(), name);
    if (entry.ok()) found.push_back(std::move(*entry));  // one deleted meanwhile is skipped
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.name < b.second.name;
  });
  for (auto& [t, s] : found) out.push_back(std::move(s));
  return out;
}

Status BtrfsVolume::DeleteSnapshot(const std::string& owner_id, const std::string& folder_id,
                                   const std::string& snap) const {
  auto dir = OpenSnapshotDir(owner_id, folder_id, /*create=*/false);
  if (!dir.ok()) return dir.status().code() == Code::kNotFound ? SnapshotNotFound(snap) : dir.status();
  Status st = DestroyWithQgroup(dir->get(), snap);
  return st.code() == Code::kNotFound ? SnapshotNotFound(snap) : st;
}

Result<std::string> BtrfsVolume::SnapshotPath(const std::string& owner_id,
                                              const std::string& folder_id,
                                              const std::string& snap) const {
  auto dir = OpenSnapshotDir(owner_id, folder_id, /*create=*/false);
  if (!dir.ok()) return dir.status().code() == Code::kNotFound ? SnapshotNotFound(snap) : dir.status();
  auto fd = OpenSubdir(dir->get(), snap);
  if (!fd.ok() || !btrfs::IsSubvolumeRoot(fd->get())) return SnapshotNotFound(snap);
  return FolderPath(owner_id, folder_id) + kSnapshotsSuffix + "/" + snap;
}

Status BtrfsVolume::RestoreSnapshot(const std::string& owner_id, const std::string& folder_id,
                                    const std::string& snap,
                                    std::optional<uint64_t> quota_bytes) const {
  BERTH_ASSIGN_OR_RETURN(UniqueFd dir, OpenSnapshotDir(owner_id, folder_id, /*create=*/false));
  auto source = OpenSubdir(dir.get(), snap);
  if (!source.ok() || !btrfs::IsSubvolumeRoot(source->get())) return SnapshotNotFound(snap);
  BERTH_ASSIGN_OR_RETURN(uint64_t group, OwnerQgroup(owner_id, /*create=*/true));
  BERTH_ASSIGN_OR_RETURN(Parent parent, OpenParent(owner_id, folder_id, /*create=*/false));
  const std::string tmp = parent.leaf + kRestoringSuffix;
  // A leftover from an interrupted restore goes first.
  if (Status st = DestroyWithQgroup(parent.dir.get(), tmp); !st.ok() && st.code() != Code::kNotFound) {
    return st;
  }
  BERTH_RETURN_IF_ERROR(btrfs::Snapshot(source->get(), parent.dir.get(), tmp, false, group));
  Status st = [&]() -> Status {
    BERTH_ASSIGN_OR_RETURN(UniqueFd fresh, OpenSubdir(parent.dir.get(), tmp));
    BERTH_RETURN_IF_ERROR(btrfs::LimitReferenced(fresh.get(), quota_bytes));
    if (::renameat2(parent.dir.get(), tmp.c_str(), parent.dir.get(), parent.leaf.c_str(),
                    RENAME_EXCHANGE) != 0) {
      return ErrnoStatus("swap in the restored folder", errno);
    }
    return Status::Ok();
  }();
  if (!st.ok()) {
    (void)DestroyWithQgroup(parent.dir.get(), tmp);
    return st;
  }
  // The old data is now <leaf>.restoring. Sessions may have made
  // subvolumes inside it, which the kernel refuses to delete with it.
  if (Status gone = DestroyWithQgroup(parent.dir.get(), tmp); !gone.ok()) {
    spdlog::warn("volume {}: folder {} restored, but its old data stays in {}: {}", name(),
                 folder_id, tmp, gone.message());
  }
  return Status::Ok();
}

Status BtrfsVolume::ReconcileSnapshots(const std::string& owner_id, const std::string& folder_id,
                                       uint64_t group) const {
  auto dir = OpenSnapshotDir(owner_id, folder_id, /*create=*/false);
  if (!dir.ok()) return dir.status().code() == Code::kNotFound ? Status::Ok() : dir.status();
  BERTH_ASSIGN_OR_RETURN(auto names, ListSnapshotNames(dir->get()));
  for (const auto& name : names) {
    auto fd = OpenSubdir(dir->get(), name);
    if (!fd.ok()) continue;
    BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd->get()));
    BERTH_RETURN_IF_ERROR(btrfs::AssignQgroup(fd->get(), btrfs::QgroupId(0, id), group));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> BtrfsVolume::ListSnapshotNames(int dir_fd) const {
  UniqueFd list(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!list) return ErrnoStatus("open snapshot directory", errno);
  DirReader reader(std::move(list), 16 * 1024);
  DirEntry e;
  std::vector<std::string> out;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(bool more, reader.Next(&e));
    if (!more) break;
    std::string name(e.name);
    if (!ValidateSnapshotName(name).ok()) continue;
    auto fd = OpenSubdir(dir_fd, name);
    if (fd.ok() && btrfs::IsSubvolumeRoot(fd->get())) out.push_back(std::move(name));
  }
  return out;
}

}  // namespace berth::storage

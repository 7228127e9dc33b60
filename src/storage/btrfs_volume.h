// BtrfsVolume: each folder is a btrfs subvolume. Its quota is a limit on
// the max_referenced of its level-0 qgroup 0/<subvolume id>, enforced by
// the kernel (writes past it fail with EDQUOT); usage is the qgroup's
// referenced bytes (no tree walk; files and dirs are not counted); a clone
// is a writable snapshot (instant, shares all data); purge deletes the
// subvolume and its qgroup.
//
// Why max_referenced and not max_exclusive: referenced is what the folder
// holds, shared or not, so it matches `du` and what the user was promised;
// an exclusive limit would let a clone (or later a snapshot) hold a
// folder's worth of data for free and then jump over the limit the moment
// the original is deleted.
//
// Snapshots (btrfs_snapshots.cc) are read-only subvolume snapshots in
// <parent>/<leaf>.snapshots/<name>, beside the folder's subvolume and never
// inside it.
//
// Level-1 qgroups: every folder subvolume and snapshot of an owner is a
// member of the owner's qgroup 1/N, so one read of it is everything the
// owner holds on the volume, snapshots included (shared extents counted
// once). N is the subvolume id of an empty marker subvolume
// u-<owner>/.qgroup, so the number lives on the volume and needs no table.
//
// A folder that is a plain directory (made before the volume was btrfs, or
// on the data dir's own file system) is handled like LocalVolume does.
// Thread-safe: holds only immutable configuration.
#pragma once

#include "storage/local_volume.h"

namespace berth::storage {

class BtrfsVolume : public LocalVolume {
 public:
  explicit BtrfsVolume(VolumeOptions options) : LocalVolume(std::move(options), true) {}

  const char* kind() const override { return "btrfs"; }
  api::VolumeCapabilities capabilities() const override { return {true, true, true}; }
  // Also turns on quota groups for the file system.
  Status Init() const override;
  Status CreateFolderDir(const std::string& owner_id, const std::string& folder_id) const override;
  Status PurgeFolderDir(const std::string& owner_id, const std::string& folder_id) const override;
  Status SetQuota(const std::string& owner_id, const std::string& folder_id,
                  std::optional<uint64_t> quota_bytes) const override;
  Result<api::Usage> Usage(const std::string& owner_id,
                           const std::string& folder_id) const override;
  Status CloneFolder(const std::string& src_owner_id, const std::string& src_folder_id,
                     const std::string& dst_owner_id,
                     const std::string& dst_folder_id,
                     const CopyProgressFn& progress = {}) const override;
  // Re-creates a missing qgroup and re-applies the limit; puts the folder
  // and its snapshots in the owner's level-1 qgroup; removes what an
  // interrupted whole restore left.
  Status Reconcile(const std::string& owner_id, const std::string& folder_id,
                   std::optional<uint64_t> quota_bytes) const override;

  Result<api::Snapshot> CreateSnapshot(const std::string& owner_id, const std::string& folder_id,
                        const std::string& snap) const override;
  Result<std::vector<api::Snapshot>> ListSnapshots(const std::string& owner_id,
                                                   const std::string& folder_id) const override;
  Status DeleteSnapshot(const std::string& owner_id, const std::string& folder_id,
                        const std::string& snap) const override;
  Result<std::string> SnapshotPath(const std::string& owner_id, const std::string& folder_id,
                                   const std::string& snap) const override;
  Status RestoreSnapshot(const std::string& owner_id, const std::string& folder_id,
                         const std::string& snap,
                         std::optional<uint64_t> quota_bytes) const override;
  // The owner's level-1 qgroup's referenced bytes.
  Result<std::optional<uint64_t>> OwnerBytes(const std::string& owner_id) const override;

 private:
  // The owner's level-1 qgroup id (1/N), made with `create`.
  Result<uint64_t> OwnerQgroup(const std::string& owner_id, bool create) const;
  // The folder's snapshot directory <leaf>.snapshots (made with `create`).
  Result<UniqueFd> OpenSnapshotDir(const std::string& owner_id, const std::string& folder_id,
                                   bool create) const;
  // Puts the subvolumes of a folder's snapshots in the owner's qgroup.
  Status ReconcileSnapshots(const std::string& owner_id, const std::string& folder_id,
                            uint64_t group) const;
  // Level-1 membership of the folder and its snapshots; leftovers of an
  // interrupted restore; a rescan if the accounting needs one.
  Status ReconcileGroups(const std::string& owner_id, const std::string& folder_id,
                         int folder_fd) const;
  // Deletes a folder's snapshots and their directory (purge).
  Status PurgeSnapshots(const Parent& parent) const;
  // Names of the subvolumes in a snapshot directory.
  Result<std::vector<std::string>> ListSnapshotNames(int dir_fd) const;
  // The entry of snapshot `name` in the snapshot dir `dir_fd` (its qgroup
  // numbers as of the last commit), and its creation time for sorting.
  Result<std::pair<int64_t, api::Snapshot>> ReadSnapshotEntry(int dir_fd,
                                                              const std::string& name) const;
  // Deletes the subvolume `name` in `dir_fd` and its qgroup.
  Status DestroyWithQgroup(int dir_fd, const std::string& name) const;
  // /sys/fs/btrfs/<fsid>/qgroups/0_<id> of the subvolume `fd`.
  Result<std::string> QgroupSysfsDir(int fd) const;
};

}  // namespace berth::storage

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
  api::VolumeCapabilities capabilities() const override { return {true, true, false}; }
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
  // Re-creates a missing qgroup and re-applies the limit.
  Status Reconcile(const std::string& owner_id, const std::string& folder_id,
                   std::optional<uint64_t> quota_bytes) const override;

 private:
  // /sys/fs/btrfs/<fsid>/qgroups/0_<id> of the subvolume `fd`.
  Result<std::string> QgroupSysfsDir(int fd) const;
};

}  // namespace berth::storage

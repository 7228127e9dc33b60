// LocalVolume: folders as plain directories on any file system. Quotas are
// not enforced by the kernel here (the API checks them on uploads), usage
// is a tree walk, and a clone copies the tree (reflinks where the file
// system supports FICLONE, e.g. XFS with reflink=1).
// Thread-safe: holds only immutable configuration.
#pragma once

#include "storage/volume.h"

namespace berth::storage {

class LocalVolume : public Volume {
 public:
  // `reflink`: whether FICLONE works on this file system (GET /volumes says
  // instant_clone then).
  explicit LocalVolume(VolumeOptions options, bool reflink = false)
      : Volume(std::move(options)), reflink_(reflink) {}

  const char* kind() const override { return "local"; }
  api::VolumeCapabilities capabilities() const override { return {false, reflink_, false}; }
  Status CreateFolderDir(const std::string& owner_id, const std::string& folder_id) const override;
  Status PurgeFolderDir(const std::string& owner_id, const std::string& folder_id) const override;
  Status SetQuota(const std::string&, const std::string&, std::optional<uint64_t>) const override {
    return Status::Ok();
  }
  Result<api::Usage> Usage(const std::string& owner_id,
                           const std::string& folder_id) const override;
  Status CloneFolder(const std::string& src_owner_id, const std::string& src_folder_id,
                     const std::string& dst_owner_id,
                     const std::string& dst_folder_id,
                     const CopyProgressFn& progress = {}) const override;
  Status Reconcile(const std::string&, const std::string&, std::optional<uint64_t>) const override {
    return Status::Ok();
  }

 protected:
  // Shared with BtrfsVolume for folders that are plain directories there.
  Status PurgePlainDir(const Parent& parent) const;
  Result<api::Usage> WalkUsage(const std::string& owner_id, const std::string& folder_id) const;
  // Opens a folder's directory O_RDONLY.
  Result<UniqueFd> OpenFolderDir(const std::string& owner_id, const std::string& folder_id) const;

 private:
  bool reflink_;
};

}  // namespace berth::storage

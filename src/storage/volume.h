// Volume: a named storage volume that holds folder directories in the
// layout of SPEC §2:
//   <root>/<owner-scope>/<id[0:2]>/<id[2:4]>/<id[4:]>
// where owner-scope is "u-<owner user id>".
//
// This is the volume backend interface: the layout, Init and Info are
// shared; how a folder is made, measured, limited, cloned and removed is
// the backend's (LocalVolume: plain directories; BtrfsVolume: subvolumes
// with qgroup limits). OpenVolume (volume_factory.h) picks one by the file
// system under the root.
//
// Thread-safe: implementations hold only immutable configuration.
#pragma once

#include <optional>
#include <string>
#include <vector>
#include <sys/types.h>

#include "api/types.h"
#include "common/result.h"
#include "storage/copy_progress.h"
#include "common/unique_fd.h"

namespace berth::storage {

struct VolumeOptions {
  std::string name = "local";
  std::string root;                 // absolute path; created if missing
  uid_t container_uid = 1000;       // owner of new folder directories
  gid_t container_gid = 1000;
};

class Volume {
 public:
  explicit Volume(VolumeOptions options) : options_(std::move(options)) {}
  virtual ~Volume() = default;
  Volume(const Volume&) = delete;
  Volume& operator=(const Volume&) = delete;

  const std::string& name() const { return options_.name; }
  const std::string& root() const { return options_.root; }
  // "local" or "btrfs".
  virtual const char* kind() const = 0;
  virtual api::VolumeCapabilities capabilities() const = 0;

  // Creates the volume root if missing and sets it to 0700 (fixing older
  // deployments' 0755 at every start). Backends add their own set-up.
  virtual Status Init() const;
  // Absolute path of a folder's directory. REQUIRES: folder_id is a UUID.
  std::string FolderPath(const std::string& owner_id, const std::string& folder_id) const;
  // Creates the folder directory, mode 0755, chowned to the container uid/gid
  // when running as root. AlreadyExists if it already exists.
  virtual Status CreateFolderDir(const std::string& owner_id,
                                 const std::string& folder_id) const = 0;
  // Deletes a folder directory and everything in it, never following
  // symlinks. OK if it is already gone.
  virtual Status PurgeFolderDir(const std::string& owner_id,
                                const std::string& folder_id) const = 0;
  // Applies a folder's quota where the kernel enforces it (none: no limit).
  // OK and nothing done on volumes without kernel quotas (the API enforces
  // the quota on uploads there).
  virtual Status SetQuota(const std::string& owner_id, const std::string& folder_id,
                          std::optional<uint64_t> quota_bytes) const = 0;
  // What a folder uses. A tree walk, or the kernel's accounting where it
  // keeps one (then counted is false: files and dirs are unknown).
  virtual Result<api::Usage> Usage(const std::string& owner_id,
                                   const std::string& folder_id) const = 0;
  // Makes the new (not yet existing) folder dst a copy of src: a snapshot,
  // reflinks or a plain copy, whatever the backend does best. `progress`
  // hears how far a file-by-file copy has got (a snapshot reports nothing).
  virtual Status CloneFolder(const std::string& src_owner_id, const std::string& src_folder_id,
                             const std::string& dst_owner_id,
                             const std::string& dst_folder_id,
                             const CopyProgressFn& progress = {}) const = 0;
  // Start-up repair: makes sure a folder's kernel quota is what the store
  // says (a qgroup or limit that went missing is re-created).
  virtual Status Reconcile(const std::string& owner_id, const std::string& folder_id,
                           std::optional<uint64_t> quota_bytes) const = 0;
  // Capacity, free bytes (statvfs) and capabilities.
  Result<api::Volume> Info() const;

  // Snapshots (capabilities().snapshots; SPEC §2 "Snapshots"). Volumes
  // without them answer FailedPrecondition (reason "snapshots_unsupported").
  // A snapshot is read-only and lives beside the folder, never inside it
  // (sessions that mount the folder do not see it). REQUIRES: `snap`
  // passed ValidateSnapshotName.
  // AlreadyExists (reason "snapshot_exists") if the name is taken. Returns
  // the new snapshot's entry (as ListSnapshots would list it).
  virtual Result<api::Snapshot> CreateSnapshot(const std::string& owner_id, const std::string& folder_id,
                                const std::string& snap) const;
  // Oldest first.
  virtual Result<std::vector<api::Snapshot>> ListSnapshots(const std::string& owner_id,
                                                           const std::string& folder_id) const;
  // NotFound (reason "snapshot_not_found") if there is no such snapshot.
  virtual Status DeleteSnapshot(const std::string& owner_id, const std::string& folder_id,
                                const std::string& snap) const;
  // Host path of a snapshot's (read-only) root; NotFound as above.
  virtual Result<std::string> SnapshotPath(const std::string& owner_id,
                                           const std::string& folder_id,
                                           const std::string& snap) const;
  // Makes the whole folder what the snapshot holds, keeping its quota
  // (see btrfs_snapshots.cc for what a crash in between leaves).
  virtual Status RestoreSnapshot(const std::string& owner_id, const std::string& folder_id,
                                 const std::string& snap,
                                 std::optional<uint64_t> quota_bytes) const;
  // Bytes everything `owner_id` owns on this volume holds, snapshots
  // included, from one read of the kernel's accounting; none where the
  // volume keeps no such total (callers add up folders then).
  virtual Result<std::optional<uint64_t>> OwnerBytes(const std::string& owner_id) const {
    (void)owner_id;
    return std::optional<uint64_t>();
  }

 protected:
  const VolumeOptions& options() const { return options_; }
  // The directory that holds a folder's directory, and the folder's own
  // name in it; with `create`, missing intermediate directories are made
  // (root-owned 0755). NotFound if one is missing and !create.
  struct Parent {
    UniqueFd dir;
    std::string leaf;
  };
  Result<Parent> OpenParent(const std::string& owner_id, const std::string& folder_id,
                            bool create) const;
  // The owner's directory u-<owner_id> under the root (made with `create`).
  Result<UniqueFd> OpenOwnerDir(const std::string& owner_id, bool create) const;
  // A new folder directory gets 0755 and the container uid/gid.
  Status FinishFolderDir(int dir_fd, const std::string& leaf) const;

 private:
  VolumeOptions options_;
};

}  // namespace berth::storage

// FolderService: the behaviour of storage folders (SPEC §2): create, list,
// rename, trash, restore, purge, and opening a folder's contents for file
// operations. Handlers parse and map errors; this decides; the Store and the
// Volume persist. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/authorizer.h"
#include "manager/event_bus.h"
#include "manager/principal.h"
#include "storage/folder_fs.h"
#include "storage/volume.h"
#include "store/store.h"

namespace berth::manager {

// Answers whether a live session mounts a folder (sessions plug in here).
class FolderUseChecker {
 public:
  virtual ~FolderUseChecker() = default;
  // The name of a live session that mounts `folder_id`, if any.
  virtual std::optional<std::string> SessionUsing(const std::string& folder_id) = 0;
  // The name of a live session that mounts the folder itself (`snapshot`
  // empty; a session that mounts only snapshots of it does not count) or
  // that snapshot of it.
  virtual std::optional<std::string> SessionMounting(const std::string& folder_id,
                                                     const std::string& snapshot) {
    return snapshot.empty() ? SessionUsing(folder_id) : std::nullopt;
  }
};

struct FolderServiceDeps {
  store::Store* store = nullptr;
  std::map<std::string, const storage::Volume*> volumes;  // by name
  std::string default_volume = "local";
  FolderUseChecker* in_use = nullptr;  // optional
  AuditLog* audit = nullptr;           // optional
  EventBus* events = nullptr;          // optional: "folder" events
};

// A folder opened for file operations.
struct OpenFolder {
  store::FolderRecord record;
  storage::FolderFs fs;
  Access access;
  std::optional<uint64_t> quota_bytes;
};

class FolderService {
 public:
  explicit FolderService(FolderServiceDeps deps)
      : deps_(std::move(deps)), authz_(*deps_.store) {}

  Result<api::Folder> Create(const Principal& p, const std::string& name,
                             const std::string& volume, std::optional<uint64_t> quota_bytes);
  Result<std::vector<api::Folder>> List(const Principal& p, bool trash);
  // `ref` is a name (the caller's ready folder) or an id.
  Result<api::Folder> Get(const Principal& p, const std::string& ref, bool with_usage);
  Result<api::Folder> Rename(const Principal& p, const std::string& ref, const std::string& new_name);
  // Owner only: sets (or with nullopt removes) a folder's quota; on a volume
  // with kernel quotas the new limit applies at once.
  Result<api::Folder> SetQuota(const Principal& p, const std::string& ref,
                               std::optional<uint64_t> quota_bytes);
  // Owner only: sets (or with nullopt removes) the folder's snapshot
  // schedule (manager/snapshot_scheduler.h runs it). InvalidArgument
  // outside the limits below; FailedPrecondition on a volume without
  // snapshots.
  Result<api::Folder> SetSnapshotSchedule(const Principal& p, const std::string& ref,
                                          std::optional<api::SnapshotSchedule> schedule);
  static constexpr uint64_t kMinSnapshotEveryS = 1;
  static constexpr uint64_t kMaxScheduledSnapshots = 1000;
  // A new folder `new_name` owned by `p` with a copy of `ref`'s content and
  // its quota, on the same volume (a snapshot on btrfs). Anyone who may
  // read the folder may clone it.
  Result<api::Folder> Clone(const Principal& p, const std::string& ref,
                            const std::string& new_name);
  // Whether the kernel enforces `f`'s quota (its volume has kernel quotas).
  bool KernelQuota(const store::FolderRecord& f) const;
  // What an open folder uses (the volume's accounting or a tree walk).
  Result<api::Usage> UsageOf(const store::FolderRecord& f) const;
  // Start-up repair: re-applies every folder's kernel quota (a qgroup or
  // limit that went missing). Logs and goes on past a folder it cannot fix.
  void ReconcileQuotas();
  Result<api::Folder> Trash(const Principal& p, const std::string& ref);
  // `ref` names a folder in the trash (a name shared by several trashed
  // folders is a conflict listing their ids).
  Result<api::Folder> Restore(const Principal& p, const std::string& ref);
  Status Purge(const Principal& p, const std::string& ref);
  // Opens a ready folder's contents; PermissionDenied if `need` is more than
  // the caller has.
  Result<OpenFolder> Open(const Principal& p, const std::string& ref, Access need);
  // Ready folders the caller may read, as records (for session mounts).
  Result<store::FolderRecord> ResolveReady(const Principal& p, const std::string& ref);
  // `ref` (name or id) among the folders `p` can access with `status`:
  // own folders and, for "ready", folders shared with `p` and accepted.
  Result<store::FolderRecord> Resolve(const Principal& p, const std::string& ref,
                                      const std::string& status);
  api::Folder ToApi(const Principal& p, const store::FolderRecord& f);
  // AlreadyExists unless `name` is free among the folders `user_id` can
  // access (own ready folders and accepted shares), `except` aside.
  Status CheckNameFree(const std::string& user_id, const std::string& name,
                       const std::string& except_folder_id);
  const Authorizer& authorizer() const { return authz_; }
  Result<std::vector<store::FolderRecord>> OwnedReady(const std::string& owner_id);
  // Bytes in every folder `owner_id` owns, the trash included (a tree walk
  // per folder; manager/user_quota.h caches it).
  Result<uint64_t> OwnedBytes(const std::string& owner_id);
  // Host path of a folder's directory.
  Result<std::string> HostPath(const store::FolderRecord& f) const;
  Access AccessOf(const Principal& p, const store::FolderRecord& f) const {
    return authz_.FolderAccess(p, f);
  }

  std::vector<api::Volume> Volumes() const;
  Result<const storage::Volume*> VolumeOf(const store::FolderRecord& f) const;
  // FailedPrecondition (reason `reason`) naming the session when a live
  // session mounts the folder itself (`snapshot` empty) or that snapshot.
  Status CheckNotMounted(const store::FolderRecord& f, const std::string& snapshot,
                         const std::string& what, const char* reason);
  // Tells the owner's (and invitees') web UIs that `f` changed.
  void Publish(const store::FolderRecord& f, const std::string& change);
  // Plugs in the session side after construction (the two services refer
  // to each other). REQUIRES: called before serving requests.
  void SetUseChecker(FolderUseChecker* c) { deps_.in_use = c; }

 private:
  // Ready folders shared with `user_id` (accepted).
  Result<std::vector<store::FolderRecord>> SharedWith(const std::string& user_id);
  Status CheckNotInUse(const store::FolderRecord& f, const char* verb);

  FolderServiceDeps deps_;
  Authorizer authz_;
};

}  // namespace berth::manager

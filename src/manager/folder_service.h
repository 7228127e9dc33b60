// FolderService: the behaviour of storage folders (SPEC §2): create, list,
// rename, trash, restore, purge, and opening a folder's contents for file
// operations. Handlers parse and map errors; this decides; the Store and the
// Volume persist. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/authorizer.h"
#include "manager/clone_runner.h"
#include "manager/event_bus.h"
#include "manager/principal.h"
#include "storage/folder_fs.h"
#include "storage/volume.h"
#include "store/coordination.h"
#include "store/store.h"

namespace berth::manager {

// How often a streamed clone publishes its progress (FolderService::Clone).
inline constexpr std::chrono::milliseconds kCloneProgressEvery{250};

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
  // Streamed clones (volumes without instant clones) run in the background
  // on this many threads; at most `clone_queue` more wait their turn.
  size_t clone_threads = 2;
  size_t clone_queue = 16;
  // Optional: hears every progress step of a streamed clone on the copying
  // thread, after the event; false stops that copy (tests hold a clone in
  // its "cloning" state with it).
  storage::CopyProgressFn clone_observer;
  // Optional (null: this manager is the only one): a streamed clone holds
  // the lock "clone:<folder id>" while it copies, so that RecoverClones on
  // another manager starting meanwhile leaves it alone.
  store::Coordination* coordination = nullptr;
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
      : deps_(std::move(deps)),
        authz_(*deps_.store),
        clones_(std::make_unique<CloneRunner>(deps_.clone_threads, deps_.clone_queue)) {}
  // Stops the streamed clones under way (each removes its partial folder)
  // and joins their threads.
  ~FolderService() { clones_.reset(); }

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
  // its quota, on the same volume. Anyone who may read the folder may clone
  // it. Where the volume clones instantly (a btrfs snapshot, reflinks) the
  // folder is "ready" on return. Elsewhere the folder is returned at once
  // with status "cloning" and copied file by file in the background: its
  // progress goes out as folder events {"change":"cloning", id and name of
  // the new folder, "source", "bytes", "files"} to the caller (the first at
  // once, then at most one per kCloneProgressEvery); {"change":"created",
  // "status":"ready"} tells the end, or {"change":"clone_failed",
  // "status":"error","error":why} a failure, after which the folder and its
  // partial copy are gone. Meanwhile everything but listing and Get answers
  // FailedPrecondition "folder_cloning" for it, and its source cannot be
  // deleted ("folder_in_use").
  Result<api::Folder> Clone(const Principal& p, const std::string& ref,
                            const std::string& new_name);
  // Start-up repair: removes every folder left "cloning" (berthd stopped
  // mid-copy) with its partial copy, and logs each; with several managers,
  // not those another manager is still copying (it holds their clone lock).
  // REQUIRES: no clone of this manager's running (called before serving
  // requests).
  void RecoverClones();
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
  // Throttled clone progress of `dst` (a copy of `src`) for its owner.
  storage::CopyProgressFn CloneProgress(const store::FolderRecord& dst, const std::string& src);
  // FailedPrecondition "folder_cloning" if `ref` names one of `p`'s
  // folders still being cloned.
  Status CheckNotCloning(const Principal& p, const std::string& ref);
  // The streamed clone (see Clone): `f` is the new folder, not yet stored.
  Result<api::Folder> CloneInBackground(const Principal& p, const store::FolderRecord& src,
                                        store::FolderRecord f, const storage::Volume* v);
  // The background half of CloneInBackground, on a CloneRunner thread.
  void RunClone(const std::string& who, const store::FolderRecord& src, store::FolderRecord f,
                const storage::Volume* v, const storage::CopyProgressFn& progress,
                const std::atomic<bool>& stop);
  // Removes the failed clone `f` (record and partial copy) and tells why.
  void FailClone(const std::string& who, const store::FolderRecord& f, const storage::Volume* v,
                 const Status& why);

  FolderServiceDeps deps_;
  Authorizer authz_;
  std::mutex sources_mu_;
  std::multiset<std::string> clone_sources_;  // ids of folders being copied; guarded by sources_mu_
  // Last: destroyed (its jobs stopped and joined) before what they use.
  std::unique_ptr<CloneRunner> clones_;
};

}  // namespace berth::manager

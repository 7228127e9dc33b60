// SnapshotService: read-only folder snapshots (SPEC §2 "Snapshots", §5):
// take, list, delete, restore one path or the whole folder, browse, and
// the host path a session mount binds. The volume keeps the snapshots
// (storage::Volume; btrfs only); nothing about them is in the store but
// the folder's schedule (snapshot_schedule.h).
//
// Who may do what (docs/security.md):
//  * list, browse, download, mount: anyone who may read the folder;
//  * take and restore: the owner and users it is shared with rw (they can
//    change every file anyway);
//  * delete: the owner only (a snapshot is the owner's way back, and its
//    space counts against the owner's quota);
//  * anyone else: the folder is not found (404), as for every folder route.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/result.h"
#include "manager/folder_service.h"
#include "manager/principal.h"

namespace berth::manager {

class UserQuota;

class SnapshotService {
 public:
  // `quota` is optional (per-user totals are dropped from its cache after
  // each change).
  SnapshotService(FolderService& folders, UserQuota* quota) : folders_(folders), quota_(quota) {}

  // `name` none: the UTC time, YYYYMMDDTHHMMSSZ.
  Result<api::Snapshot> Create(const Principal& p, const std::string& ref,
                               const std::optional<std::string>& name);
  Result<std::vector<api::Snapshot>> List(const Principal& p, const std::string& ref);
  Status Delete(const Principal& p, const std::string& ref, const std::string& snap);
  // `path` none or empty: the whole folder (refused while a live session
  // mounts the folder itself); else that path, overwriting.
  Result<api::Folder> Restore(const Principal& p, const std::string& ref, const std::string& snap,
                              const std::optional<std::string>& path);
  // The snapshot's contents for browsing (read-only).
  Result<OpenFolder> Open(const Principal& p, const std::string& ref, const std::string& snap);
  // Host path of snapshot `snap` of `f` (for a session mount).
  Result<std::string> HostPath(const store::FolderRecord& f, const std::string& snap);

  // The schedule's side (snapshot_schedule.h): takes "auto-<time>" of `f`
  // and deletes the oldest scheduled ones beyond `keep`.
  Status TakeScheduled(const store::FolderRecord& f, int64_t now_unix, uint64_t keep);

 private:
  Result<store::FolderRecord> ResolveFor(const Principal& p, const std::string& ref, Access need,
                                         const char* verb);
  void Changed(const store::FolderRecord& f, const std::string& change);

  FolderService& folders_;
  UserQuota* quota_;
};

// "20250102T030405Z" for a Unix time.
std::string SnapshotTimeName(int64_t unix_seconds);

}  // namespace berth::manager

#include "manager/snapshot_service.h"

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "manager/user_quota.h"
#include "storage/names.h"

namespace berth::manager {

std::string SnapshotTimeName(int64_t unix_seconds) {
  // RFC 3339's basic format: "2025-01-02T03:04:05Z" without '-' and ':'.
  std::string name = FormatRfc3339(unix_seconds);
  std::erase_if(name, [](char c) { return c == '-' || c == ':'; });
  return name;
}

Result<store::FolderRecord> SnapshotService::ResolveFor(const Principal& p, const std::string& ref,
                                                        Access need, const char* verb) {
  BERTH_ASSIGN_OR_RETURN(auto rec, folders_.ResolveReady(p, ref));
  Access have = folders_.AccessOf(p, rec);
  if (static_cast<int>(have) < static_cast<int>(need)) {
    return PermissionDenied(std::string("you may only read folder '") + rec.name + "': you cannot " +
                                verb + " its snapshots",
                            "read_only_folder");
  }
  return rec;
}

void SnapshotService::Changed(const store::FolderRecord& f, const std::string& change) {
  if (quota_) quota_->Invalidate(f.owner_id);
  folders_.Publish(f, change);
}

Result<api::Snapshot> SnapshotService::Create(const Principal& p, const std::string& ref,
                                              const std::optional<std::string>& name) {
  std::string snap = name.value_or(SnapshotTimeName(NowUnix()));
  BERTH_RETURN_IF_ERROR(storage::ValidateSnapshotName(snap));
  if (storage::IsScheduledSnapshotName(snap)) {
    return InvalidArgument("snapshot names starting with 'auto-' are the schedule's",
                           "invalid_snapshot_name");
  }
  BERTH_ASSIGN_OR_RETURN(auto rec, ResolveFor(p, ref, Access::kWrite, "take"));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, folders_.VolumeOf(rec));
  BERTH_ASSIGN_OR_RETURN(api::Snapshot taken, v->CreateSnapshot(rec.owner_id, rec.id, snap));
  spdlog::info("user {} took snapshot {} of folder {} ({})", p.name, snap, rec.name, rec.id);
  Changed(rec, "snapshot_created");
  return taken;
}

Result<std::vector<api::Snapshot>> SnapshotService::List(const Principal& p,
                                                          const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto rec, ResolveFor(p, ref, Access::kRead, "list"));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, folders_.VolumeOf(rec));
  return v->ListSnapshots(rec.owner_id, rec.id);
}

Status SnapshotService::Delete(const Principal& p, const std::string& ref, const std::string& snap) {
  BERTH_RETURN_IF_ERROR(storage::ValidateSnapshotName(snap));
  BERTH_ASSIGN_OR_RETURN(auto rec, ResolveFor(p, ref, Access::kRead, "delete"));
  if (!folders_.authorizer().CanManageFolder(p, rec)) {
    return PermissionDenied("only the owner can delete snapshots of folder '" + rec.name + "'");
  }
  BERTH_RETURN_IF_ERROR(folders_.CheckNotMounted(rec, snap, "delete snapshot '" + snap + "'",
                                                 "snapshot_in_use"));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, folders_.VolumeOf(rec));
  BERTH_RETURN_IF_ERROR(v->DeleteSnapshot(rec.owner_id, rec.id, snap));
  spdlog::info("user {} deleted snapshot {} of folder {} ({})", p.name, snap, rec.name, rec.id);
  Changed(rec, "snapshot_deleted");
  return Status::Ok();
}

Result<api::Folder> SnapshotService::Restore(const Principal& p, const std::string& ref,
                                             const std::string& snap,
                                             const std::optional<std::string>& path) {
  BERTH_RETURN_IF_ERROR(storage::ValidateSnapshotName(snap));
  BERTH_ASSIGN_OR_RETURN(auto rec, ResolveFor(p, ref, Access::kWrite, "restore"));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, folders_.VolumeOf(rec));
  if (!path || path->empty()) {
    BERTH_RETURN_IF_ERROR(folders_.CheckNotMounted(
        rec, "", "restore the whole folder '" + rec.name + "'", "folder_in_use"));
    BERTH_RETURN_IF_ERROR(v->RestoreSnapshot(rec.owner_id, rec.id, snap, rec.quota_bytes));
    spdlog::info("user {} restored folder {} ({}) from snapshot {}", p.name, rec.name, rec.id, snap);
  } else {
    BERTH_ASSIGN_OR_RETURN(auto source, Open(p, ref, snap));
    BERTH_ASSIGN_OR_RETURN(auto live, folders_.Open(p, rec.id, Access::kWrite));
    BERTH_RETURN_IF_ERROR(live.fs.RestoreFrom(source.fs, *path).status());
    spdlog::info("user {} restored {} of folder {} ({}) from snapshot {}", p.name, *path, rec.name,
                 rec.id, snap);
  }
  Changed(rec, "restored_from_snapshot");
  return folders_.ToApi(p, rec);
}

Result<std::string> SnapshotService::HostPath(const store::FolderRecord& f,
                                              const std::string& snap) {
  BERTH_RETURN_IF_ERROR(storage::ValidateSnapshotName(snap));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, folders_.VolumeOf(f));
  return v->SnapshotPath(f.owner_id, f.id, snap);
}

Result<OpenFolder> SnapshotService::Open(const Principal& p, const std::string& ref,
                                         const std::string& snap) {
  BERTH_ASSIGN_OR_RETURN(auto rec, ResolveFor(p, ref, Access::kRead, "read"));
  BERTH_ASSIGN_OR_RETURN(std::string root, HostPath(rec, snap));
  BERTH_ASSIGN_OR_RETURN(auto fs, storage::FolderFs::Open(root));
  auto quota = rec.quota_bytes;
  return OpenFolder{std::move(rec), std::move(fs), Access::kRead, quota};
}

Status SnapshotService::TakeScheduled(const store::FolderRecord& f, int64_t now_unix,
                                      uint64_t keep) {
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, folders_.VolumeOf(f));
  std::string snap = std::string(storage::kScheduledSnapshotPrefix) + SnapshotTimeName(now_unix);
  Status st = v->CreateSnapshot(f.owner_id, f.id, snap).status();
  if (!st.ok() && st.code() != Code::kAlreadyExists) return st;
  BERTH_ASSIGN_OR_RETURN(auto all, v->ListSnapshots(f.owner_id, f.id));
  std::vector<std::string> scheduled;  // oldest first
  for (const auto& s : all) {
    if (s.scheduled) scheduled.push_back(s.name);
  }
  for (size_t i = 0; i + keep < scheduled.size(); ++i) {
    // A scheduled snapshot a session mounts stays until the next round.
    if (!folders_.CheckNotMounted(f, scheduled[i], "prune", "snapshot_in_use").ok()) continue;
    if (Status d = v->DeleteSnapshot(f.owner_id, f.id, scheduled[i]); !d.ok()) {
      spdlog::warn("folder {} ({}): cannot prune snapshot {}: {}", f.name, f.id, scheduled[i],
                   d.message());
    }
  }
  Changed(f, "snapshot_created");
  return Status::Ok();
}

}  // namespace berth::manager

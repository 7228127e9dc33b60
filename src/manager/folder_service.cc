#include "manager/folder_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.h"
#include "common/random.h"
#include "storage/names.h"

namespace berth::manager {

Result<const storage::Volume*> FolderService::VolumeOf(const store::FolderRecord& f) const {
  auto it = deps_.volumes.find(f.volume);
  if (it == deps_.volumes.end()) {
    return Unavailable("volume '" + f.volume + "' of folder '" + f.name + "' is not configured");
  }
  return it->second;
}

Result<std::string> FolderService::HostPath(const store::FolderRecord& f) const {
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(f));
  return v->FolderPath(f.owner_id, f.id);
}

api::Folder FolderService::ToApi(const Principal& p, const store::FolderRecord& f) {
  api::Folder out;
  out.id = f.id;
  out.name = f.name;
  out.volume = f.volume;
  if (f.owner_id == p.user_id) {
    out.owner = p.name;
  } else if (auto u = deps_.store->GetUser(f.owner_id); u.ok()) {
    out.owner = u->name;
  }
  out.permission = authz_.FolderAccess(p, f) == Access::kWrite ? "rw" : "ro";
  out.status = f.status;
  out.created_at = f.created_at;
  out.trashed_at = f.trashed_at;
  out.quota_bytes = f.quota_bytes;
  out.automount = storage::IsAutomountName(f.name);
  if (f.snapshot_every_s && f.snapshot_keep) {
    out.snapshot_schedule = api::SnapshotSchedule{*f.snapshot_every_s, *f.snapshot_keep};
  }
  return out;
}

void FolderService::Publish(const store::FolderRecord& f, const std::string& change) {
  if (!deps_.events) return;
  std::string data = "{\"change\":\"" + change + "\",\"id\":\"" + f.id + "\",\"name\":\"" + f.name +
                     "\",\"status\":\"" + f.status + "\"}";
  deps_.events->Publish(Event{"folder", f.owner_id, data});
  if (auto shares = deps_.store->ListFolderShares(f.id); shares.ok()) {
    for (const auto& s : *shares) deps_.events->Publish(Event{"folder", s.user_id, data});
  }
}

Result<store::FolderRecord> FolderService::Resolve(const Principal& p, const std::string& ref,
                                                   const std::string& status) {
  if (LooksLikeUuid(ref)) {
    auto rec = deps_.store->GetFolder(ref);
    if (rec.ok() && rec->status == status && authz_.FolderAccess(p, *rec) != Access::kNone) {
      return rec;
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto mine, deps_.store->ListFolders(p.user_id, status));
  if (status == "ready") {
    BERTH_ASSIGN_OR_RETURN(auto shared, SharedWith(p.user_id));
    for (auto& f : shared) mine.push_back(std::move(f));
  }
  std::vector<store::FolderRecord> hits;
  for (auto& f : mine)
    if (f.name == ref) hits.push_back(std::move(f));
  const char* where = status == "trash" ? " in the trash" : "";
  if (hits.empty()) {
    if (status == "ready") BERTH_RETURN_IF_ERROR(CheckNotCloning(p, ref));
    return NotFound("no folder named '" + ref + "'" + where, "folder_not_found");
  }
  if (hits.size() > 1) {
    std::string ids;
    for (auto& h : hits) ids += (ids.empty() ? "" : ", ") + h.id;
    return FailedPrecondition("several folders named '" + ref + "' are" + where +
                                  "; name one by id: " + ids,
                              "ambiguous_folder_name");
  }
  return hits.front();
}

Result<std::vector<store::FolderRecord>> FolderService::SharedWith(const std::string& user_id) {
  BERTH_ASSIGN_OR_RETURN(auto shares, deps_.store->ListUserShares(user_id, "accepted"));
  std::vector<store::FolderRecord> out;
  for (const auto& s : shares) {
    auto f = deps_.store->GetFolder(s.folder_id);
    if (f.ok() && f->status == "ready") out.push_back(std::move(*f));
  }
  return out;
}

Status FolderService::CheckNameFree(const std::string& user_id, const std::string& name,
                                    const std::string& except_folder_id) {
  BERTH_ASSIGN_OR_RETURN(auto own, deps_.store->ListFolders(user_id, "ready"));
  BERTH_ASSIGN_OR_RETURN(auto cloning, deps_.store->ListFolders(user_id, "cloning"));
  BERTH_ASSIGN_OR_RETURN(auto shared, SharedWith(user_id));
  for (const auto* list : {&own, &cloning, &shared}) {
    for (const auto& f : *list) {
      if (f.name == name && f.id != except_folder_id) {
        return AlreadyExists("a folder named '" + name + "' already exists", "folder_exists");
      }
    }
  }
  return Status::Ok();
}

Result<store::FolderRecord> FolderService::ResolveReady(const Principal& p, const std::string& ref) {
  return Resolve(p, ref, "ready");
}

Result<std::vector<store::FolderRecord>> FolderService::OwnedReady(const std::string& owner_id) {
  return deps_.store->ListFolders(owner_id, "ready");
}

Status FolderService::CheckNotInUse(const store::FolderRecord& f, const char* verb) {
  if (!deps_.in_use) return Status::Ok();
  if (auto s = deps_.in_use->SessionUsing(f.id)) {
    return FailedPrecondition(std::string("cannot ") + verb + " folder '" + f.name +
                                  "': session '" + *s + "' mounts it; delete the session first",
                              "folder_in_use");
  }
  return Status::Ok();
}

Status FolderService::CheckNotMounted(const store::FolderRecord& f, const std::string& snapshot,
                                      const std::string& what, const char* reason) {
  if (!deps_.in_use) return Status::Ok();
  if (auto s = deps_.in_use->SessionMounting(f.id, snapshot)) {
    return FailedPrecondition("cannot " + what + ": session '" + *s +
                                  "' mounts it; delete the session first",
                              reason);
  }
  return Status::Ok();
}

Result<api::Folder> FolderService::Create(const Principal& p, const std::string& name,
                                          const std::string& volume,
                                          std::optional<uint64_t> quota_bytes) {
  BERTH_RETURN_IF_ERROR(storage::ValidateFolderName(name));
  std::string vol_name = volume.empty() ? deps_.default_volume : volume;
  auto vit = deps_.volumes.find(vol_name);
  if (vit == deps_.volumes.end()) {
    return InvalidArgument("no volume named '" + vol_name + "'", "volume_not_found");
  }
  if (quota_bytes && *quota_bytes == 0) {
    return InvalidArgument("quota_bytes must be positive", "invalid_quota");
  }
  BERTH_RETURN_IF_ERROR(CheckNameFree(p.user_id, name, ""));
  store::FolderRecord f;
  f.id = NewUuid();
  f.name = name;
  f.volume = vol_name;
  f.owner_id = p.user_id;
  f.created_at = NowRfc3339();
  f.quota_bytes = quota_bytes;
  // Directory first, then the record: a crash in between leaves an empty
  // orphan directory, never a record without data.
  BERTH_RETURN_IF_ERROR(vit->second->CreateFolderDir(f.owner_id, f.id));
  Status st = vit->second->SetQuota(f.owner_id, f.id, quota_bytes);
  if (st.ok()) st = deps_.store->CreateFolder(f);
  if (!st.ok()) {
    (void)vit->second->PurgeFolderDir(f.owner_id, f.id);
    if (st.code() == Code::kAlreadyExists) {
      return AlreadyExists("a folder named '" + name + "' already exists", "folder_exists");
    }
    return st;
  }
  spdlog::info("user {} created folder {} ({})", p.name, f.name, f.id);
  Publish(f, "created");
  return ToApi(p, f);
}

Result<std::vector<api::Folder>> FolderService::List(const Principal& p, bool trash) {
  BERTH_ASSIGN_OR_RETURN(auto recs, deps_.store->ListFolders(p.user_id, trash ? "trash" : "ready"));
  if (!trash) {
    BERTH_ASSIGN_OR_RETURN(auto cloning, deps_.store->ListFolders(p.user_id, "cloning"));
    BERTH_ASSIGN_OR_RETURN(auto shared, SharedWith(p.user_id));
    for (auto& f : cloning) recs.push_back(std::move(f));
    for (auto& f : shared) recs.push_back(std::move(f));
    std::sort(recs.begin(), recs.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  std::vector<api::Folder> out;
  for (const auto& f : recs) out.push_back(ToApi(p, f));
  return out;
}

Result<api::Folder> FolderService::Get(const Principal& p, const std::string& ref, bool with_usage) {
  auto find = [&] {
    auto rec = Resolve(p, ref, "ready");
    if (!rec.ok() && rec.status().reason() == "folder_cloning") rec = Resolve(p, ref, "cloning");
    if (!rec.ok() && rec.status().code() == Code::kNotFound) rec = Resolve(p, ref, "trash");
    return rec;
  };
  auto rec = find();
  // A clone that ended between the reads above (cloning, then ready) was
  // in none of them: a miss is read once more, so that a client polling a
  // clone never sees it vanish.
  if (!rec.ok() && rec.status().code() == Code::kNotFound) rec = find();
  if (!rec.ok()) return rec.status();
  api::Folder out = ToApi(p, *rec);
  // A clone's usage is its progress events' business: until its copy
  // starts it has no directory at all (its record comes first), and asking
  // the volume then answered 404 for a folder that exists.
  if (with_usage && rec->status != "cloning") {
    BERTH_ASSIGN_OR_RETURN(out.usage, UsageOf(*rec));
  }
  return out;
}

Result<uint64_t> FolderService::OwnedBytes(const std::string& owner_id) {
  BERTH_ASSIGN_OR_RETURN(auto recs, deps_.store->ListFolders(owner_id, ""));
  uint64_t total = 0;
  // Per volume, one read of the owner's total where the volume keeps one
  // (btrfs: the owner's level-1 qgroup, snapshots included).
  std::map<std::string, std::optional<uint64_t>> owner_total;
  for (const auto& rec : recs) {
    auto [it, first] = owner_total.try_emplace(rec.volume);
    if (first) {
      if (auto v = VolumeOf(rec); v.ok()) {
        auto bytes = (*v)->OwnerBytes(owner_id);
        if (bytes.ok()) it->second = *bytes;
      }
      if (it->second) total += *it->second;
    }
    if (it->second) continue;
    // The volume's own accounting (a btrfs qgroup read, no tree walk) where it keeps one.
    auto usage = UsageOf(rec);
    if (!usage.ok() && usage.status().code() == Code::kNotFound) continue;  // purged meanwhile
    if (!usage.ok()) return usage.status();
    total += usage->bytes;
  }
  return total;
}

Result<api::Folder> FolderService::Rename(const Principal& p, const std::string& ref,
                                          const std::string& new_name) {
  BERTH_RETURN_IF_ERROR(storage::ValidateFolderName(new_name));
  BERTH_ASSIGN_OR_RETURN(auto rec, Resolve(p, ref, "ready"));
  if (!authz_.CanManageFolder(p, rec)) {
    return PermissionDenied("only the owner can rename folder '" + rec.name + "'");
  }
  if (rec.name == new_name) return ToApi(p, rec);
  BERTH_RETURN_IF_ERROR(CheckNotInUse(rec, "rename"));
  BERTH_RETURN_IF_ERROR(CheckNameFree(rec.owner_id, new_name, rec.id));
  BERTH_ASSIGN_OR_RETURN(auto shares, deps_.store->ListFolderShares(rec.id));
  // A dot-name makes it an automount folder, which is never shared (SPEC §2):
  // it would be mounted read-write into the owner's every session while
  // invitees (or pending invitations) still reach it.
  if (storage::IsAutomountName(new_name) && !shares.empty()) {
    return FailedPrecondition("folder '" + rec.name + "' is shared or has pending invitations; "
                                  "revoke them before giving it a name starting with '.'",
                              "folder_shared");
  }
  for (const auto& sh : shares) {
    if (sh.status != "accepted") continue;
    if (!CheckNameFree(sh.user_id, new_name, rec.id).ok()) {
      return AlreadyExists("a user this folder is shared with already has a folder named '" +
                               new_name + "'",
                           "folder_exists");
    }
  }
  std::string old = rec.name;
  rec.name = new_name;
  Status st = deps_.store->UpdateFolder(rec);
  if (st.code() == Code::kAlreadyExists) {
    return AlreadyExists("a folder named '" + new_name + "' already exists", "folder_exists");
  }
  BERTH_RETURN_IF_ERROR(st);
  spdlog::info("user {} renamed folder {} to {} ({})", p.name, old, new_name, rec.id);
  Publish(rec, "renamed");
  return ToApi(p, rec);
}

bool FolderService::KernelQuota(const store::FolderRecord& f) const {
  auto v = VolumeOf(f);
  return v.ok() && (*v)->capabilities().kernel_quota;
}

Result<api::Usage> FolderService::UsageOf(const store::FolderRecord& f) const {
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(f));
  return v->Usage(f.owner_id, f.id);
}

Result<api::Folder> FolderService::SetQuota(const Principal& p, const std::string& ref,
                                            std::optional<uint64_t> quota_bytes) {
  BERTH_ASSIGN_OR_RETURN(auto rec, Resolve(p, ref, "ready"));
  if (!authz_.CanManageFolder(p, rec)) {
    return PermissionDenied("only the owner can change the quota of folder '" + rec.name + "'");
  }
  if (quota_bytes && *quota_bytes == 0) {
    return InvalidArgument("quota_bytes must be positive", "invalid_quota");
  }
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(rec));
  // Kernel first: if the limit cannot be set, the record keeps the old one.
  BERTH_RETURN_IF_ERROR(v->SetQuota(rec.owner_id, rec.id, quota_bytes));
  rec.quota_bytes = quota_bytes;
  BERTH_RETURN_IF_ERROR(deps_.store->UpdateFolder(rec));
  spdlog::info("user {} set the quota of folder {} ({}) to {}", p.name, rec.name, rec.id,
               quota_bytes ? std::to_string(*quota_bytes) : "none");
  Publish(rec, "updated");
  return ToApi(p, rec);
}

Result<api::Folder> FolderService::SetSnapshotSchedule(
    const Principal& p, const std::string& ref, std::optional<api::SnapshotSchedule> schedule) {
  BERTH_ASSIGN_OR_RETURN(auto rec, Resolve(p, ref, "ready"));
  if (!authz_.CanManageFolder(p, rec)) {
    return PermissionDenied("only the owner can schedule snapshots of folder '" + rec.name + "'");
  }
  if (schedule) {
    if (schedule->every_s < kMinSnapshotEveryS || schedule->keep < 1 ||
        schedule->keep > kMaxScheduledSnapshots) {
      return InvalidArgument("snapshot_schedule needs every_s >= " +
                                 std::to_string(kMinSnapshotEveryS) + " and keep from 1 to " +
                                 std::to_string(kMaxScheduledSnapshots),
                             "invalid_snapshot_schedule");
    }
    BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(rec));
    if (!v->capabilities().snapshots) {
      return FailedPrecondition("volume '" + rec.volume + "' does not keep snapshots",
                                "snapshots_unsupported");
    }
    rec.snapshot_every_s = schedule->every_s;
    rec.snapshot_keep = schedule->keep;
  } else {
    rec.snapshot_every_s.reset();
    rec.snapshot_keep.reset();
  }
  BERTH_RETURN_IF_ERROR(deps_.store->UpdateFolder(rec));
  spdlog::info("user {} set the snapshot schedule of folder {} ({}) to {}", p.name, rec.name,
               rec.id,
               schedule ? "every " + std::to_string(schedule->every_s) + " s, keep " +
                              std::to_string(schedule->keep)
                        : "none");
  Publish(rec, "updated");
  return ToApi(p, rec);
}

void FolderService::ReconcileQuotas() {
  auto all = deps_.store->ListAllFolders();
  if (!all.ok()) {
    spdlog::warn("folder quota reconciliation: {}", all.status().message());
    return;
  }
  for (const auto& f : *all) {
    auto v = VolumeOf(f);
    if (!v.ok()) continue;  // a volume no longer configured: nothing to repair
    if (Status st = (*v)->Reconcile(f.owner_id, f.id, f.quota_bytes); !st.ok()) {
      spdlog::warn("folder {} ({}): quota not repaired: {}", f.name, f.id, st.message());
    }
  }
}

Result<api::Folder> FolderService::Trash(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto rec, Resolve(p, ref, "ready"));
  if (!authz_.CanManageFolder(p, rec)) {
    return PermissionDenied("only the owner can delete folder '" + rec.name + "'");
  }
  BERTH_RETURN_IF_ERROR(CheckNotInUse(rec, "delete"));
  {
    std::lock_guard lock(sources_mu_);
    if (clone_sources_.count(rec.id)) {
      return FailedPrecondition("cannot delete folder '" + rec.name +
                                    "': it is being cloned; try again when the clone is ready",
                                "folder_in_use");
    }
  }
  rec.status = "trash";
  rec.trashed_at = NowRfc3339();
  BERTH_RETURN_IF_ERROR(deps_.store->UpdateFolder(rec));
  spdlog::info("user {} moved folder {} ({}) to the trash", p.name, rec.name, rec.id);
  if (deps_.audit) deps_.audit->Record(p.name, "folder.delete", rec.id, "ok", rec.name);
  Publish(rec, "trashed");
  return ToApi(p, rec);
}

Result<api::Folder> FolderService::Restore(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto rec, Resolve(p, ref, "trash"));
  if (!authz_.CanManageFolder(p, rec)) {
    return PermissionDenied("only the owner can restore folder '" + rec.name + "'");
  }
  if (Status free = CheckNameFree(rec.owner_id, rec.name, rec.id); !free.ok()) {
    return AlreadyExists("cannot restore '" + rec.name +
                             "': another folder now has that name; rename it first",
                         "folder_exists");
  }
  rec.status = "ready";
  rec.trashed_at.reset();
  Status st = deps_.store->UpdateFolder(rec);
  if (st.code() == Code::kAlreadyExists) {
    return AlreadyExists("cannot restore '" + rec.name +
                             "': another folder now has that name; rename it first",
                         "folder_exists");
  }
  BERTH_RETURN_IF_ERROR(st);
  spdlog::info("user {} restored folder {} ({})", p.name, rec.name, rec.id);
  Publish(rec, "restored");
  return ToApi(p, rec);
}

Status FolderService::Purge(const Principal& p, const std::string& ref) {
  auto rec = Resolve(p, ref, "trash");
  if (!rec.ok()) {
    if (rec.status().code() != Code::kNotFound) return rec.status();
    auto ready = Resolve(p, ref, "ready");
    if (ready.ok()) {
      return FailedPrecondition("folder '" + ref + "' is not in the trash; delete it first",
                                "folder_not_in_trash");
    }
    if (ready.status().reason() == "folder_cloning") return ready.status();
    return rec.status();
  }
  if (!authz_.CanManageFolder(p, *rec)) {
    return PermissionDenied("only the owner can purge folder '" + rec->name + "'");
  }
  BERTH_RETURN_IF_ERROR(CheckNotInUse(*rec, "purge"));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(*rec));
  // Data first, then the record: a crash in between leaves a trash entry
  // whose purge can simply be repeated.
  BERTH_RETURN_IF_ERROR(v->PurgeFolderDir(rec->owner_id, rec->id));
  Publish(*rec, "purged");  // before the shares go with the record
  BERTH_RETURN_IF_ERROR(deps_.store->DeleteFolder(rec->id));
  spdlog::info("user {} purged folder {} ({})", p.name, rec->name, rec->id);
  if (deps_.audit) deps_.audit->Record(p.name, "folder.purge", rec->id, "ok", rec->name);
  return Status::Ok();
}

Result<OpenFolder> FolderService::Open(const Principal& p, const std::string& ref, Access need) {
  BERTH_ASSIGN_OR_RETURN(auto rec, Resolve(p, ref, "ready"));
  Access have = authz_.FolderAccess(p, rec);
  if (static_cast<int>(have) < static_cast<int>(need)) {
    return PermissionDenied("you may only read folder '" + rec.name + "'", "read_only_folder");
  }
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(rec));
  BERTH_ASSIGN_OR_RETURN(auto fs, storage::FolderFs::Open(v->FolderPath(rec.owner_id, rec.id)));
  auto quota = rec.quota_bytes;
  return OpenFolder{std::move(rec), std::move(fs), have, quota};
}

std::vector<api::Volume> FolderService::Volumes() const {
  std::vector<api::Volume> out;
  // The default first, then the rest by name.
  auto add = [&out](const storage::Volume* v) {
    if (auto info = v->Info(); info.ok()) out.push_back(*info);
  };
  if (auto d = deps_.volumes.find(deps_.default_volume); d != deps_.volumes.end()) add(d->second);
  for (const auto& [name, v] : deps_.volumes) {
    if (name != deps_.default_volume) add(v);
  }
  return out;
}

}  // namespace berth::manager

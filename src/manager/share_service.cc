#include "manager/share_service.h"

#include "common/clock.h"
#include "common/random.h"
#include "storage/names.h"

namespace berth::manager {

ShareView ShareService::View(const store::ShareRecord& s) {
  ShareView v{s.id, "", s.folder_id, "", "", s.permission, s.status, s.created_at};
  if (auto f = store_.GetFolder(s.folder_id); f.ok()) {
    v.folder = f->name;
    if (auto o = store_.GetUser(f->owner_id); o.ok()) v.owner = o->name;
  }
  if (auto u = store_.GetUser(s.user_id); u.ok()) v.user = u->name;
  return v;
}

void ShareService::EndSessions(const std::string& actor, const store::FolderRecord& f,
                               const std::string& user_id, bool rw_only) {
  if (!revoker_) return;
  for (const auto& name : revoker_->EndSessionsMounting(user_id, f.id, rw_only)) {
    audit_.Record(actor, "session.end", f.id, "ok", name + ": share_revoked");
  }
}

Result<store::FolderRecord> ShareService::OwnedFolder(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto f, folders_.Resolve(p, ref, "ready"));
  if (!folders_.authorizer().CanManageFolder(p, f)) {
    return PermissionDenied("only the owner of folder '" + f.name + "' can manage its shares",
                            "not_folder_owner");
  }
  return f;
}

Result<ShareView> ShareService::Share(const Principal& p, const std::string& folder_ref,
                                      const std::string& user, const std::string& permission) {
  if (permission != "ro" && permission != "rw") {
    return InvalidArgument("permission must be 'ro' or 'rw'", "invalid_permission");
  }
  BERTH_ASSIGN_OR_RETURN(auto f, OwnedFolder(p, folder_ref));
  if (storage::IsAutomountName(f.name)) {
    return InvalidArgument("automount folders (names starting with '.') cannot be shared",
                           "automount_not_shareable");
  }
  auto invitee = store_.GetUserByName(user);
  if (!invitee.ok()) return NotFound("no user named '" + user + "'", "user_not_found");
  if (invitee->id == f.owner_id) {
    return InvalidArgument("a folder cannot be shared with its owner", "share_with_owner");
  }
  auto existing = store_.GetShare(f.id, invitee->id);
  store::ShareRecord rec;
  if (existing.ok()) {
    rec = *existing;
    rec.permission = permission;
    BERTH_RETURN_IF_ERROR(store_.UpdateShare(rec));
    if (existing->permission == "rw" && permission == "ro" && rec.status == "accepted") {
      EndSessions(p.name, f, invitee->id, /*rw_only=*/true);
    }
  } else {
    rec = store::ShareRecord{NewUuid(), f.id, invitee->id, permission, "pending", NowRfc3339()};
    BERTH_RETURN_IF_ERROR(store_.CreateShare(rec));
  }
  audit_.Record(p.name, "folder.share", f.id + " -> " + user, "ok", permission);
  return View(rec);
}

Result<std::vector<ShareView>> ShareService::ListShares(const Principal& p,
                                                        const std::string& folder_ref) {
  BERTH_ASSIGN_OR_RETURN(auto f, OwnedFolder(p, folder_ref));
  BERTH_ASSIGN_OR_RETURN(auto shares, store_.ListFolderShares(f.id));
  std::vector<ShareView> out;
  for (const auto& s : shares) out.push_back(View(s));
  return out;
}

Status ShareService::Unshare(const Principal& p, const std::string& folder_ref,
                             const std::string& user) {
  BERTH_ASSIGN_OR_RETURN(auto f, OwnedFolder(p, folder_ref));
  auto invitee = store_.GetUserByName(user);
  if (!invitee.ok()) return NotFound("no user named '" + user + "'", "user_not_found");
  auto share = store_.GetShare(f.id, invitee->id);
  if (!share.ok()) {
    return NotFound("folder '" + f.name + "' is not shared with '" + user + "'", "share_not_found");
  }
  BERTH_RETURN_IF_ERROR(store_.DeleteShare(share->id));
  audit_.Record(p.name, "folder.unshare", f.id + " -> " + user);
  if (share->status == "accepted") EndSessions(p.name, f, invitee->id, /*rw_only=*/false);
  return Status::Ok();
}

Result<std::vector<ShareView>> ShareService::Invitations(const Principal& p) {
  BERTH_ASSIGN_OR_RETURN(auto shares, store_.ListUserShares(p.user_id, "pending"));
  std::vector<ShareView> out;
  for (const auto& s : shares) {
    auto f = store_.GetFolder(s.folder_id);
    if (f.ok() && f->status == "ready") out.push_back(View(s));
  }
  return out;
}

Result<store::ShareRecord> ShareService::MyInvitation(const Principal& p, const std::string& id) {
  auto s = store_.GetShareById(id);
  if (!s.ok() || s->user_id != p.user_id) {
    return NotFound("no invitation with id '" + id + "'", "invitation_not_found");
  }
  return s;
}

Result<ShareView> ShareService::Accept(const Principal& p, const std::string& invitation_id) {
  BERTH_ASSIGN_OR_RETURN(auto s, MyInvitation(p, invitation_id));
  if (s.status == "accepted") return View(s);
  BERTH_ASSIGN_OR_RETURN(auto f, store_.GetFolder(s.folder_id));
  if (f.status != "ready") {
    return FailedPrecondition("folder '" + f.name + "' is in the owner's trash", "folder_in_trash");
  }
  // The owner may have renamed it since the invitation (Rename refuses a
  // dot-name while shares exist; this covers stores written before that).
  if (storage::IsAutomountName(f.name)) {
    return FailedPrecondition("folder '" + f.name +
                                  "' is now an automount folder (its name starts with '.'); "
                                  "those cannot be shared",
                              "automount_not_shareable");
  }
  if (Status free = folders_.CheckNameFree(p.user_id, f.name, f.id); !free.ok()) {
    return AlreadyExists("you already have a folder named '" + f.name +
                             "'; rename yours before accepting",
                         "folder_exists");
  }
  s.status = "accepted";
  BERTH_RETURN_IF_ERROR(store_.UpdateShare(s));
  audit_.Record(p.name, "folder.share.accept", f.id);
  return View(s);
}

Status ShareService::Reject(const Principal& p, const std::string& invitation_id) {
  BERTH_ASSIGN_OR_RETURN(auto s, MyInvitation(p, invitation_id));
  BERTH_RETURN_IF_ERROR(store_.DeleteShare(s.id));
  audit_.Record(p.name, "folder.share.reject", s.folder_id);
  return Status::Ok();
}

Status ShareService::Leave(const Principal& p, const std::string& folder_ref) {
  BERTH_ASSIGN_OR_RETURN(auto f, folders_.Resolve(p, folder_ref, "ready"));
  auto s = store_.GetShare(f.id, p.user_id);
  if (!s.ok() || s->status != "accepted") {
    return FailedPrecondition("folder '" + f.name + "' is not shared with you", "not_shared_with_you");
  }
  BERTH_RETURN_IF_ERROR(store_.DeleteShare(s->id));
  audit_.Record(p.name, "folder.leave", f.id);
  EndSessions(p.name, f, p.user_id, /*rw_only=*/false);
  return Status::Ok();
}

}  // namespace berth::manager

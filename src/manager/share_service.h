// ShareService: folder sharing (SPEC §4). The owner invites a user with
// "ro" or "rw" (or changes the permission of an existing share); the
// invitee sees the folder only after accepting; the owner revokes; the
// invitee may leave. Dot-folders (automount) cannot be shared. Invitees
// never rename, delete or re-share (FolderService asks the Authorizer).
// Revoking, leaving, or narrowing rw to ro ends the invitee's running
// sessions that mount the folder (through a SharedMountRevoker).
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/folder_service.h"
#include "manager/principal.h"
#include "manager/share_revocation.h"
#include "store/store.h"

namespace berth::manager {

struct ShareView {
  std::string id;  // invitation id
  std::string folder;
  std::string folder_id;
  std::string owner;
  std::string user;
  std::string permission;
  std::string status;  // "pending" | "accepted"
  std::string created_at;
};

class ShareService {
 public:
  ShareService(store::Store& store, FolderService& folders, AuditLog& audit)
      : store_(store), folders_(folders), audit_(audit) {}

  Result<ShareView> Share(const Principal& p, const std::string& folder_ref,
                          const std::string& user, const std::string& permission);
  Result<std::vector<ShareView>> ListShares(const Principal& p, const std::string& folder_ref);
  Status Unshare(const Principal& p, const std::string& folder_ref, const std::string& user);
  Result<std::vector<ShareView>> Invitations(const Principal& p);
  Result<ShareView> Accept(const Principal& p, const std::string& invitation_id);
  Status Reject(const Principal& p, const std::string& invitation_id);
  Status Leave(const Principal& p, const std::string& folder_ref);

  // Plugs in the session side (the services are built in this order).
  // REQUIRES: called before serving requests.
  void SetRevoker(SharedMountRevoker* r) { revoker_ = r; }

 private:
  Result<store::FolderRecord> OwnedFolder(const Principal& p, const std::string& ref);
  Result<store::ShareRecord> MyInvitation(const Principal& p, const std::string& id);
  ShareView View(const store::ShareRecord& s);
  // Ends `user_id`'s sessions that no longer may mount `f` (as they did).
  void EndSessions(const std::string& actor, const store::FolderRecord& f,
                   const std::string& user_id, bool rw_only);

  store::Store& store_;
  FolderService& folders_;
  AuditLog& audit_;
  SharedMountRevoker* revoker_ = nullptr;  // optional
};

}  // namespace berth::manager

// SharedMountRevoker: what a running session loses when a share is taken
// away. Revoking a share, leaving it, or narrowing it from rw to ro must
// take effect in the invitee's running sessions too (SPEC §5). Unmounting is
// not enough: open files and working directories inside the bind mount keep
// working after a lazy unmount, so the sessions are ended instead and keep
// `status_reason` "share_revoked" until their owner deletes them.
//
// ShareService calls this after the store has changed; SessionService
// implements it. An interface so that shares do not depend on sessions (the
// same way FolderService asks a FolderUseChecker). Implementations are
// thread-safe.
#pragma once

#include <string>
#include <vector>

namespace berth::manager {

class SharedMountRevoker {
 public:
  virtual ~SharedMountRevoker() = default;
  // Ends `user_id`'s running sessions that mount `folder_id` (with
  // `rw_only`, only those that mount it read-write) and returns their names.
  // Best effort: a session that cannot be stopped is marked "error".
  virtual std::vector<std::string> EndSessionsMounting(const std::string& user_id,
                                                       const std::string& folder_id,
                                                       bool rw_only) = 0;
};

}  // namespace berth::manager

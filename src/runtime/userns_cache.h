// UsernsCache: the user namespaces that idmapped mounts are made with, kept
// for reuse. A user namespace used only as the idmap of mount_setattr
// (runtime/idmap.h) holds no process and means nothing but its maps, so one
// per distinct (uid map, gid map) serves every session: the image root fs's
// ShiftMap, and one FolderMap per (disk owner, session user). Making one
// forks berthd (MakeUserNamespace), three or four times per session create
// without the cache; with it, a session whose maps were seen before forks
// nothing.
//
// Bounded: past kMaxEntries distinct map pairs the cache is emptied
// (namespaces in use stay alive through their own fds).
//
// Thread-safety: thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <utility>

#include "common/result.h"
#include "common/unique_fd.h"
#include "runtime/idmap.h"

namespace berth::runtime {

class UsernsCache {
 public:
  static constexpr size_t kMaxEntries = 256;

  // A descriptor (the caller's own, dup'ed) of a user namespace with these
  // maps; made with MakeUserNamespace on first use.
  Result<UniqueFd> Get(const IdMap& uids, const IdMap& gids);

  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<IdMap, IdMap>, UniqueFd> namespaces_;
};

}  // namespace berth::runtime

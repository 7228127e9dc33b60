// Authorizer: the one place that decides what a principal may do with a
// folder (SPEC §4). Handlers and services never compare owner ids
// themselves; they ask here. Thread-safe (stateless over the Store).
#pragma once

#include "manager/principal.h"
#include "store/records.h"

namespace berth::manager {

enum class Access { kNone = 0, kRead = 1, kWrite = 2 };

class Authorizer {
 public:
  // What `p` may do with the contents of `f`: the owner reads and writes; a
  // superadmin may act on every folder (and such actions are logged).
  Access FolderAccess(const Principal& p, const store::FolderRecord& f) const;
  // Rename, trash, restore, purge: the owner (or a superadmin) only.
  bool CanManageFolder(const Principal& p, const store::FolderRecord& f) const;
};

}  // namespace berth::manager

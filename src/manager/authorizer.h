// Authorizer: the one place that decides what a principal may do (SPEC §4).
// Services and REST handlers ask here; they never compare owner ids or roles
// themselves. Thread-safe (reads the Store).
//
// The questions it answers:
//   FolderAccess      read/write a folder's contents     (FolderService)
//   CanManageFolder   rename, trash, restore, purge, share (FolderService)
//   CanAdminister     manage users and their tokens      (UserService)
//   CanUseSession     act on a session                   (SessionService)
//   CanManageImages   build and import images            (rest/images.cc)
//   CanSeeAllEvents   receive every user's events        (rest/events.cc)
#pragma once

#include "manager/principal.h"
#include "store/records.h"
#include "store/store.h"

namespace berth::manager {

enum class Access { kNone = 0, kRead = 1, kWrite = 2 };

class Authorizer {
 public:
  explicit Authorizer(store::Store& store) : store_(store) {}

  // What `p` may do with the contents of `f`: the owner reads and writes;
  // an invitee who accepted a share gets its permission; a superadmin may
  // act on every folder (and such actions are logged).
  Access FolderAccess(const Principal& p, const store::FolderRecord& f) const;
  // Rename, trash, restore, purge, share: the owner (or a superadmin) only;
  // never an invitee, whatever the share's permission.
  bool CanManageFolder(const Principal& p, const store::FolderRecord& f) const;
  // Users and their tokens: superadmins only.
  bool CanAdminister(const Principal& p) const { return p.is_superadmin(); }
  // Building and importing images (which every user's sessions then run):
  // superadmins only. Listing images is open to every user.
  bool CanManageImages(const Principal& p) const { return p.is_superadmin(); }
  // The event stream carries every user's events for a superadmin, only
  // the caller's own otherwise.
  bool CanSeeAllEvents(const Principal& p) const { return p.is_superadmin(); }
  // `GET /sessions?all=true` lists every user's sessions for a superadmin;
  // for anyone else `all` is ignored and they see their own.
  bool CanListAllSessions(const Principal& p) const { return p.is_superadmin(); }
  // A session belongs to its owner; a superadmin may act on every session.
  bool CanUseSession(const Principal& p, const store::SessionRecord& s) const;

 private:
  store::Store& store_;
};

}  // namespace berth::manager

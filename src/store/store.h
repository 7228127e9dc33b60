// Store: the metadata store interface (users, API tokens, folders, sessions,
// shares, dotfiles, browser sign-ins). Two implementations run the shared
// suite store_suite.h: SqliteStore (the embedded default) and PgStore
// (PostgreSQL, for several managers on one database); store_factory.h picks
// one from the store URL.
//
// Every method is safe to call from several threads at once. Methods return
// NotFound for missing rows and AlreadyExists when a uniqueness rule fails;
// other failures are Internal/Unavailable. The store holds no behaviour:
// services decide; the store enforces only what the schema enforces.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "store/records.h"

namespace berth::store {

class Store {
 public:
  virtual ~Store() = default;

  // Users. Names are unique.
  virtual Status CreateUser(const UserRecord& u) = 0;
  virtual Result<UserRecord> GetUser(const std::string& id) = 0;
  virtual Result<UserRecord> GetUserByName(const std::string& name) = 0;
  virtual Result<std::vector<UserRecord>> ListUsers() = 0;
  virtual Status UpdateUser(const UserRecord& u) = 0;
  // Also deletes the user's tokens.
  virtual Status DeleteUser(const std::string& id) = 0;
  virtual Result<int64_t> CountUsers() = 0;

  // API tokens, looked up by the hash of their secret.
  virtual Status CreateToken(const TokenRecord& t) = 0;
  virtual Result<TokenRecord> GetTokenByHash(const std::string& secret_hash) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens(const std::string& user_id) = 0;
  virtual Status DeleteToken(const std::string& user_id, const std::string& id) = 0;
  virtual Status TouchToken(const std::string& id, const std::string& when) = 0;

  // Folders. (owner_id, name) is unique among folders with status "ready";
  // trashed folders may share names.
  virtual Status CreateFolder(const FolderRecord& f) = 0;
  virtual Result<FolderRecord> GetFolder(const std::string& id) = 0;
  // Folders of `owner_id` with `status` ("" = any), ordered by name then
  // creation time.
  virtual Result<std::vector<FolderRecord>> ListFolders(const std::string& owner_id,
                                                        const std::string& status) = 0;
  // Every folder (superadmin views, reconciliation).
  virtual Result<std::vector<FolderRecord>> ListAllFolders() = 0;
  // Ready folders with a snapshot schedule (the scheduler's once-a-second
  // look), in no particular order.
  virtual Result<std::vector<FolderRecord>> ListScheduledFolders() = 0;
  virtual Status UpdateFolder(const FolderRecord& f) = 0;
  virtual Status DeleteFolder(const std::string& id) = 0;

  // Sessions. (owner_id, name) is unique.
  virtual Status CreateSession(const SessionRecord& s) = 0;
  virtual Result<SessionRecord> GetSession(const std::string& id) = 0;
  virtual Result<SessionRecord> GetSessionByName(const std::string& owner_id,
                                                 const std::string& name) = 0;
  // `owner_id` empty: every session.
  virtual Result<std::vector<SessionRecord>> ListSessions(const std::string& owner_id) = 0;
  // Updates every field, including the folder list.
  virtual Status UpdateSession(const SessionRecord& s) = 0;
  virtual Status DeleteSession(const std::string& id) = 0;
  // Names of the sessions that mount folder `folder_id`.
  virtual Result<std::vector<std::string>> SessionsUsingFolder(const std::string& folder_id) = 0;

  // Shares. (folder_id, user_id) is unique.
  virtual Status CreateShare(const ShareRecord& s) = 0;
  virtual Result<ShareRecord> GetShare(const std::string& folder_id, const std::string& user_id) = 0;
  virtual Result<ShareRecord> GetShareById(const std::string& id) = 0;
  virtual Result<std::vector<ShareRecord>> ListFolderShares(const std::string& folder_id) = 0;
  // Shares offered to `user_id` with `status` ("" = any).
  virtual Result<std::vector<ShareRecord>> ListUserShares(const std::string& user_id,
                                                          const std::string& status) = 0;
  virtual Status UpdateShare(const ShareRecord& s) = 0;
  virtual Status DeleteShare(const std::string& id) = 0;

  // Dotfiles. (user_id, path) is unique; deleted with their user.
  // Ordered by path.
  virtual Result<std::vector<DotfileRecord>> ListDotfiles(const std::string& user_id) = 0;
  virtual Result<DotfileRecord> GetDotfile(const std::string& user_id,
                                           const std::string& path) = 0;
  // Creates or replaces the row (user_id, path).
  virtual Status PutDotfile(const DotfileRecord& d) = 0;
  virtual Status DeleteDotfile(const std::string& user_id, const std::string& path) = 0;

  // Browser sign-ins.
  virtual Status CreateWebSession(const WebSessionRecord& w) = 0;
  virtual Result<WebSessionRecord> GetWebSession(const std::string& secret_hash) = 0;
  virtual Status DeleteWebSession(const std::string& secret_hash) = 0;
};

}  // namespace berth::store

// SqliteStore's queries, one group per resource in store.h's order. The
// schema and its migrations are in sqlite_schema.cc, the record <-> row
// mapping in sqlite_rows.cc.
#include "store/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <mutex>

#include "store/sqlite_rows.h"
#include "store/sqlite_schema.h"

namespace berth::store {
namespace {

Status FromException(const SQLite::Exception& e, const std::string& what) {
  if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
    return AlreadyExists(what + " already exists");
  }
  if ((e.getErrorCode() & 0xff) == SQLITE_BUSY) return Unavailable("database is busy");
  return Internal("database error (" + what + "): " + e.what());
}

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec("PRAGMA foreign_keys=ON");
    db_.setBusyTimeout(5000);
  }

  // REQUIRES: called once, before the store is shared.
  Status Migrate() {
    std::lock_guard lock(mu_);
    return MigrateSqliteSchema(db_);
  }

  // Users.
  Status CreateUser(const UserRecord& u) override {
    return Exec("user '" + u.name + "'", [&] {
      SQLite::Statement q(db_, std::string("INSERT INTO users (") + kUserCols +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      static_assert(kUserColCount == 14, "one ? per column above");
      BindUser(q, u);
      q.exec();
    });
  }
  Result<UserRecord> GetUser(const std::string& id) override {
    return One<UserRecord>("user", std::string("SELECT ") + kUserCols + " FROM users WHERE id=?", id,
                           ReadUser);
  }
  Result<UserRecord> GetUserByName(const std::string& name) override {
    return One<UserRecord>("user '" + name + "'",
                           std::string("SELECT ") + kUserCols + " FROM users WHERE name=?", name,
                           ReadUser);
  }
  Result<std::vector<UserRecord>> ListUsers() override {
    return Many<UserRecord>(std::string("SELECT ") + kUserCols + " FROM users ORDER BY name", {},
                            ReadUser);
  }
  Status UpdateUser(const UserRecord& u) override {
    return ExecChanged("user '" + u.name + "'", [&] {
      SQLite::Statement q(db_,
                          "UPDATE users SET id=?, name=?, role=?, password_hash=?, sudo_allowed=?, "
                          "uid=?, gid=?, created_at=?, max_sessions=?, max_cpu=?, "
                          "max_memory_bytes=?, max_pids=?, python_user_base=?, quota_bytes=? WHERE id=?");
      BindUser(q, u);
      q.bind(kUserColCount + 1, u.id);
      return q.exec();
    });
  }
  Status DeleteUser(const std::string& id) override {
    return ExecChanged("user", [&] {
      SQLite::Statement q(db_, "DELETE FROM users WHERE id=?");
      q.bind(1, id);
      return q.exec();
    });
  }
  Result<int64_t> CountUsers() override {
    std::lock_guard lock(mu_);
    try {
      return static_cast<int64_t>(db_.execAndGet("SELECT COUNT(*) FROM users").getInt64());
    } catch (const SQLite::Exception& e) {
      return FromException(e, "users");
    }
  }

  // Tokens.
  Status CreateToken(const TokenRecord& t) override {
    return Exec("token", [&] {
      SQLite::Statement q(db_, std::string("INSERT INTO tokens (") + kTokenCols +
                                   ") VALUES (?,?,?,?,?,?)");
      q.bind(1, t.id);
      q.bind(2, t.user_id);
      q.bind(3, t.label);
      q.bind(4, t.secret_hash);
      q.bind(5, t.created_at);
      BindOpt(q, 6, t.last_used_at);
      q.exec();
    });
  }
  Result<TokenRecord> GetTokenByHash(const std::string& secret_hash) override {
    return One<TokenRecord>("token",
                            std::string("SELECT ") + kTokenCols + " FROM tokens WHERE secret_hash=?",
                            secret_hash, ReadToken);
  }
  Result<std::vector<TokenRecord>> ListTokens(const std::string& user_id) override {
    return Many<TokenRecord>(
        std::string("SELECT ") + kTokenCols + " FROM tokens WHERE user_id=? ORDER BY created_at",
        {user_id}, ReadToken);
  }
  Status DeleteToken(const std::string& user_id, const std::string& id) override {
    return ExecChanged("token '" + id + "'", [&] {
      SQLite::Statement q(db_, "DELETE FROM tokens WHERE user_id=? AND id=?");
      q.bind(1, user_id);
      q.bind(2, id);
      return q.exec();
    });
  }
  Status TouchToken(const std::string& id, const std::string& when) override {
    return Exec("token", [&] {
      SQLite::Statement q(db_, "UPDATE tokens SET last_used_at=? WHERE id=?");
      q.bind(1, when);
      q.bind(2, id);
      q.exec();
    });
  }

  // Folders.
  Status CreateFolder(const FolderRecord& f) override {
    return Exec("a folder named '" + f.name + "'", [&] {
      SQLite::Statement q(db_, std::string("INSERT INTO folders (") + kFolderCols +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?)");
      BindFolder(q, f);
      q.exec();
    });
  }
  Result<FolderRecord> GetFolder(const std::string& id) override {
    return One<FolderRecord>("folder",
                             std::string("SELECT ") + kFolderCols + " FROM folders WHERE id=?", id,
                             ReadFolder);
  }
  Result<std::vector<FolderRecord>> ListFolders(const std::string& owner_id,
                                                const std::string& status) override {
    if (status.empty()) {
      return Many<FolderRecord>(std::string("SELECT ") + kFolderCols +
                                    " FROM folders WHERE owner_id=? ORDER BY name, created_at",
                                {owner_id}, ReadFolder);
    }
    return Many<FolderRecord>(
        std::string("SELECT ") + kFolderCols +
            " FROM folders WHERE owner_id=? AND status=? ORDER BY name, created_at",
        {owner_id, status}, ReadFolder);
  }
  Result<std::vector<FolderRecord>> ListAllFolders() override {
    return Many<FolderRecord>(
        std::string("SELECT ") + kFolderCols + " FROM folders ORDER BY name, created_at", {},
        ReadFolder);
  }
  Result<std::vector<FolderRecord>> ListScheduledFolders() override {
    return Many<FolderRecord>(std::string("SELECT ") + kFolderCols +
                                  " FROM folders WHERE status='ready' AND snapshot_every_s IS NOT "
                                  "NULL AND snapshot_keep IS NOT NULL",
                              {}, ReadFolder);
  }
  Status UpdateFolder(const FolderRecord& f) override {
    return ExecChanged("a folder named '" + f.name + "'", [&] {
      SQLite::Statement q(db_,
                          "UPDATE folders SET id=?, name=?, volume=?, owner_id=?, status=?, "
                          "created_at=?, trashed_at=?, quota_bytes=?, snapshot_every_s=?, "
                          "snapshot_keep=? WHERE id=?");
      BindFolder(q, f);
      q.bind(11, f.id);
      return q.exec();
    });
  }
  Status DeleteFolder(const std::string& id) override {
    return ExecChanged("folder", [&] {
      SQLite::Statement q(db_, "DELETE FROM folders WHERE id=?");
      q.bind(1, id);
      return q.exec();
    });
  }

  // Sessions.
  Status CreateSession(const SessionRecord& s) override {
    return Exec("a session named '" + s.name + "'", [&] {
      SQLite::Transaction tx(db_);
      SQLite::Statement q(db_, std::string("INSERT INTO sessions (") + kSessionCols +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
      BindSession(q, s);
      q.exec();
      WriteSessionFolders(s);
      tx.commit();
    });
  }
  Result<SessionRecord> GetSession(const std::string& id) override {
    return WithFolders(One<SessionRecord>(
        "session", std::string("SELECT ") + kSessionCols + " FROM sessions WHERE id=?", id,
        ReadSession));
  }
  Result<SessionRecord> GetSessionByName(const std::string& owner_id,
                                         const std::string& name) override {
    auto rows = Many<SessionRecord>(std::string("SELECT ") + kSessionCols +
                                        " FROM sessions WHERE owner_id=? AND name=?",
                                    {owner_id, name}, ReadSession);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return NotFound("session '" + name + "' not found");
    return WithFolders(std::move(rows->front()));
  }
  Result<std::vector<SessionRecord>> ListSessions(const std::string& owner_id) override {
    auto rows = owner_id.empty()
                    ? Many<SessionRecord>(std::string("SELECT ") + kSessionCols +
                                              " FROM sessions ORDER BY created_at, name",
                                          {}, ReadSession)
                    : Many<SessionRecord>(std::string("SELECT ") + kSessionCols +
                                              " FROM sessions WHERE owner_id=? ORDER BY created_at, name",
                                          {owner_id}, ReadSession);
    if (!rows.ok()) return rows.status();
    for (auto& r : *rows) {
      auto full = WithFolders(std::move(r));
      if (!full.ok()) return full.status();
      r = std::move(*full);
    }
    return rows;
  }
  Status UpdateSession(const SessionRecord& s) override {
    return ExecChanged("a session named '" + s.name + "'", [&] {
      SQLite::Transaction tx(db_);
      SQLite::Statement q(db_,
                          "UPDATE sessions SET id=?, name=?, owner_id=?, image=?, status=?, error=?, "
                          "created_at=?, request_json=?, mounts_json=?, status_reason=?, node=?, "
                          "job_id=?, agent_key_hash=?, spec_json=?, manager=? WHERE id=?");
      BindSession(q, s);
      q.bind(16, s.id);
      int n = q.exec();
      SQLite::Statement del(db_, "DELETE FROM session_folders WHERE session_id=?");
      del.bind(1, s.id);
      del.exec();
      WriteSessionFolders(s);
      tx.commit();
      return n;
    });
  }
  Status DeleteSession(const std::string& id) override {
    return ExecChanged("session", [&] {
      SQLite::Statement q(db_, "DELETE FROM sessions WHERE id=?");
      q.bind(1, id);
      return q.exec();
    });
  }
  Result<std::vector<std::string>> SessionsUsingFolder(const std::string& folder_id) override {
    return Many<std::string>(
        "SELECT s.name FROM sessions s JOIN session_folders f ON f.session_id = s.id "
        "WHERE f.folder_id=? ORDER BY s.name",
        {folder_id}, [](SQLite::Statement& q) { return q.getColumn(0).getString(); });
  }

  // Shares.
  Status CreateShare(const ShareRecord& r) override {
    return Exec("a share of this folder with that user", [&] {
      SQLite::Statement q(db_, std::string("INSERT INTO folder_shares (") + kShareCols +
                                   ") VALUES (?,?,?,?,?,?)");
      BindShare(q, r);
      q.exec();
    });
  }
  Result<ShareRecord> GetShare(const std::string& folder_id, const std::string& user_id) override {
    auto rows = Many<ShareRecord>(std::string("SELECT ") + kShareCols +
                                      " FROM folder_shares WHERE folder_id=? AND user_id=?",
                                  {folder_id, user_id}, ReadShare);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return NotFound("share not found");
    return std::move(rows->front());
  }
  Result<ShareRecord> GetShareById(const std::string& id) override {
    return One<ShareRecord>("invitation",
                            std::string("SELECT ") + kShareCols + " FROM folder_shares WHERE id=?",
                            id, ReadShare);
  }
  Result<std::vector<ShareRecord>> ListFolderShares(const std::string& folder_id) override {
    return Many<ShareRecord>(std::string("SELECT ") + kShareCols +
                                 " FROM folder_shares WHERE folder_id=? ORDER BY created_at",
                             {folder_id}, ReadShare);
  }
  Result<std::vector<ShareRecord>> ListUserShares(const std::string& user_id,
                                                  const std::string& status) override {
    if (status.empty()) {
      return Many<ShareRecord>(std::string("SELECT ") + kShareCols +
                                   " FROM folder_shares WHERE user_id=? ORDER BY created_at",
                               {user_id}, ReadShare);
    }
    return Many<ShareRecord>(std::string("SELECT ") + kShareCols +
                                 " FROM folder_shares WHERE user_id=? AND status=? ORDER BY created_at",
                             {user_id, status}, ReadShare);
  }
  Status UpdateShare(const ShareRecord& r) override {
    return ExecChanged("share", [&] {
      SQLite::Statement q(db_, "UPDATE folder_shares SET id=?, folder_id=?, user_id=?, permission=?, "
                               "status=?, created_at=? WHERE id=?");
      BindShare(q, r);
      q.bind(7, r.id);
      return q.exec();
    });
  }
  Status DeleteShare(const std::string& id) override {
    return ExecChanged("share", [&] {
      SQLite::Statement q(db_, "DELETE FROM folder_shares WHERE id=?");
      q.bind(1, id);
      return q.exec();
    });
  }

  // Dotfiles.
  Result<std::vector<DotfileRecord>> ListDotfiles(const std::string& user_id) override {
    return Many<DotfileRecord>(
        std::string("SELECT ") + kDotfileCols + " FROM dotfiles WHERE user_id=? ORDER BY path",
        {user_id}, ReadDotfile);
  }
  Result<DotfileRecord> GetDotfile(const std::string& user_id, const std::string& path) override {
    auto rows = Many<DotfileRecord>(std::string("SELECT ") + kDotfileCols +
                                        " FROM dotfiles WHERE user_id=? AND path=?",
                                    {user_id, path}, ReadDotfile);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return NotFound("dotfile '" + path + "' not found");
    return std::move(rows->front());
  }
  Status PutDotfile(const DotfileRecord& d) override {
    return Exec("dotfile '" + d.path + "'", [&] {
      SQLite::Statement q(db_, std::string("INSERT OR REPLACE INTO dotfiles (") + kDotfileCols +
                                   ") VALUES (?,?,?,?,?)");
      BindDotfile(q, d);
      q.exec();
    });
  }
  Status DeleteDotfile(const std::string& user_id, const std::string& path) override {
    return ExecChanged("dotfile '" + path + "'", [&] {
      SQLite::Statement q(db_, "DELETE FROM dotfiles WHERE user_id=? AND path=?");
      q.bind(1, user_id);
      q.bind(2, path);
      return q.exec();
    });
  }

  // Web sessions.
  Status CreateWebSession(const WebSessionRecord& w) override {
    return Exec("web session", [&] {
      SQLite::Statement del(db_, "DELETE FROM web_sessions WHERE expires_at < strftime('%s','now')");
      del.exec();
      SQLite::Statement q(db_,
                          "INSERT INTO web_sessions(secret_hash, user_id, csrf_token, expires_at) "
                          "VALUES (?,?,?,?)");
      q.bind(1, w.secret_hash);
      q.bind(2, w.user_id);
      q.bind(3, w.csrf_token);
      q.bind(4, static_cast<int64_t>(w.expires_at));
      q.exec();
    });
  }
  Result<WebSessionRecord> GetWebSession(const std::string& secret_hash) override {
    return One<WebSessionRecord>(
        "web session",
        "SELECT secret_hash, user_id, csrf_token, expires_at FROM web_sessions WHERE secret_hash=?",
        secret_hash, [](SQLite::Statement& q) {
          return WebSessionRecord{q.getColumn(0).getString(), q.getColumn(1).getString(),
                                  q.getColumn(2).getString(), q.getColumn(3).getInt64()};
        });
  }
  Status DeleteWebSession(const std::string& secret_hash) override {
    return Exec("web session", [&] {
      SQLite::Statement q(db_, "DELETE FROM web_sessions WHERE secret_hash=?");
      q.bind(1, secret_hash);
      q.exec();
    });
  }

 private:
  // REQUIRES: mu_ held, inside a transaction.
  void WriteSessionFolders(const SessionRecord& s) {
    for (const auto& f : s.folder_ids) {
      SQLite::Statement q(db_, "INSERT OR IGNORE INTO session_folders(session_id, folder_id) VALUES (?,?)");
      q.bind(1, s.id);
      q.bind(2, f);
      q.exec();
    }
  }
  Result<SessionRecord> WithFolders(Result<SessionRecord> s) {
    if (!s.ok()) return s;
    auto ids = Many<std::string>("SELECT folder_id FROM session_folders WHERE session_id=? ORDER BY folder_id",
                                 {s->id}, [](SQLite::Statement& q) { return q.getColumn(0).getString(); });
    if (!ids.ok()) return ids.status();
    s->folder_ids = std::move(*ids);
    return s;
  }

  template <typename F>
  Status Exec(const std::string& what, F&& f) {
    std::lock_guard lock(mu_);
    try {
      f();
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      return FromException(e, what);
    }
  }
  // Like Exec, but NotFound when f() reports that no row changed.
  template <typename F>
  Status ExecChanged(const std::string& what, F&& f) {
    std::lock_guard lock(mu_);
    try {
      if (f() == 0) return NotFound(what + " not found");
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      return FromException(e, what);
    }
  }
  template <typename T, typename Reader>
  Result<T> One(const std::string& what, const std::string& sql, const std::string& key,
                Reader read) {
    std::lock_guard lock(mu_);
    try {
      SQLite::Statement q(db_, sql);
      q.bind(1, key);
      if (!q.executeStep()) return NotFound(what + " not found");
      return read(q);
    } catch (const SQLite::Exception& e) {
      return FromException(e, what);
    }
  }
  template <typename T, typename Reader>
  Result<std::vector<T>> Many(const std::string& sql, const std::vector<std::string>& args,
                              Reader read) {
    std::lock_guard lock(mu_);
    try {
      SQLite::Statement q(db_, sql);
      for (size_t i = 0; i < args.size(); ++i) q.bind(static_cast<int>(i + 1), args[i]);
      std::vector<T> out;
      while (q.executeStep()) out.push_back(read(q));
      return out;
    } catch (const SQLite::Exception& e) {
      return FromException(e, "query");
    }
  }

  std::mutex mu_;
  SQLite::Database db_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path) {
  try {
    auto store = std::make_unique<SqliteStore>(path);
    BERTH_RETURN_IF_ERROR(store->Migrate());
    return std::unique_ptr<Store>(std::move(store));
  } catch (const SQLite::Exception& e) {
    return Unavailable("cannot open database " + path + ": " + e.what());
  }
}

}  // namespace berth::store

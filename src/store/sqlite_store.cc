#include "store/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <mutex>

namespace berth::store {
namespace {

// Numbered migrations; never edit one that has shipped, append a new one.
const char* const kMigrations[] = {
    // 1: users, tokens, folders
    R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  sudo_allowed INTEGER NOT NULL DEFAULT 0,
  uid INTEGER NOT NULL DEFAULT 1000,
  gid INTEGER NOT NULL DEFAULT 1000,
  created_at TEXT NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label TEXT NOT NULL DEFAULT '',
  secret_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE TABLE folders (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  volume TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  trashed_at TEXT,
  quota_bytes INTEGER
);
CREATE UNIQUE INDEX folders_ready_name ON folders(owner_id, name) WHERE status = 'ready';
)sql",
    // 2: sessions and the folders they mount
    R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id),
  image TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  request_json TEXT NOT NULL DEFAULT '{}',
  mounts_json TEXT NOT NULL DEFAULT '[]',
  UNIQUE(owner_id, name)
);
CREATE TABLE session_folders (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  folder_id TEXT NOT NULL,
  PRIMARY KEY (session_id, folder_id)
);
CREATE INDEX session_folders_folder ON session_folders(folder_id);
)sql",
    // 3: browser sign-ins
    R"sql(
CREATE TABLE web_sessions (
  secret_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
)sql",
    // 4: folder shares and invitations
    R"sql(
CREATE TABLE folder_shares (
  id TEXT PRIMARY KEY,
  folder_id TEXT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE(folder_id, user_id)
);
CREATE INDEX folder_shares_user ON folder_shares(user_id);
)sql",
    // 5: per-user session limits (NULL: the deployment's maximum)
    R"sql(
ALTER TABLE users ADD COLUMN max_sessions INTEGER;
ALTER TABLE users ADD COLUMN max_cpu REAL;
ALTER TABLE users ADD COLUMN max_memory_bytes INTEGER;
ALTER TABLE users ADD COLUMN max_pids INTEGER;
)sql",
};

constexpr int kVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

Status FromException(const SQLite::Exception& e, const std::string& what) {
  if ((e.getErrorCode() & 0xff) == SQLITE_CONSTRAINT) {
    return AlreadyExists(what + " already exists");
  }
  if ((e.getErrorCode() & 0xff) == SQLITE_BUSY) return Unavailable("database is busy");
  return Internal("database error (" + what + "): " + e.what());
}

std::optional<std::string> OptText(SQLite::Column c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

void BindOpt(SQLite::Statement& q, int i, const std::optional<std::string>& v) {
  if (v) q.bind(i, *v); else q.bind(i);
}

UserRecord ReadUser(SQLite::Statement& q) {
  UserRecord u;
  u.id = q.getColumn(0).getString();
  u.name = q.getColumn(1).getString();
  u.role = q.getColumn(2).getString();
  u.password_hash = q.getColumn(3).getString();
  u.sudo_allowed = q.getColumn(4).getInt() != 0;
  u.uid = static_cast<uint32_t>(q.getColumn(5).getInt64());
  u.gid = static_cast<uint32_t>(q.getColumn(6).getInt64());
  u.created_at = q.getColumn(7).getString();
  if (!q.getColumn(8).isNull()) u.max_sessions = q.getColumn(8).getInt64();
  if (!q.getColumn(9).isNull()) u.max_cpu = q.getColumn(9).getDouble();
  if (!q.getColumn(10).isNull()) {
    u.max_memory_bytes = static_cast<uint64_t>(q.getColumn(10).getInt64());
  }
  if (!q.getColumn(11).isNull()) u.max_pids = q.getColumn(11).getInt64();
  return u;
}
constexpr const char* kUserCols =
    "id, name, role, password_hash, sudo_allowed, uid, gid, created_at, max_sessions, max_cpu, "
    "max_memory_bytes, max_pids";

TokenRecord ReadToken(SQLite::Statement& q) {
  TokenRecord t;
  t.id = q.getColumn(0).getString();
  t.user_id = q.getColumn(1).getString();
  t.label = q.getColumn(2).getString();
  t.secret_hash = q.getColumn(3).getString();
  t.created_at = q.getColumn(4).getString();
  t.last_used_at = OptText(q.getColumn(5));
  return t;
}
constexpr const char* kTokenCols = "id, user_id, label, secret_hash, created_at, last_used_at";

FolderRecord ReadFolder(SQLite::Statement& q) {
  FolderRecord f;
  f.id = q.getColumn(0).getString();
  f.name = q.getColumn(1).getString();
  f.volume = q.getColumn(2).getString();
  f.owner_id = q.getColumn(3).getString();
  f.status = q.getColumn(4).getString();
  f.created_at = q.getColumn(5).getString();
  f.trashed_at = OptText(q.getColumn(6));
  if (!q.getColumn(7).isNull()) f.quota_bytes = static_cast<uint64_t>(q.getColumn(7).getInt64());
  return f;
}
constexpr const char* kFolderCols =
    "id, name, volume, owner_id, status, created_at, trashed_at, quota_bytes";

SessionRecord ReadSession(SQLite::Statement& q) {
  SessionRecord s;
  s.id = q.getColumn(0).getString();
  s.name = q.getColumn(1).getString();
  s.owner_id = q.getColumn(2).getString();
  s.image = q.getColumn(3).getString();
  s.status = q.getColumn(4).getString();
  s.error = q.getColumn(5).getString();
  s.created_at = q.getColumn(6).getString();
  s.request_json = q.getColumn(7).getString();
  s.mounts_json = q.getColumn(8).getString();
  return s;
}
constexpr const char* kSessionCols =
    "id, name, owner_id, image, status, error, created_at, request_json, mounts_json";

ShareRecord ReadShare(SQLite::Statement& q) {
  return ShareRecord{q.getColumn(0).getString(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getString(), q.getColumn(5).getString()};
}
constexpr const char* kShareCols = "id, folder_id, user_id, permission, status, created_at";

class SqliteStore : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec("PRAGMA foreign_keys=ON");
    db_.setBusyTimeout(5000);
  }

  Status Migrate() {
    std::lock_guard lock(mu_);
    try {
      db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
      int current = db_.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
      if (current > kVersion) {
        return FailedPrecondition("database schema version " + std::to_string(current) +
                                  " is newer than this berthd (" + std::to_string(kVersion) + ")");
      }
      for (int v = current + 1; v <= kVersion; ++v) {
        SQLite::Transaction tx(db_);
        db_.exec(kMigrations[v - 1]);
        SQLite::Statement q(db_, "INSERT INTO schema_migrations(version) VALUES (?)");
        q.bind(1, v);
        q.exec();
        tx.commit();
      }
      return Status::Ok();
    } catch (const SQLite::Exception& e) {
      return Internal(std::string("migrating the database: ") + e.what());
    }
  }

  // Users.
  Status CreateUser(const UserRecord& u) override {
    return Exec("user '" + u.name + "'", [&] {
      SQLite::Statement q(db_, std::string("INSERT INTO users (") + kUserCols +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
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
                          "max_memory_bytes=?, max_pids=? WHERE id=?");
      BindUser(q, u);
      q.bind(13, u.id);
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
                                   ") VALUES (?,?,?,?,?,?,?,?)");
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
  Status UpdateFolder(const FolderRecord& f) override {
    return ExecChanged("a folder named '" + f.name + "'", [&] {
      SQLite::Statement q(db_,
                          "UPDATE folders SET id=?, name=?, volume=?, owner_id=?, status=?, "
                          "created_at=?, trashed_at=?, quota_bytes=? WHERE id=?");
      BindFolder(q, f);
      q.bind(9, f.id);
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
                                   ") VALUES (?,?,?,?,?,?,?,?,?)");
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
                          "created_at=?, request_json=?, mounts_json=? WHERE id=?");
      BindSession(q, s);
      q.bind(10, s.id);
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
  static void BindShare(SQLite::Statement& q, const ShareRecord& r) {
    q.bind(1, r.id);
    q.bind(2, r.folder_id);
    q.bind(3, r.user_id);
    q.bind(4, r.permission);
    q.bind(5, r.status);
    q.bind(6, r.created_at);
  }
  static void BindSession(SQLite::Statement& q, const SessionRecord& s) {
    q.bind(1, s.id);
    q.bind(2, s.name);
    q.bind(3, s.owner_id);
    q.bind(4, s.image);
    q.bind(5, s.status);
    q.bind(6, s.error);
    q.bind(7, s.created_at);
    q.bind(8, s.request_json);
    q.bind(9, s.mounts_json);
  }
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

  static void BindUser(SQLite::Statement& q, const UserRecord& u) {
    q.bind(1, u.id);
    q.bind(2, u.name);
    q.bind(3, u.role);
    q.bind(4, u.password_hash);
    q.bind(5, u.sudo_allowed ? 1 : 0);
    q.bind(6, static_cast<int64_t>(u.uid));
    q.bind(7, static_cast<int64_t>(u.gid));
    q.bind(8, u.created_at);
    auto opt = [&q](int i, const auto& v) {
      if (v) q.bind(i, *v); else q.bind(i);
    };
    opt(9, u.max_sessions);
    opt(10, u.max_cpu);
    opt(11, u.max_memory_bytes ? std::optional<int64_t>(static_cast<int64_t>(*u.max_memory_bytes))
                               : std::nullopt);
    opt(12, u.max_pids);
  }
  static void BindFolder(SQLite::Statement& q, const FolderRecord& f) {
    q.bind(1, f.id);
    q.bind(2, f.name);
    q.bind(3, f.volume);
    q.bind(4, f.owner_id);
    q.bind(5, f.status);
    q.bind(6, f.created_at);
    BindOpt(q, 7, f.trashed_at);
    if (f.quota_bytes) q.bind(8, static_cast<int64_t>(*f.quota_bytes)); else q.bind(8);
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

int SqliteSchemaVersion() { return kVersion; }

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

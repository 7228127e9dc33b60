// PgStore's queries, one group per resource in store.h's order. The schema
// and its migrations are in pg_schema.cc, the record <-> row mapping in
// pg_rows.cc, the connections in pg_pool.cc.
#include "store/pg_store.h"

#include <map>
#include <pqxx/pqxx>

#include "store/pg_pool.h"
#include "store/pg_rows.h"
#include "store/pg_schema.h"
#include "store/store_url.h"

namespace berth::store {
namespace {

// Connections one manager may hold (besides its event listener).
constexpr size_t kPoolSize = 8;

Status FromException(const std::exception& e, const std::string& what) {
  // Unique and foreign-key failures alike, as SQLite's SQLITE_CONSTRAINT.
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e)) {
    return AlreadyExists(what + " already exists");
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) {
    return Unavailable(std::string("database connection lost: ") + e.what());
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) return Unavailable("database is busy");
  return Internal("database error (" + what + "): " + e.what());
}

// "a=$1, b=$2, ...": the SET list of an UPDATE of every column in `cols`.
std::string Assignments(std::string_view cols) {
  std::string out;
  int n = 0;
  size_t pos = 0;
  while (pos < cols.size()) {
    size_t comma = cols.find(',', pos);
    if (comma == std::string_view::npos) comma = cols.size();
    std::string_view col = cols.substr(pos, comma - pos);
    while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
    out += (n > 0 ? ", " : "") + std::string(col) + "=$" + std::to_string(n + 1);
    ++n;
    pos = comma + 1;
  }
  return out;
}
int ColumnCount(std::string_view cols) {
  return 1 + static_cast<int>(std::ranges::count(cols, ','));
}
std::string InsertSql(const char* table, const char* cols) {
  return std::string("INSERT INTO ") + table + " (" + cols + ") VALUES (" +
         PgPlaceholders(ColumnCount(cols)) + ")";
}
// UPDATE of every column, keyed by the id in parameter n+1.
std::string UpdateSql(const char* table, const char* cols) {
  return std::string("UPDATE ") + table + " SET " + Assignments(cols) +
         " WHERE id=$" + std::to_string(ColumnCount(cols) + 1);
}
std::string Select(const char* cols, const char* rest) {
  return std::string("SELECT ") + cols + " " + rest;
}

pqxx::result Run(pqxx::work& tx, const std::string& sql, const PgParams& params) {
  std::vector<const char*> ptrs;
  ptrs.reserve(params.size());
  for (const auto& p : params) ptrs.push_back(p ? p->c_str() : nullptr);
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(ptrs));
}
PgParams With(PgParams p, std::string last) {
  p.push_back(std::move(last));
  return p;
}

class PgStore : public Store {
 public:
  explicit PgStore(const std::string& url) : pool_(url, kPoolSize) {}

  // Users.
  Status CreateUser(const UserRecord& u) override {
    return Write("user '" + u.name + "'", InsertSql("users", kUserCols), UserParams(u));
  }
  Result<UserRecord> GetUser(const std::string& id) override {
    return One<UserRecord>("user", Select(kUserCols, "FROM users WHERE id=$1"), {id}, ReadUser);
  }
  Result<UserRecord> GetUserByName(const std::string& name) override {
    return One<UserRecord>("user '" + name + "'", Select(kUserCols, "FROM users WHERE name=$1"),
                           {name}, ReadUser);
  }
  Result<std::vector<UserRecord>> ListUsers() override {
    return Many<UserRecord>(Select(kUserCols, "FROM users ORDER BY name"), {}, ReadUser);
  }
  Status UpdateUser(const UserRecord& u) override {
    return WriteChanged("user '" + u.name + "'", UpdateSql("users", kUserCols),
                        With(UserParams(u), u.id));
  }
  Status DeleteUser(const std::string& id) override {
    return WriteChanged("user", "DELETE FROM users WHERE id=$1", {id});
  }
  Result<int64_t> CountUsers() override {
    return One<int64_t>("users", "SELECT COUNT(*) FROM users", {},
                        [](const pqxx::row& r) { return r[0].as<int64_t>(); });
  }

  // Tokens.
  Status CreateToken(const TokenRecord& t) override {
    return Write("token", InsertSql("tokens", kTokenCols), TokenParams(t));
  }
  Result<TokenRecord> GetTokenByHash(const std::string& secret_hash) override {
    return One<TokenRecord>("token", Select(kTokenCols, "FROM tokens WHERE secret_hash=$1"),
                            {secret_hash}, ReadToken);
  }
  Result<std::vector<TokenRecord>> ListTokens(const std::string& user_id) override {
    return Many<TokenRecord>(Select(kTokenCols, "FROM tokens WHERE user_id=$1 ORDER BY created_at"),
                             {user_id}, ReadToken);
  }
  Status DeleteToken(const std::string& user_id, const std::string& id) override {
    return WriteChanged("token '" + id + "'", "DELETE FROM tokens WHERE user_id=$1 AND id=$2",
                        {user_id, id});
  }
  Status TouchToken(const std::string& id, const std::string& when) override {
    return Write("token", "UPDATE tokens SET last_used_at=$1 WHERE id=$2", {when, id});
  }

  // Folders.
  Status CreateFolder(const FolderRecord& f) override {
    return Write("a folder named '" + f.name + "'", InsertSql("folders", kFolderCols),
                 FolderParams(f));
  }
  Result<FolderRecord> GetFolder(const std::string& id) override {
    return One<FolderRecord>("folder", Select(kFolderCols, "FROM folders WHERE id=$1"), {id},
                             ReadFolder);
  }
  Result<std::vector<FolderRecord>> ListFolders(const std::string& owner_id,
                                                const std::string& status) override {
    if (status.empty()) {
      return Many<FolderRecord>(
          Select(kFolderCols, "FROM folders WHERE owner_id=$1 ORDER BY name, created_at"),
          {owner_id}, ReadFolder);
    }
    return Many<FolderRecord>(
        Select(kFolderCols, "FROM folders WHERE owner_id=$1 AND status=$2 ORDER BY name, created_at"),
        {owner_id, status}, ReadFolder);
  }
  Result<std::vector<FolderRecord>> ListAllFolders() override {
    return Many<FolderRecord>(Select(kFolderCols, "FROM folders ORDER BY name, created_at"), {},
                              ReadFolder);
  }
  Result<std::vector<FolderRecord>> ListScheduledFolders() override {
    return Many<FolderRecord>(Select(kFolderCols,
                                     "FROM folders WHERE status='ready' AND snapshot_every_s IS NOT "
                                     "NULL AND snapshot_keep IS NOT NULL"),
                              {}, ReadFolder);
  }
  Status UpdateFolder(const FolderRecord& f) override {
    return WriteChanged("a folder named '" + f.name + "'", UpdateSql("folders", kFolderCols),
                        With(FolderParams(f), f.id));
  }
  Status DeleteFolder(const std::string& id) override {
    return WriteChanged("folder", "DELETE FROM folders WHERE id=$1", {id});
  }

  // Sessions. The row and its folder list change in one transaction.
  Status CreateSession(const SessionRecord& s) override {
    return Transact("a session named '" + s.name + "'", [&](pqxx::work& tx) {
      Run(tx, InsertSql("sessions", kSessionCols), SessionParams(s));
      WriteSessionFolders(tx, s);
      return 1;
    });
  }
  Result<SessionRecord> GetSession(const std::string& id) override {
    return WithFolders(One<SessionRecord>(
        "session", Select(kSessionCols, "FROM sessions WHERE id=$1"), {id}, ReadSession));
  }
  Result<SessionRecord> GetSessionByName(const std::string& owner_id,
                                         const std::string& name) override {
    return WithFolders(One<SessionRecord>(
        "session '" + name + "'", Select(kSessionCols, "FROM sessions WHERE owner_id=$1 AND name=$2"),
        {owner_id, name}, ReadSession));
  }
  // The rows and their folder lists in one transaction: two queries, not
  // one per session.
  Result<std::vector<SessionRecord>> ListSessions(const std::string& owner_id) override {
    std::vector<SessionRecord> out;
    auto n = Transaction("query", [&](pqxx::work& tx) {
      for (const auto& row :
           Run(tx, Select(kSessionCols, "FROM sessions WHERE ($1 = '' OR owner_id = $1) "
                                        "ORDER BY created_at, name"),
               {owner_id})) {
        out.push_back(ReadSession(row));
      }
      std::map<std::string, std::vector<std::string>> folders;
      for (const auto& row :
           Run(tx,
               "SELECT f.session_id, f.folder_id FROM session_folders f "
               "JOIN sessions s ON s.id = f.session_id WHERE ($1 = '' OR s.owner_id = $1) "
               "ORDER BY f.folder_id",
               {owner_id})) {
        folders[row[0].as<std::string>()].push_back(row[1].as<std::string>());
      }
      for (auto& s : out) s.folder_ids = std::move(folders[s.id]);
      return out.size();
    });
    if (!n.ok()) return n.status();
    return out;
  }
  Status UpdateSession(const SessionRecord& s) override {
    return Transact("a session named '" + s.name + "'", [&](pqxx::work& tx) {
      auto n = Run(tx, UpdateSql("sessions", kSessionCols), With(SessionParams(s), s.id))
                   .affected_rows();
      Run(tx, "DELETE FROM session_folders WHERE session_id=$1", {s.id});
      WriteSessionFolders(tx, s);
      return n;
    });
  }
  Status DeleteSession(const std::string& id) override {
    return WriteChanged("session", "DELETE FROM sessions WHERE id=$1", {id});
  }
  Result<std::vector<std::string>> SessionsUsingFolder(const std::string& folder_id) override {
    return Many<std::string>(
        "SELECT s.name FROM sessions s JOIN session_folders f ON f.session_id = s.id "
        "WHERE f.folder_id=$1 ORDER BY s.name",
        {folder_id}, [](const pqxx::row& r) { return r[0].as<std::string>(); });
  }

  // Shares.
  Status CreateShare(const ShareRecord& r) override {
    return Write("a share of this folder with that user", InsertSql("folder_shares", kShareCols),
                 ShareParams(r));
  }
  Result<ShareRecord> GetShare(const std::string& folder_id, const std::string& user_id) override {
    return One<ShareRecord>("share",
                            Select(kShareCols, "FROM folder_shares WHERE folder_id=$1 AND user_id=$2"),
                            {folder_id, user_id}, ReadShare);
  }
  Result<ShareRecord> GetShareById(const std::string& id) override {
    return One<ShareRecord>("invitation", Select(kShareCols, "FROM folder_shares WHERE id=$1"), {id},
                            ReadShare);
  }
  Result<std::vector<ShareRecord>> ListFolderShares(const std::string& folder_id) override {
    return Many<ShareRecord>(
        Select(kShareCols, "FROM folder_shares WHERE folder_id=$1 ORDER BY created_at"),
        {folder_id}, ReadShare);
  }
  Result<std::vector<ShareRecord>> ListUserShares(const std::string& user_id,
                                                  const std::string& status) override {
    if (status.empty()) {
      return Many<ShareRecord>(
          Select(kShareCols, "FROM folder_shares WHERE user_id=$1 ORDER BY created_at"), {user_id},
          ReadShare);
    }
    return Many<ShareRecord>(
        Select(kShareCols, "FROM folder_shares WHERE user_id=$1 AND status=$2 ORDER BY created_at"),
        {user_id, status}, ReadShare);
  }
  Status UpdateShare(const ShareRecord& r) override {
    return WriteChanged("share", UpdateSql("folder_shares", kShareCols), With(ShareParams(r), r.id));
  }
  Status DeleteShare(const std::string& id) override {
    return WriteChanged("share", "DELETE FROM folder_shares WHERE id=$1", {id});
  }

  // Dotfiles.
  Result<std::vector<DotfileRecord>> ListDotfiles(const std::string& user_id) override {
    return Many<DotfileRecord>(Select(kDotfileCols, "FROM dotfiles WHERE user_id=$1 ORDER BY path"),
                               {user_id}, ReadDotfile);
  }
  Result<DotfileRecord> GetDotfile(const std::string& user_id, const std::string& path) override {
    return One<DotfileRecord>("dotfile '" + path + "'",
                              Select(kDotfileCols, "FROM dotfiles WHERE user_id=$1 AND path=$2"),
                              {user_id, path}, ReadDotfile);
  }
  Status PutDotfile(const DotfileRecord& d) override {
    return Write("dotfile '" + d.path + "'",
                 InsertSql("dotfiles", kDotfileCols) +
                     " ON CONFLICT (user_id, path) DO UPDATE SET mode=EXCLUDED.mode, "
                     "content=EXCLUDED.content, updated_at=EXCLUDED.updated_at",
                 DotfileParams(d));
  }
  Status DeleteDotfile(const std::string& user_id, const std::string& path) override {
    return WriteChanged("dotfile '" + path + "'", "DELETE FROM dotfiles WHERE user_id=$1 AND path=$2",
                        {user_id, path});
  }

  // Web sessions. Expired ones go whenever a new one comes.
  Status CreateWebSession(const WebSessionRecord& w) override {
    return Transact("web session", [&](pqxx::work& tx) {
      tx.exec0("DELETE FROM web_sessions WHERE expires_at < EXTRACT(EPOCH FROM now())");
      Run(tx,
          "INSERT INTO web_sessions(secret_hash, user_id, csrf_token, expires_at) "
          "VALUES ($1,$2,$3,$4)",
          {w.secret_hash, w.user_id, w.csrf_token, std::to_string(w.expires_at)});
      return 1;
    });
  }
  Result<WebSessionRecord> GetWebSession(const std::string& secret_hash) override {
    return One<WebSessionRecord>(
        "web session",
        "SELECT secret_hash, user_id, csrf_token, expires_at FROM web_sessions WHERE secret_hash=$1",
        {secret_hash}, [](const pqxx::row& r) {
          return WebSessionRecord{r[0].as<std::string>(), r[1].as<std::string>(),
                                  r[2].as<std::string>(), r[3].as<int64_t>()};
        });
  }
  Status DeleteWebSession(const std::string& secret_hash) override {
    return Write("web session", "DELETE FROM web_sessions WHERE secret_hash=$1", {secret_hash});
  }

 private:
  static void WriteSessionFolders(pqxx::work& tx, const SessionRecord& s) {
    for (const auto& f : s.folder_ids) {
      Run(tx,
          "INSERT INTO session_folders(session_id, folder_id) VALUES ($1,$2) "
          "ON CONFLICT DO NOTHING",
          {s.id, f});
    }
  }
  Result<SessionRecord> WithFolders(Result<SessionRecord> s) {
    if (!s.ok()) return s;
    auto ids = Many<std::string>(
        "SELECT folder_id FROM session_folders WHERE session_id=$1 ORDER BY folder_id", {s->id},
        [](const pqxx::row& r) { return r[0].as<std::string>(); });
    if (!ids.ok()) return ids.status();
    s->folder_ids = std::move(*ids);
    return s;
  }

  // Runs f(tx) in a transaction and commits it; f returns how many rows it
  // changed. The one place that leases connections and maps exceptions.
  template <typename F>
  Result<size_t> Transaction(const std::string& what, F&& f) {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    try {
      pqxx::work tx(**lease);
      size_t n = f(tx);
      tx.commit();
      return n;
    } catch (const std::exception& e) {
      if (dynamic_cast<const pqxx::broken_connection*>(&e)) lease->Discard();
      return FromException(e, what);
    }
  }
  template <typename F>
  Status Transact(const std::string& what, F&& f) {
    auto n = Transaction(what, std::forward<F>(f));
    if (!n.ok()) return n.status();
    if (*n == 0) return NotFound(what + " not found");
    return Status::Ok();
  }
  Status Write(const std::string& what, const std::string& sql, const PgParams& params) {
    return Transaction(what, [&](pqxx::work& tx) {
             Run(tx, sql, params);
             return size_t{1};
           }).status();
  }
  // Like Write, but NotFound when no row changed.
  Status WriteChanged(const std::string& what, const std::string& sql, const PgParams& params) {
    return Transact(what, [&](pqxx::work& tx) { return Run(tx, sql, params).affected_rows(); });
  }
  template <typename T, typename Reader>
  Result<std::vector<T>> Many(const std::string& sql, const PgParams& params, Reader read) {
    std::vector<T> out;
    auto n = Transaction("query", [&](pqxx::work& tx) {
      for (const auto& row : Run(tx, sql, params)) out.push_back(read(row));
      return out.size();
    });
    if (!n.ok()) return n.status();
    return out;
  }
  template <typename T, typename Reader>
  Result<T> One(const std::string& what, const std::string& sql, const PgParams& params,
                Reader read) {
    auto rows = Many<T>(sql, params, read);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return NotFound(what + " not found");
    return std::move(rows->front());
  }

  PgPool pool_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPgStore(const std::string& url) {
  auto conn = PgPool::Connect(url);
  if (!conn.ok()) return conn.status();
  if (Status st = MigratePgSchema(**conn); !st.ok()) return st;
  return std::unique_ptr<Store>(std::make_unique<PgStore>(url));
}

}  // namespace berth::store

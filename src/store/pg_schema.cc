#include "store/pg_schema.h"

#include <pqxx/pqxx>
#include <string>

namespace berth::store {
namespace {

// Numbered migrations; never edit one that has shipped, append a new one
// (the twin of sqlite_schema.cc's migration with the same number).
// Differences from SQLite's dialect: BOOLEAN, BIGINT, DOUBLE PRECISION and
// BYTEA for SQLite's INTEGER/REAL/BLOB; the text columns the store sorts by
// use the "C" collation, which orders by bytes as SQLite's BINARY does,
// whatever the database's locale.
const char* const kMigrations[] = {
    // 1: users, tokens, folders
    R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  sudo_allowed BOOLEAN NOT NULL DEFAULT FALSE,
  uid BIGINT NOT NULL DEFAULT 1000,
  gid BIGINT NOT NULL DEFAULT 1000,
  created_at TEXT NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  label TEXT NOT NULL DEFAULT '',
  secret_hash TEXT NOT NULL UNIQUE,
  created_at TEXT COLLATE "C" NOT NULL,
  last_used_at TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);
CREATE TABLE folders (
  id TEXT PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  volume TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  trashed_at TEXT,
  quota_bytes BIGINT
);
CREATE UNIQUE INDEX folders_ready_name ON folders(owner_id, name) WHERE status = 'ready';
)sql",
    // 2: sessions and the folders they mount
    R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users(id),
  image TEXT NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT COLLATE "C" NOT NULL,
  request_json TEXT NOT NULL DEFAULT '{}',
  mounts_json TEXT NOT NULL DEFAULT '[]',
  UNIQUE(owner_id, name)
);
CREATE TABLE session_folders (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  folder_id TEXT COLLATE "C" NOT NULL,
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
  expires_at BIGINT NOT NULL
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
  created_at TEXT COLLATE "C" NOT NULL,
  UNIQUE(folder_id, user_id)
);
CREATE INDEX folder_shares_user ON folder_shares(user_id);
)sql",
    // 5: why a session ended (SPEC §3 status_reason, e.g. share_revoked)
    R"sql(
ALTER TABLE sessions ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
)sql",
    // 6: per-user session limits (NULL: the deployment's maximum)
    R"sql(
ALTER TABLE users ADD COLUMN max_sessions BIGINT;
ALTER TABLE users ADD COLUMN max_cpu DOUBLE PRECISION;
ALTER TABLE users ADD COLUMN max_memory_bytes BIGINT;
ALTER TABLE users ADD COLUMN max_pids BIGINT;
)sql",
    // 7: per-user dotfiles written into every new session's scratch home, and
    // where pip --user installs ("shared" | "per_version", SPEC §3 Dotfiles)
    R"sql(
CREATE TABLE dotfiles (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  path TEXT COLLATE "C" NOT NULL,
  mode BIGINT NOT NULL,
  content BYTEA NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (user_id, path)
);
ALTER TABLE users ADD COLUMN python_user_base TEXT NOT NULL DEFAULT 'shared';
)sql",
    // 8: per-user total storage quota (NULL: the deployment's default)
    R"sql(
ALTER TABLE users ADD COLUMN quota_bytes BIGINT;
)sql",
    // 9: a folder's snapshot schedule (both NULL: none; SPEC §2 Snapshots).
    R"sql(
ALTER TABLE folders ADD COLUMN snapshot_every_s BIGINT;
ALTER TABLE folders ADD COLUMN snapshot_keep BIGINT;
)sql",
    // 10: cluster sessions (--cluster slurm, docs/cluster.md): the node and
    // Slurm job that run it, the node agent's key (hashed), and the spec the
    // agent gets when it registers (kept until then, so that a manager
    // restart between submit and registration loses nothing). "" on one host.
    R"sql(
ALTER TABLE sessions ADD COLUMN node TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN job_id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN agent_key_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN spec_json TEXT NOT NULL DEFAULT '';
)sql",
    // 11: the manager that runs a session (--manager-name, default the host
    // name): with several managers on one store, each reconciles, polls and
    // serves only its own sessions' containers and agents. "" before 11:
    // whichever manager reconciles first.
    R"sql(
ALTER TABLE sessions ADD COLUMN manager TEXT NOT NULL DEFAULT '';
)sql",
};

constexpr int kVersion = sizeof(kMigrations) / sizeof(kMigrations[0]);

// The advisory lock that serialises migrations (any constant no other
// Berth lock uses; pg_coordination.cc's locks hash their names instead).
constexpr int64_t kMigrationLock = 0x6265727468'0001;  // "berth" 1

// Holds the migration lock on `c` for its lifetime (released on error too).
class MigrationLock {
 public:
  explicit MigrationLock(pqxx::connection& c) : c_(c) {
    pqxx::nontransaction(c_).exec_params("SELECT pg_advisory_lock($1)", kMigrationLock);
  }
  ~MigrationLock() {
    try {
      pqxx::nontransaction(c_).exec_params("SELECT pg_advisory_unlock($1)", kMigrationLock);
    } catch (const std::exception&) {
      // A broken connection released the lock with it.
    }
  }

 private:
  pqxx::connection& c_;
};

}  // namespace

int PgSchemaVersion() { return kVersion; }

Status MigratePgSchema(pqxx::connection& c) {
  try {
    MigrationLock lock(c);
    {
      pqxx::work tx(c);
      tx.exec0("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
      tx.commit();
    }
    int current = 0;
    {
      pqxx::work tx(c);
      current = tx.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
      tx.commit();
    }
    if (current > kVersion) {
      return FailedPrecondition("database schema version " + std::to_string(current) +
                                " is newer than this berthd (" + std::to_string(kVersion) + ")");
    }
    for (int v = current + 1; v <= kVersion; ++v) {
      pqxx::work tx(c);
      tx.exec0(kMigrations[v - 1]);
      tx.exec_params0("INSERT INTO schema_migrations(version) VALUES ($1)", v);
      tx.commit();
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Internal(std::string("migrating the database: ") + e.what());
  }
}

}  // namespace berth::store

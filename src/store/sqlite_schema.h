// The SQLite schema of SqliteStore: numbered migrations, applied in order,
// each in its own transaction, and recorded in schema_migrations. A shipped
// migration is never edited; a change appends a new one. Internal to
// store/ (sqlite_store.cc).
//
// Thread-safety: MigrateSqliteSchema uses `db` alone; the caller must keep
// every other user of that connection out meanwhile.
#pragma once

#include "common/status.h"

namespace SQLite {
class Database;
}

namespace berth::store {

// Brings `db` to SqliteSchemaVersion() (sqlite_store.h). FailedPrecondition
// when the database is newer than this binary; Internal on an SQL error.
Status MigrateSqliteSchema(SQLite::Database& db);

}  // namespace berth::store

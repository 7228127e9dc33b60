// The PostgreSQL schema of PgStore: numbered migrations that mirror
// sqlite_schema.cc's one for one (migration N here makes the same tables
// and columns as SQLite's migration N, in PostgreSQL's dialect), applied in
// order, each in its own transaction, and recorded in schema_migrations.
// A shipped migration is never edited; a change appends a new one to both
// files. Internal to store/ (pg_store.cc).
//
// Several managers may start at once against one database: the whole
// migration runs under a session-level advisory lock, so exactly one of
// them migrates and the others find the work done.
#pragma once

#include <pqxx/connection>

#include "common/status.h"


namespace berth::store {

// The schema version a fresh database migrates to.
int PgSchemaVersion();

// Brings the database of `c` to PgSchemaVersion(). FailedPrecondition when
// the database is newer than this binary; Internal on an SQL error.
// REQUIRES: no other thread uses `c` meanwhile.
Status MigratePgSchema(pqxx::connection& c);

}  // namespace berth::store

// SqliteStore: the embedded metadata store (SQLite in WAL mode, via
// SQLiteCpp). One connection guarded by a mutex: simple, and fast enough for
// an all-in-one deployment. Schema changes are numbered migrations applied
// in order at Open, each in its own transaction.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace berth::store {

// Opens (creating if needed) the database at `path` and migrates it.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path);

// The schema version a fresh database migrates to.
int SqliteSchemaVersion();

}  // namespace berth::store

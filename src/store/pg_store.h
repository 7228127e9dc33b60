// PgStore: the metadata store on PostgreSQL (libpqxx), for deployments
// where several managers share one database (SPEC §9). Same semantics as
// SqliteStore, checked by the same suite (store_suite.h): uniqueness and
// foreign-key failures are AlreadyExists, missing rows NotFound, a lost
// server Unavailable. Every method runs in one transaction of its own on a
// connection from a PgPool (pg_pool.h), so callers on different threads
// query in parallel. Schema: pg_schema.h, migrated at open under an
// advisory lock.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace berth::store {

// Connects to `url` (a libpq URI: postgresql://user:pw@host:port/db or
// postgresql:///db?host=/socket/dir) and migrates the database. The URL's
// password never appears in the returned errors.
Result<std::unique_ptr<Store>> OpenPgStore(const std::string& url);

}  // namespace berth::store

// File modes of a deployment's data dir (issue 10): only root reads what
// berthd keeps. Applied at every start, so that a new deployment is created
// with them and an older one (berth.db 0644, folder trees 0755) is fixed.
//
//   <data-dir>                 0711  traversable, not listable: runc and
//                                    dockerd (root) reach sessions/ and
//                                    containers/ below it
//   berth.db, -wal, -shm       0600  password hashes, token hashes
//   audit.log, admin.token     0600
//   volume roots               0700  (storage::Volume::Init)
//
// Not thread-safe with a running daemon; call from main before serving.
#pragma once

#include <string>

#include "common/status.h"

namespace berth::manager {

// Creates `data_dir` (0711) if missing, fixes its mode, creates an empty
// berth.db with 0600 when there is none and `sqlite_store` (SQLite gives
// -wal and -shm the database file's mode; a PostgreSQL store needs no file)
// and sets the files above that exist to 0600.
// REQUIRES: called before the store opens.
Status SecureDataDir(const std::string& data_dir, bool sqlite_store = true);

}  // namespace berth::manager

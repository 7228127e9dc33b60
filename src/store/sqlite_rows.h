// How each store record maps to an SQLite row: the reader of a row that
// selects columns.h's k*Cols (Read*), and the binder of the INSERT/UPDATE
// parameters 1..n in that column order (Bind*).
// Internal to store/ (sqlite_store.cc); pure functions, thread-safe as long
// as each statement is used by one thread.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>
#include <string>

#include "store/columns.h"
#include "store/records.h"

namespace berth::store {

// A column's value, or none when it is NULL (the readers' side of BindOpt).
std::optional<std::string> OptText(SQLite::Column c);
std::optional<int64_t> OptInt64(SQLite::Column c);
std::optional<uint64_t> OptUint64(SQLite::Column c);
std::optional<double> OptReal(SQLite::Column c);
// Binds `v`, or NULL when it is absent. uint64_t values are stored as
// int64 (every one the API accepts fits: see kMaxJsonUint).
void BindOpt(SQLite::Statement& q, int i, const std::optional<std::string>& v);
void BindOpt(SQLite::Statement& q, int i, const std::optional<int64_t>& v);
void BindOpt(SQLite::Statement& q, int i, const std::optional<uint64_t>& v);
void BindOpt(SQLite::Statement& q, int i, const std::optional<double>& v);

UserRecord ReadUser(SQLite::Statement& q);
void BindUser(SQLite::Statement& q, const UserRecord& u);

TokenRecord ReadToken(SQLite::Statement& q);

FolderRecord ReadFolder(SQLite::Statement& q);
void BindFolder(SQLite::Statement& q, const FolderRecord& f);

SessionRecord ReadSession(SQLite::Statement& q);
void BindSession(SQLite::Statement& q, const SessionRecord& s);

ShareRecord ReadShare(SQLite::Statement& q);
void BindShare(SQLite::Statement& q, const ShareRecord& r);

DotfileRecord ReadDotfile(SQLite::Statement& q);
void BindDotfile(SQLite::Statement& q, const DotfileRecord& d);

}  // namespace berth::store

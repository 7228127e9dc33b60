// How each store record maps to a PostgreSQL row: the reader of a row that
// selects columns.h's k*Cols (Read*), and the parameters $1..$n of an
// INSERT/UPDATE in that column order (*Params). Parameters travel as text
// (PostgreSQL casts them to the column's type); an absent value is NULL.
// Internal to store/ (pg_store.cc); pure functions, thread-safe.
#pragma once

#include <optional>
#include <pqxx/row>
#include <string>
#include <vector>

#include "store/columns.h"
#include "store/records.h"


namespace berth::store {

// Statement parameters in text form; nullopt is SQL NULL.
using PgParams = std::vector<std::optional<std::string>>;

// The text form of a value (nullopt stays NULL). Doubles round-trip exactly.
std::optional<std::string> PgText(const std::optional<int64_t>& v);
std::optional<std::string> PgText(const std::optional<uint64_t>& v);
std::optional<std::string> PgText(const std::optional<double>& v);
// A bytea literal in hex form (\x...) of any bytes.
std::string PgBytea(const std::string& bytes);

PgParams UserParams(const UserRecord& u);
UserRecord ReadUser(const pqxx::row& r);

PgParams TokenParams(const TokenRecord& t);
TokenRecord ReadToken(const pqxx::row& r);

PgParams FolderParams(const FolderRecord& f);
FolderRecord ReadFolder(const pqxx::row& r);

PgParams SessionParams(const SessionRecord& s);
SessionRecord ReadSession(const pqxx::row& r);

PgParams ShareParams(const ShareRecord& s);
ShareRecord ReadShare(const pqxx::row& r);

PgParams DotfileParams(const DotfileRecord& d);
DotfileRecord ReadDotfile(const pqxx::row& r);

// "$1,$2,...,$n": the VALUES of an INSERT of n columns.
std::string PgPlaceholders(int n);

}  // namespace berth::store

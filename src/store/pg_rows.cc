#include "store/pg_rows.h"

#include <charconv>
#include <pqxx/pqxx>

namespace berth::store {
namespace {

std::string Str(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }
std::optional<std::string> OptStr(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}
template <typename T>
std::optional<T> Opt(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<T>();
}

}  // namespace

std::optional<std::string> PgText(const std::optional<int64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
// uint64_t values are stored as BIGINT, like SQLite's int64 (every one the
// API accepts fits: see kMaxJsonUint).
std::optional<std::string> PgText(const std::optional<uint64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(static_cast<int64_t>(*v));
}
std::optional<std::string> PgText(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), *v);  // shortest exact form
  return std::string(buf, end);
}

std::string PgBytea(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string PgPlaceholders(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) out += (i > 1 ? ",$" : "$") + std::to_string(i);
  return out;
}

PgParams UserParams(const UserRecord& u) {
  return {u.id,
          u.name,
          u.role,
          u.password_hash,
          u.sudo_allowed ? "true" : "false",
          std::to_string(u.uid),
          std::to_string(u.gid),
          u.created_at,
          PgText(u.max_sessions),
          PgText(u.max_cpu),
          PgText(u.max_memory_bytes),
          PgText(u.max_pids),
          u.python_user_base,
          PgText(u.quota_bytes)};
}
UserRecord ReadUser(const pqxx::row& r) {
  UserRecord u;
  u.id = Str(r[0]);
  u.name = Str(r[1]);
  u.role = Str(r[2]);
  u.password_hash = Str(r[3]);
  u.sudo_allowed = r[4].as<bool>();
  u.uid = static_cast<uint32_t>(r[5].as<int64_t>());
  u.gid = static_cast<uint32_t>(r[6].as<int64_t>());
  u.created_at = Str(r[7]);
  u.max_sessions = Opt<int64_t>(r[8]);
  u.max_cpu = Opt<double>(r[9]);
  if (auto m = Opt<int64_t>(r[10])) u.max_memory_bytes = static_cast<uint64_t>(*m);
  u.max_pids = Opt<int64_t>(r[11]);
  u.python_user_base = Str(r[12]);
  if (auto q = Opt<int64_t>(r[13])) u.quota_bytes = static_cast<uint64_t>(*q);
  return u;
}

PgParams TokenParams(const TokenRecord& t) {
  return {t.id, t.user_id, t.label, t.secret_hash, t.created_at, t.last_used_at};
}
TokenRecord ReadToken(const pqxx::row& r) {
  return TokenRecord{Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), Str(r[4]), OptStr(r[5])};
}

PgParams FolderParams(const FolderRecord& f) {
  return {f.id,     f.name,       f.volume,     f.owner_id,
          f.status, f.created_at, f.trashed_at, PgText(f.quota_bytes),
          PgText(f.snapshot_every_s), PgText(f.snapshot_keep)};
}
FolderRecord ReadFolder(const pqxx::row& r) {
  FolderRecord f;
  f.id = Str(r[0]);
  f.name = Str(r[1]);
  f.volume = Str(r[2]);
  f.owner_id = Str(r[3]);
  f.status = Str(r[4]);
  f.created_at = Str(r[5]);
  f.trashed_at = OptStr(r[6]);
  if (auto q = Opt<int64_t>(r[7])) f.quota_bytes = static_cast<uint64_t>(*q);
  if (auto e = Opt<int64_t>(r[8])) f.snapshot_every_s = static_cast<uint64_t>(*e);
  if (auto k = Opt<int64_t>(r[9])) f.snapshot_keep = static_cast<uint64_t>(*k);
  return f;
}

PgParams SessionParams(const SessionRecord& s) {
  return {s.id,         s.name,         s.owner_id,    s.image,       s.status,
          s.error,      s.created_at,   s.request_json, s.mounts_json, s.status_reason,
          s.node,       s.job_id,       s.agent_key_hash, s.spec_json, s.manager};
}
SessionRecord ReadSession(const pqxx::row& r) {
  SessionRecord s;
  s.id = Str(r[0]);
  s.name = Str(r[1]);
  s.owner_id = Str(r[2]);
  s.image = Str(r[3]);
  s.status = Str(r[4]);
  s.error = Str(r[5]);
  s.created_at = Str(r[6]);
  s.request_json = Str(r[7]);
  s.mounts_json = Str(r[8]);
  s.status_reason = Str(r[9]);
  s.node = Str(r[10]);
  s.job_id = Str(r[11]);
  s.agent_key_hash = Str(r[12]);
  s.spec_json = Str(r[13]);
  s.manager = Str(r[14]);
  return s;
}

PgParams ShareParams(const ShareRecord& s) {
  return {s.id, s.folder_id, s.user_id, s.permission, s.status, s.created_at};
}
ShareRecord ReadShare(const pqxx::row& r) {
  return ShareRecord{Str(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), Str(r[4]), Str(r[5])};
}

PgParams DotfileParams(const DotfileRecord& d) {
  return {d.user_id, d.path, std::to_string(d.mode), PgBytea(d.content), d.updated_at};
}
DotfileRecord ReadDotfile(const pqxx::row& r) {
  DotfileRecord d;
  d.user_id = Str(r[0]);
  d.path = Str(r[1]);
  d.mode = static_cast<uint32_t>(r[2].as<int64_t>());
  pqxx::binarystring content(r[3]);
  d.content = content.str();
  d.updated_at = Str(r[4]);
  return d;
}

}  // namespace berth::store

#include "store/sqlite_rows.h"

namespace berth::store {

std::optional<std::string> OptText(SQLite::Column c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
std::optional<int64_t> OptInt64(SQLite::Column c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
std::optional<uint64_t> OptUint64(SQLite::Column c) {
  if (c.isNull()) return std::nullopt;
  return static_cast<uint64_t>(c.getInt64());
}
std::optional<double> OptReal(SQLite::Column c) {
  if (c.isNull()) return std::nullopt;
  return c.getDouble();
}

void BindOpt(SQLite::Statement& q, int i, const std::optional<std::string>& v) {
  if (v) q.bind(i, *v); else q.bind(i);
}
void BindOpt(SQLite::Statement& q, int i, const std::optional<int64_t>& v) {
  if (v) q.bind(i, *v); else q.bind(i);
}
void BindOpt(SQLite::Statement& q, int i, const std::optional<uint64_t>& v) {
  if (v) q.bind(i, static_cast<int64_t>(*v)); else q.bind(i);
}
void BindOpt(SQLite::Statement& q, int i, const std::optional<double>& v) {
  if (v) q.bind(i, *v); else q.bind(i);
}

UserRecord ReadUser(SQLite::Statement& q) {
  UserRecord u;
  u.id = q.getColumn(0).getString();
  u.name = q.getColumn(1).getString();
  u.role = q.getColumn(2).getString();
  u.password_hash = q.getColumn(3).getString();
  u.sudo_allowed = q.getColumn(4).getInt() != 0;
  u.uid = static_cast<uint32_t>(q.getColumn(5).getInt64());
  u.gid = static_cast<uint32_t>(q.getColumn(6).getInt64());
  u.created_at = q.getColumn(7).getString();
  u.max_sessions = OptInt64(q.getColumn(8));
  u.max_cpu = OptReal(q.getColumn(9));
  u.max_memory_bytes = OptUint64(q.getColumn(10));
  u.max_pids = OptInt64(q.getColumn(11));
  u.python_user_base = q.getColumn(12).getString();
  u.quota_bytes = OptUint64(q.getColumn(13));
  return u;
}

TokenRecord ReadToken(SQLite::Statement& q) {
  TokenRecord t;
  t.id = q.getColumn(0).getString();
  t.user_id = q.getColumn(1).getString();
  t.label = q.getColumn(2).getString();
  t.secret_hash = q.getColumn(3).getString();
  t.created_at = q.getColumn(4).getString();
  t.last_used_at = OptText(q.getColumn(5));
  return t;
}

FolderRecord ReadFolder(SQLite::Statement& q) {
  FolderRecord f;
  f.id = q.getColumn(0).getString();
  f.name = q.getColumn(1).getString();
  f.volume = q.getColumn(2).getString();
  f.owner_id = q.getColumn(3).getString();
  f.status = q.getColumn(4).getString();
  f.created_at = q.getColumn(5).getString();
  f.trashed_at = OptText(q.getColumn(6));
  f.quota_bytes = OptUint64(q.getColumn(7));
  f.snapshot_every_s = OptUint64(q.getColumn(8));
  f.snapshot_keep = OptUint64(q.getColumn(9));
  return f;
}

SessionRecord ReadSession(SQLite::Statement& q) {
  SessionRecord s;
  s.id = q.getColumn(0).getString();
  s.name = q.getColumn(1).getString();
  s.owner_id = q.getColumn(2).getString();
  s.image = q.getColumn(3).getString();
  s.status = q.getColumn(4).getString();
  s.error = q.getColumn(5).getString();
  s.created_at = q.getColumn(6).getString();
  s.request_json = q.getColumn(7).getString();
  s.mounts_json = q.getColumn(8).getString();
  s.status_reason = q.getColumn(9).getString();
  s.node = q.getColumn(10).getString();
  s.job_id = q.getColumn(11).getString();
  s.agent_key_hash = q.getColumn(12).getString();
  s.spec_json = q.getColumn(13).getString();
  s.manager = q.getColumn(14).getString();
  return s;
}

ShareRecord ReadShare(SQLite::Statement& q) {
  return ShareRecord{q.getColumn(0).getString(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getString(), q.getColumn(5).getString()};
}

void BindShare(SQLite::Statement& q, const ShareRecord& r) {
  q.bind(1, r.id);
  q.bind(2, r.folder_id);
  q.bind(3, r.user_id);
  q.bind(4, r.permission);
  q.bind(5, r.status);
  q.bind(6, r.created_at);
}
DotfileRecord ReadDotfile(SQLite::Statement& q) {
  DotfileRecord d;
  d.user_id = q.getColumn(0).getString();
  d.path = q.getColumn(1).getString();
  d.mode = static_cast<uint32_t>(q.getColumn(2).getInt64());
  auto blob = q.getColumn(3);
  if (blob.getBytes() > 0) {
    d.content.assign(static_cast<const char*>(blob.getBlob()), static_cast<size_t>(blob.getBytes()));
  }
  d.updated_at = q.getColumn(4).getString();
  return d;
}

void BindDotfile(SQLite::Statement& q, const DotfileRecord& d) {
  q.bind(1, d.user_id);
  q.bind(2, d.path);
  q.bind(3, static_cast<int64_t>(d.mode));
  q.bind(4, d.content.data(), static_cast<int>(d.content.size()));
  q.bind(5, d.updated_at);
}

void BindSession(SQLite::Statement& q, const SessionRecord& s) {
  q.bind(1, s.id);
  q.bind(2, s.name);
  q.bind(3, s.owner_id);
  q.bind(4, s.image);
  q.bind(5, s.status);
  q.bind(6, s.error);
  q.bind(7, s.created_at);
  q.bind(8, s.request_json);
  q.bind(9, s.mounts_json);
  q.bind(10, s.status_reason);
  q.bind(11, s.node);
  q.bind(12, s.job_id);
  q.bind(13, s.agent_key_hash);
  q.bind(14, s.spec_json);
  q.bind(15, s.manager);
}
void BindUser(SQLite::Statement& q, const UserRecord& u) {
  q.bind(1, u.id);
  q.bind(2, u.name);
  q.bind(3, u.role);
  q.bind(4, u.password_hash);
  q.bind(5, u.sudo_allowed ? 1 : 0);
  q.bind(6, static_cast<int64_t>(u.uid));
  q.bind(7, static_cast<int64_t>(u.gid));
  q.bind(8, u.created_at);
  BindOpt(q, 9, u.max_sessions);
  BindOpt(q, 10, u.max_cpu);
  BindOpt(q, 11, u.max_memory_bytes);
  BindOpt(q, 12, u.max_pids);
  q.bind(13, u.python_user_base);
  BindOpt(q, 14, u.quota_bytes);
}
void BindFolder(SQLite::Statement& q, const FolderRecord& f) {
  q.bind(1, f.id);
  q.bind(2, f.name);
  q.bind(3, f.volume);
  q.bind(4, f.owner_id);
  q.bind(5, f.status);
  q.bind(6, f.created_at);
  BindOpt(q, 7, f.trashed_at);
  BindOpt(q, 8, f.quota_bytes);
  BindOpt(q, 9, f.snapshot_every_s);
  BindOpt(q, 10, f.snapshot_keep);
}

}  // namespace berth::store

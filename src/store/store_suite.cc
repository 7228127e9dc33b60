#include "store/store_suite.h"

#include <ctime>

#include "common/random.h"

namespace berth::store {
namespace {

UserRecord MakeUser(const std::string& name) {
  UserRecord u;
  u.id = NewUuid();
  u.name = name;
  u.created_at = "2026-01-01T00:00:00Z";
  return u;
}

FolderRecord MakeFolder(const std::string& owner, const std::string& name) {
  FolderRecord f;
  f.id = NewUuid();
  f.name = name;
  f.volume = "local";
  f.owner_id = owner;
  f.created_at = "2026-01-01T00:00:00Z";
  return f;
}

TEST_P(StoreSuite, UsersAreUniqueByName) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  EXPECT_EQ(store_->CreateUser(MakeUser("alice")).code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->GetUserByName("alice")->id, a.id);
  EXPECT_EQ(store_->GetUser("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(*store_->CountUsers(), 1);
  a.sudo_allowed = true;
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  EXPECT_TRUE(store_->GetUser(a.id)->sudo_allowed);
}

TEST_P(StoreSuite, ListUsersIsOrderedByNameAndFollowsDeletes) {
  auto b = MakeUser("bob"), a = MakeUser("alice"), c = MakeUser("carol");
  for (const auto& u : {b, a, c}) ASSERT_TRUE(store_->CreateUser(u).ok());
  auto names = [&] {
    std::vector<std::string> out;
    auto users = store_->ListUsers();
    EXPECT_TRUE(users.ok()) << users.status().ToString();
    if (users.ok())
      for (const auto& u : *users) out.push_back(u.name);
    return out;
  };
  EXPECT_EQ(names(), (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(store_->ListUsers()->at(1).id, b.id);
  ASSERT_TRUE(store_->DeleteUser(b.id).ok());
  EXPECT_EQ(names(), (std::vector<std::string>{"alice", "carol"}));
  EXPECT_EQ(*store_->CountUsers(), 2);
}

TEST_P(StoreSuite, UserLimitsRoundTripAndClear) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  EXPECT_FALSE(store_->GetUser(a.id)->max_sessions.has_value());
  a.max_sessions = 2;
  a.max_cpu = 1.5;
  a.max_memory_bytes = uint64_t{3} << 30;
  a.max_pids = 64;
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  auto got = store_->GetUserByName("alice");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->max_sessions, 2);
  EXPECT_EQ(got->max_cpu, 1.5);
  EXPECT_EQ(got->max_memory_bytes, uint64_t{3} << 30);
  EXPECT_EQ(got->max_pids, 64);
  a.max_cpu.reset();
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  EXPECT_FALSE(store_->GetUser(a.id)->max_cpu.has_value());
  EXPECT_EQ(store_->GetUser(a.id)->max_pids, 64);
}

TEST_P(StoreSuite, UserQuotaRoundTripAndClear) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  EXPECT_FALSE(store_->GetUser(a.id)->quota_bytes.has_value());
  a.quota_bytes = uint64_t{5} << 40;  // past 32 bits
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  EXPECT_EQ(store_->GetUserByName("alice")->quota_bytes, uint64_t{5} << 40);
  EXPECT_EQ(store_->ListUsers()->at(0).quota_bytes, uint64_t{5} << 40);
  a.quota_bytes.reset();
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  EXPECT_FALSE(store_->GetUser(a.id)->quota_bytes.has_value());
}

TEST_P(StoreSuite, TokensByHashAndCascadeOnUserDelete) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  TokenRecord t{NewUuid(), a.id, "laptop", "abc123", "2026-01-01T00:00:00Z", std::nullopt};
  ASSERT_TRUE(store_->CreateToken(t).ok());
  EXPECT_EQ(store_->GetTokenByHash("abc123")->user_id, a.id);
  ASSERT_TRUE(store_->TouchToken(t.id, "2026-01-02T00:00:00Z").ok());
  EXPECT_EQ(store_->ListTokens(a.id)->at(0).last_used_at.value_or(""), "2026-01-02T00:00:00Z");
  EXPECT_EQ(store_->DeleteToken("other-user", t.id).code(), Code::kNotFound);
  ASSERT_TRUE(store_->DeleteUser(a.id).ok());
  EXPECT_EQ(store_->GetTokenByHash("abc123").status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, ReadyFolderNamesAreUniquePerOwnerButTrashMayRepeat) {
  auto a = MakeUser("alice"), b = MakeUser("bob");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  ASSERT_TRUE(store_->CreateUser(b).ok());
  auto f1 = MakeFolder(a.id, "data");
  ASSERT_TRUE(store_->CreateFolder(f1).ok());
  EXPECT_EQ(store_->CreateFolder(MakeFolder(a.id, "data")).code(), Code::kAlreadyExists);
  EXPECT_TRUE(store_->CreateFolder(MakeFolder(b.id, "data")).ok());
  f1.status = "trash";
  f1.trashed_at = "2026-01-03T00:00:00Z";
  ASSERT_TRUE(store_->UpdateFolder(f1).ok());
  auto f2 = MakeFolder(a.id, "data");
  ASSERT_TRUE(store_->CreateFolder(f2).ok());
  f2.status = "trash";
  ASSERT_TRUE(store_->UpdateFolder(f2).ok());
  EXPECT_EQ(store_->ListFolders(a.id, "trash")->size(), 2u);
  EXPECT_EQ(store_->ListFolders(a.id, "ready")->size(), 0u);
  EXPECT_EQ(store_->ListAllFolders()->size(), 3u);
  EXPECT_EQ(store_->GetFolder(f1.id)->trashed_at.value_or(""), "2026-01-03T00:00:00Z");
  ASSERT_TRUE(store_->DeleteFolder(f1.id).ok());
  EXPECT_EQ(store_->DeleteFolder(f1.id).code(), Code::kNotFound);
}

TEST_P(StoreSuite, ScheduledFoldersAreTheReadyOnesWithASchedule) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  auto plain = MakeFolder(a.id, "plain"), hourly = MakeFolder(a.id, "hourly"),
       trashed = MakeFolder(a.id, "trashed");
  hourly.snapshot_every_s = trashed.snapshot_every_s = 3600;
  hourly.snapshot_keep = trashed.snapshot_keep = 24;
  trashed.status = "trash";
  for (const auto& f : {plain, hourly, trashed}) ASSERT_TRUE(store_->CreateFolder(f).ok());
  auto got = store_->ListScheduledFolders();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, hourly.id);
  EXPECT_EQ((*got)[0].snapshot_every_s.value_or(0), 3600u);
  EXPECT_EQ((*got)[0].snapshot_keep.value_or(0), 24u);
}

TEST_P(StoreSuite, QuotaRoundTrips) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  auto f = MakeFolder(a.id, "q");
  f.quota_bytes = 5ull << 30;
  ASSERT_TRUE(store_->CreateFolder(f).ok());
  EXPECT_EQ(store_->GetFolder(f.id)->quota_bytes.value_or(0), 5ull << 30);
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

TEST_P(StoreSuite, SessionsWithTheirFolders) {
  UserRecord a{NewUuid(), "alice", "user", "", false, 1000, 1000, "t"};
  ASSERT_TRUE(store_->CreateUser(a).ok());
  SessionRecord s;
  s.id = NewUuid();
  s.name = "s1";
  s.owner_id = a.id;
  s.image = "python";
  s.created_at = "2026-01-01T00:00:00Z";
  s.folder_ids = {"f1", "f2"};
  ASSERT_TRUE(store_->CreateSession(s).ok());
  SessionRecord dup = s;
  dup.id = NewUuid();
  EXPECT_EQ(store_->CreateSession(dup).code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->GetSessionByName(a.id, "s1")->folder_ids, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(*store_->SessionsUsingFolder("f2"), std::vector<std::string>{"s1"});
  EXPECT_EQ(store_->GetSession(s.id)->status_reason, "");
  s.status = "terminated";
  s.status_reason = "share_revoked";
  s.folder_ids = {"f3"};
  ASSERT_TRUE(store_->UpdateSession(s).ok());
  EXPECT_TRUE(store_->SessionsUsingFolder("f2")->empty());
  EXPECT_EQ(store_->GetSession(s.id)->status, "terminated");
  EXPECT_EQ(store_->GetSession(s.id)->status_reason, "share_revoked");
  EXPECT_EQ(store_->ListSessions("")->size(), 1u);
  EXPECT_EQ(store_->ListSessions("nobody")->size(), 0u);
  ASSERT_TRUE(store_->DeleteSession(s.id).ok());
  EXPECT_TRUE(store_->SessionsUsingFolder("f3")->empty());
  EXPECT_EQ(store_->GetSessionByName(a.id, "s1").status().code(), Code::kNotFound);
}

// Migration 10: a cluster session's node, job, hashed agent key and the spec
// kept until its agent registers survive a write and a read, and an update.
TEST_P(StoreSuite, ClusterSessionFieldsRoundTrip) {
  UserRecord a{NewUuid(), "alice", "user", "", false, 1000, 1000, "t"};
  ASSERT_TRUE(store_->CreateUser(a).ok());
  SessionRecord s;
  s.id = NewUuid();
  s.name = "c1";
  s.owner_id = a.id;
  s.status = "pending";
  s.status_reason = "Resources";
  s.created_at = "t";
  s.job_id = "42";
  s.agent_key_hash = std::string(64, 'a');
  s.spec_json = R"({"id":"x"})";
  s.manager = "mgr-a";
  ASSERT_TRUE(store_->CreateSession(s).ok());
  auto got = store_->GetSession(s.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->node, "");
  EXPECT_EQ(got->job_id, "42");
  EXPECT_EQ(got->agent_key_hash, std::string(64, 'a'));
  EXPECT_EQ(got->spec_json, R"({"id":"x"})");
  s.status = "running";
  s.node = "node2";
  s.spec_json.clear();
  ASSERT_TRUE(store_->UpdateSession(s).ok());
  auto listed = store_->ListSessions(a.id);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().node, "node2");
  EXPECT_EQ(listed->front().job_id, "42");
  EXPECT_EQ(listed->front().spec_json, "");
  EXPECT_EQ(listed->front().manager, "mgr-a");
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

TEST_P(StoreSuite, SharesAreUniquePerFolderAndUserAndCascade) {
  UserRecord a{NewUuid(), "alice", "user", "", false, 1000, 1000, "t"};
  UserRecord b{NewUuid(), "bob", "user", "", false, 1000, 1000, "t"};
  ASSERT_TRUE(store_->CreateUser(a).ok());
  ASSERT_TRUE(store_->CreateUser(b).ok());
  FolderRecord f;
  f.id = NewUuid();
  f.name = "shared";
  f.volume = "local";
  f.owner_id = a.id;
  f.created_at = "t";
  ASSERT_TRUE(store_->CreateFolder(f).ok());
  ShareRecord s{NewUuid(), f.id, b.id, "ro", "pending", "t"};
  ASSERT_TRUE(store_->CreateShare(s).ok());
  ShareRecord again = s;
  again.id = NewUuid();
  EXPECT_EQ(store_->CreateShare(again).code(), Code::kAlreadyExists);
  EXPECT_EQ(store_->ListUserShares(b.id, "pending")->size(), 1u);
  EXPECT_EQ(store_->ListUserShares(b.id, "accepted")->size(), 0u);
  s.status = "accepted";
  s.permission = "rw";
  ASSERT_TRUE(store_->UpdateShare(s).ok());
  EXPECT_EQ(store_->GetShare(f.id, b.id)->permission, "rw");
  EXPECT_EQ(store_->GetShareById(s.id)->status, "accepted");
  EXPECT_EQ(store_->ListFolderShares(f.id)->size(), 1u);
  ASSERT_TRUE(store_->DeleteFolder(f.id).ok());
  EXPECT_EQ(store_->GetShareById(s.id).status().code(), Code::kNotFound);
}

TEST_P(StoreSuite, DeletedShareIsGoneAndDeletingItAgainIsNotFound) {
  auto a = MakeUser("alice"), b = MakeUser("bob");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  ASSERT_TRUE(store_->CreateUser(b).ok());
  auto f = MakeFolder(a.id, "shared");
  ASSERT_TRUE(store_->CreateFolder(f).ok());
  ShareRecord s{NewUuid(), f.id, b.id, "ro", "pending", "t"};
  ASSERT_TRUE(store_->CreateShare(s).ok());
  ASSERT_TRUE(store_->DeleteShare(s.id).ok());
  EXPECT_EQ(store_->GetShareById(s.id).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetShare(f.id, b.id).status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->ListFolderShares(f.id)->empty());
  EXPECT_EQ(store_->DeleteShare(s.id).code(), Code::kNotFound);
  // The pair is free again: a new invitation may be made.
  ShareRecord again{NewUuid(), f.id, b.id, "rw", "pending", "t"};
  EXPECT_TRUE(store_->CreateShare(again).ok());
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

TEST_P(StoreSuite, WebSessionsByHashDeleteAndCascadeOnUserDelete) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  WebSessionRecord w{"hash-1", a.id, "csrf-1", now + 3600};
  ASSERT_TRUE(store_->CreateWebSession(w).ok());
  auto got = store_->GetWebSession("hash-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->user_id, a.id);
  EXPECT_EQ(got->csrf_token, "csrf-1");
  EXPECT_EQ(got->expires_at, now + 3600);
  EXPECT_EQ(store_->GetWebSession("hash-2").status().code(), Code::kNotFound);

  // Sign-out: gone, and signing out again (a stale cookie) is not an error.
  ASSERT_TRUE(store_->DeleteWebSession("hash-1").ok());
  EXPECT_EQ(store_->GetWebSession("hash-1").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->DeleteWebSession("hash-1").ok());

  // Deleting the user signs them out everywhere.
  ASSERT_TRUE(store_->CreateWebSession({"hash-3", a.id, "csrf-3", now + 3600}).ok());
  ASSERT_TRUE(store_->DeleteUser(a.id).ok());
  EXPECT_EQ(store_->GetWebSession("hash-3").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace berth::store

namespace berth::store {
namespace {

TEST_P(StoreSuite, DotfilesPutReplaceListDeleteAndCascade) {
  auto a = MakeUser("alice"), b = MakeUser("bob");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  ASSERT_TRUE(store_->CreateUser(b).ok());
  const std::string binary("x\0y\xff", 4);
  ASSERT_TRUE(store_->PutDotfile({a.id, ".ssh/authorized_keys", 0600, binary, "t1"}).ok());
  ASSERT_TRUE(store_->PutDotfile({a.id, ".bashrc", 0644, "echo hi\n", "t1"}).ok());
  ASSERT_TRUE(store_->PutDotfile({b.id, ".bashrc", 0644, "bob\n", "t1"}).ok());

  auto got = store_->GetDotfile(a.id, ".ssh/authorized_keys");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->content, binary);
  EXPECT_EQ(got->mode, 0600u);
  EXPECT_EQ(store_->GetDotfile(a.id, ".vimrc").status().code(), Code::kNotFound);

  // Replacing keeps one row with the new content, mode and time.
  ASSERT_TRUE(store_->PutDotfile({a.id, ".bashrc", 0600, "new\n", "t2"}).ok());
  auto list = store_->ListDotfiles(a.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->at(0).path, ".bashrc");
  EXPECT_EQ(list->at(0).content, "new\n");
  EXPECT_EQ(list->at(0).mode, 0600u);
  EXPECT_EQ(list->at(0).updated_at, "t2");
  EXPECT_EQ(store_->GetDotfile(b.id, ".bashrc")->content, "bob\n");

  ASSERT_TRUE(store_->DeleteDotfile(a.id, ".bashrc").ok());
  EXPECT_EQ(store_->DeleteDotfile(a.id, ".bashrc").code(), Code::kNotFound);
  EXPECT_EQ(store_->ListDotfiles(a.id)->size(), 1u);

  ASSERT_TRUE(store_->DeleteUser(a.id).ok());
  EXPECT_TRUE(store_->ListDotfiles(a.id)->empty());
}

TEST_P(StoreSuite, PythonUserBaseDefaultsToSharedAndRoundTrips) {
  auto a = MakeUser("alice");
  ASSERT_TRUE(store_->CreateUser(a).ok());
  EXPECT_EQ(store_->GetUser(a.id)->python_user_base, "shared");
  a.python_user_base = "per_version";
  ASSERT_TRUE(store_->UpdateUser(a).ok());
  EXPECT_EQ(store_->GetUserByName("alice")->python_user_base, "per_version");
}

}  // namespace
}  // namespace berth::store

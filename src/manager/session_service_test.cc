// SessionService with real parts around it: a SQLite store on a temp dir, a
// FolderService on a temp volume, an ImageStore with a tiny fake image and a
// SessionAgent, all on a FakeRuntime (agent/agent_testing.h). Only the
// container runtime is faked.
#include "manager/session_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "agent/agent_testing.h"
#include "common/clock.h"
#include "common/random.h"
#include "manager/local_session_host.h"
#include "manager/share_service.h"
#include "nlohmann/json.hpp"
#include "storage/local_volume.h"
#include "store/sqlite_store.h"

namespace berth::manager {
namespace {

namespace fs = std::filesystem;
using agent::SessionRequest;

class SessionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = agent::TestNode::Create("python");
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
    auto store = store::OpenSqliteStore(node_->dir() + "/berth.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    volume_ = std::make_unique<storage::LocalVolume>(
        storage::VolumeOptions{"local", node_->volume_root(), 1000, 1000});
    ASSERT_TRUE(volume_->Init().ok());
    FolderServiceDeps fd;
    fd.store = store_.get();
    fd.volumes["local"] = volume_.get();
    folders_ = std::make_unique<FolderService>(std::move(fd));
    host_ = std::make_unique<LocalSessionHost>(&node_->agent());
    sessions_ = std::make_unique<SessionService>(SessionServiceDeps{
        store_.get(), folders_.get(), host_.get(), &node_->images(), nullptr, "python"});
    folders_->SetUseChecker(sessions_.get());
    alice_ = AddUser("alice", "user");
    bob_ = AddUser("bob", "user");
    admin_ = AddUser("admin", "superadmin");
  }

  Principal AddUser(const std::string& name, const std::string& role) {
    store::UserRecord u;
    u.id = NewUuid();
    u.name = name;
    u.role = role;
    u.created_at = NowRfc3339();
    EXPECT_TRUE(store_->CreateUser(u).ok());
    Principal p;
    p.user_id = u.id;
    p.name = name;
    p.role = role;
    return p;
  }

  void AddFolder(const Principal& p, const std::string& name) {
    auto f = folders_->Create(p, name, "", std::nullopt);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
  }

  static agent::ValidSessionRequest Request(
      const std::function<void(SessionRequest&)>& edit = {}) {
    SessionRequest r;
    if (edit) edit(r);
    auto v = agent::ValidateSessionRequest(std::move(r));
    if (!v.ok()) throw std::runtime_error(v.status().ToString());
    return std::move(*v);
  }

  Result<api::Session> Create(const Principal& p, const std::string& name,
                              std::vector<agent::MountRequest> mounts = {}) {
    return sessions_->Create(p, Request([&](SessionRequest& r) {
      r.name = name;
      r.mounts = std::move(mounts);
    }));
  }

  // Nothing of any session anywhere: store, runtime, agent's session dirs.
  void ExpectNothingLeft() {
    auto all = store_->ListSessions("");
    ASSERT_TRUE(all.ok());
    EXPECT_TRUE(all->empty()) << all->size() << " sessions in the store";
    EXPECT_TRUE(node_->runtime().Ids().empty());
    EXPECT_TRUE(fs::is_empty(node_->dir() + "/agent/sessions"));
  }

  std::unique_ptr<agent::TestNode> node_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<storage::Volume> volume_;
  std::unique_ptr<FolderService> folders_;
  std::unique_ptr<LocalSessionHost> host_;  // before sessions_, which holds it
  std::unique_ptr<SessionService> sessions_;
  Principal alice_, bob_, admin_;
};

TEST_F(SessionServiceTest, CreateWithMountsAndAutomountRecordsTheSession) {
  AddFolder(alice_, "data");
  AddFolder(alice_, ".local");
  AddFolder(alice_, "other");  // not asked for, not a dot-folder: not mounted
  auto s = Create(alice_, "web", {{"data", "", "ro"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "web");
  EXPECT_EQ(s->owner, "alice");
  EXPECT_EQ(s->image, "python");
  EXPECT_EQ(s->status, "running");
  ASSERT_EQ(s->mounts.size(), 2u);  // sorted by target
  EXPECT_EQ(s->mounts[0].folder, ".local");
  EXPECT_EQ(s->mounts[0].target, "/home/work/.local");
  EXPECT_EQ(s->mounts[0].permission, "rw");
  EXPECT_TRUE(s->mounts[0].automount);
  EXPECT_EQ(s->mounts[1].folder, "data");
  EXPECT_EQ(s->mounts[1].target, "/home/work/data");
  EXPECT_EQ(s->mounts[1].permission, "ro");
  EXPECT_FALSE(s->mounts[1].automount);
  EXPECT_EQ(s->persistent_paths,
            (std::vector<std::string>{"/home/work/.local", "/home/work/data"}));

  auto rec = store_->GetSession(s->id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->status, "running");
  EXPECT_EQ(rec->folder_ids.size(), 2u);
  EXPECT_EQ(sessions_->SessionUsing(s->mounts[1].folder_id), "web");

  // The runtime got the folders' host paths, under the volume root.
  auto c = node_->runtime().SpecOf(s->id);
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->mounts.size(), 4u);  // scratch home + 2 folders + the profile drop-in
  for (size_t i = 1; i <= 2; ++i) {
    EXPECT_EQ(c->mounts[i].source.rfind(node_->volume_root() + "/", 0), 0u)
        << c->mounts[i].source;
  }
  EXPECT_TRUE(c->mounts[2].read_only);
  EXPECT_NE(std::find(c->env.begin(), c->env.end(), "PATH=/home/work/.local/bin:" +
                                                        std::string("/usr/local/sbin:/usr/local/"
                                                                    "bin:/usr/sbin:/usr/bin:/sbin:"
                                                                    "/bin")),
            c->env.end());

  // Same name again: refused, and the first one is untouched.
  auto again = Create(alice_, "web");
  EXPECT_EQ(again.status().reason(), "session_exists");
  EXPECT_EQ(node_->runtime().Ids().size(), 1u);
}

TEST_F(SessionServiceTest, LimitsApplyTheDefaultsTheUsersOverridesAndTheSessionCap) {
  auto u = store_->GetUser(alice_.user_id);
  ASSERT_TRUE(u.ok());
  u->max_sessions = 2;
  u->max_pids = 64;
  ASSERT_TRUE(store_->UpdateUser(*u).ok());
  const LimitSettings deployment;  // 1 cpu, 2 GiB, 1024 pids by default

  auto s1 = Create(alice_, "one");
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  EXPECT_EQ(s1->resources.cpu, deployment.default_cpu);
  EXPECT_EQ(s1->resources.memory_bytes, deployment.default_memory_bytes);
  auto spec = node_->runtime().SpecOf(s1->id);
  ASSERT_TRUE(spec.has_value());
  EXPECT_EQ(spec->resources.pids_limit, 64);  // the default 1024, lowered to alice's 64
  EXPECT_EQ(spec->resources.memory_bytes, deployment.default_memory_bytes);

  ASSERT_TRUE(Create(alice_, "two").ok());
  auto three = Create(alice_, "three");
  EXPECT_EQ(three.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(three.status().reason(), "session_limit");
  auto big = sessions_->Create(bob_, Request([](SessionRequest& r) {
    r.resources.memory_bytes = uint64_t{1} << 40;
  }));
  EXPECT_EQ(big.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(big.status().reason(), "limit_exceeded");
  ASSERT_TRUE(sessions_->Delete(alice_, "one").ok());
  EXPECT_TRUE(Create(alice_, "three").ok());
}

TEST_F(SessionServiceTest, UnnamedSessionsGetAName) {
  auto s = sessions_->Create(alice_, Request());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(agent::IsValidSessionName(s->name)) << s->name;
  EXPECT_EQ(s->name.rfind("s-", 0), 0u);
}

TEST_F(SessionServiceTest, BadRequestsAreRefusedAndLeaveNothing) {
  AddFolder(alice_, "m1");
  AddFolder(alice_, "m2");
  AddFolder(alice_, ".local");
  AddFolder(alice_, "trashed");
  ASSERT_TRUE(folders_->Trash(alice_, "trashed").ok());
  AddFolder(bob_, "bobs");  // exists, but not alice's
  const struct {
    const char* what;
    std::vector<agent::MountRequest> mounts;
    std::optional<std::string> image;
    Code code;
    const char* reason;
  } cases[] = {
      {"unknown folder", {{"nope", "", ""}}, {}, Code::kNotFound, "folder_not_found"},
      {"someone else's folder", {{"bobs", "", ""}}, {}, Code::kNotFound, "folder_not_found"},
      {"forbidden target", {{"m1", "/etc/x", ""}}, {}, Code::kInvalidArgument,
       "invalid_mount_target"},
      {"dot-dot target", {{"m1", "a/../../etc", ""}}, {}, Code::kInvalidArgument,
       "invalid_mount_target"},
      {"two folders one target", {{"m1", "x", ""}, {"m2", "x", ""}}, {},
       Code::kInvalidArgument, "mount_target_conflict"},
      {"nested targets", {{"m1", "/data", ""}, {"m2", "/data/inner", ""}}, {},
       Code::kInvalidArgument, "mount_target_nested"},
      {"automount collision", {{"m1", ".local", ""}}, {}, Code::kInvalidArgument,
       "automount_collision"},
      {"trashed folder", {{"trashed", "", ""}}, {}, Code::kInvalidArgument, "folder_in_trash"},
      {"missing image", {}, "nope", Code::kNotFound, "image_not_found"},
  };
  for (const auto& c : cases) {
    auto r = sessions_->Create(alice_, Request([&](SessionRequest& req) {
      req.name = "bad";
      req.mounts = c.mounts;
      req.image = c.image;
    }));
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), c.code) << c.what << ": " << r.status().ToString();
    EXPECT_EQ(r.status().reason(), c.reason) << c.what << ": " << r.status().ToString();
    ExpectNothingLeft();
  }
  EXPECT_EQ(node_->runtime().create_calls(), 0);
}

TEST_F(SessionServiceTest, RuntimeFailureLeavesNothing) {
  AddFolder(alice_, "data");
  node_->runtime().FailNextCreate(Internal("runc exploded"));
  auto r = Create(alice_, "web", {{"data", "", ""}});
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(), "runc exploded");
  ExpectNothingLeft();
  // The name is free again.
  EXPECT_TRUE(Create(alice_, "web").ok());
}

TEST_F(SessionServiceTest, DeleteRemovesEverythingAndFreesTheFolder) {
  AddFolder(alice_, "data");
  auto s = Create(alice_, "web", {{"data", "", ""}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(folders_->Trash(alice_, "data").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(sessions_->Delete(bob_, "web").code(), Code::kNotFound);  // not bob's
  ASSERT_TRUE(sessions_->Delete(alice_, "web").ok());
  ExpectNothingLeft();
  EXPECT_EQ(sessions_->Get(alice_, "web").status().reason(), "session_not_found");
  EXPECT_EQ(sessions_->Delete(alice_, "web").code(), Code::kNotFound);
  EXPECT_TRUE(folders_->Trash(alice_, "data").ok());
}

// One host has no GPUs and the one resource group "default" (SPEC §5, §9).
TEST_F(SessionServiceTest, GpusAndUnknownResourceGroupsAreRefusedOnOneHost) {
  auto gpus = sessions_->Create(alice_, Request([](SessionRequest& r) { r.resources.gpus = 1; }));
  EXPECT_EQ(gpus.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(gpus.status().reason(), "resources_unavailable");
  auto group = sessions_->Create(alice_, Request([](SessionRequest& r) {
    r.resource_group = "gpu";
  }));
  EXPECT_EQ(group.status().reason(), "unknown_resource_group");
  ExpectNothingLeft();
  auto groups = sessions_->ResourceGroups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].name, "default");
  EXPECT_TRUE((*groups)[0].is_default);
  auto ok = sessions_->Create(alice_, Request([](SessionRequest& r) {
    r.resource_group = "default";
    r.resources.gpus = 0;
  }));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->resource_group, "default");
  EXPECT_EQ(ok->node, "");
}

// What a host reports later (a cluster's node failed) is recorded; a lost
// session mounts nothing any more and counts against no limit.
TEST_F(SessionServiceTest, ALostSessionIsRecordedAndFreesItsFolders) {
  AddFolder(alice_, "data");
  auto s = Create(alice_, "web", {{"data", "", "rw"}});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::string folder = s->mounts[0].folder_id;
  ASSERT_TRUE(sessions_->SessionUsing(folder).has_value());
  sessions_->OnHostStatus(s->id, "lost", "node_fail", "node2");
  auto got = sessions_->Get(alice_, "web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "lost");
  EXPECT_EQ(got->status_reason, "node_fail");
  EXPECT_EQ(got->node, "node2");
  EXPECT_FALSE(sessions_->SessionUsing(folder).has_value());
  // Ended: later reports change nothing; delete still removes it.
  sessions_->OnHostStatus(s->id, "running", "", "");
  EXPECT_EQ(sessions_->Get(alice_, "web")->status, "lost");
  ASSERT_TRUE(sessions_->Delete(alice_, "web").ok());
  ExpectNothingLeft();
}

// The cluster poller may report "creating" (or "pending") from a listing read
// before the agent's "running" came in: a running session stays running.
TEST_F(SessionServiceTest, ALateCreatingReportDoesNotUndoRunning) {
  auto s = Create(alice_, "web");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->status, "running");
  sessions_->OnHostStatus(s->id, "creating", "", "node1");
  EXPECT_EQ(sessions_->Get(alice_, "web")->status, "running");
  sessions_->OnHostStatus(s->id, "pending", "Resources", "");
  EXPECT_EQ(sessions_->Get(alice_, "web")->status, "running");
  // What ends it still applies.
  sessions_->OnHostStatus(s->id, "lost", "node_fail", "node1");
  EXPECT_EQ(sessions_->Get(alice_, "web")->status, "lost");
  ASSERT_TRUE(sessions_->Delete(alice_, "web").ok());
  ExpectNothingLeft();
}

TEST_F(SessionServiceTest, ExecNeedsARunningSession) {
  auto s = Create(alice_, "web");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  runtime::ExecOptions o;
  o.argv = {"true"};
  node_->runtime().SetExecResult({0, false, "out", ""});
  auto ok = sessions_->Exec(alice_, "web", o);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->stdout_data, "out");

  auto rec = store_->GetSession(s->id);
  ASSERT_TRUE(rec.ok());
  rec->status = "error";
  ASSERT_TRUE(store_->UpdateSession(*rec).ok());
  EXPECT_EQ(sessions_->Exec(alice_, "web", o).status().reason(), "session_not_running");
  EXPECT_EQ(sessions_->Exec(alice_, "nope", o).status().reason(), "session_not_found");
  o.argv.clear();
  EXPECT_EQ(sessions_->Exec(alice_, "web", o).status().reason(), "invalid_command");
}

TEST_F(SessionServiceTest, OnlyASuperadminListsEveryonesSessions) {
  ASSERT_TRUE(Create(alice_, "a1").ok());
  ASSERT_TRUE(Create(bob_, "b1").ok());
  auto names = [](const Result<std::vector<api::Session>>& r) {
    std::vector<std::string> out;
    if (r.ok())
      for (const auto& s : *r) out.push_back(s.name);
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names(sessions_->List(alice_, false)), V{"a1"});
  EXPECT_EQ(names(sessions_->List(alice_, true)), V{"a1"});  // `all` ignored
  EXPECT_EQ(names(sessions_->List(admin_, false)), V{});
  EXPECT_EQ(names(sessions_->List(admin_, true)), (V{"a1", "b1"}));
  // A superadmin reaches another user's session by id, not by name.
  auto b1 = sessions_->Get(bob_, "b1");
  ASSERT_TRUE(b1.ok());
  EXPECT_TRUE(sessions_->Get(admin_, b1->id).ok());
  EXPECT_FALSE(sessions_->Get(alice_, b1->id).ok());
}

TEST_F(SessionServiceTest, ReconcileFinishesInterruptedWorkAndMarksLostSessions) {
  auto kept = Create(alice_, "kept");
  auto lost = Create(alice_, "lost");
  ASSERT_TRUE(kept.ok() && lost.ok());
  node_->runtime().SetState(lost->id, runtime::ContainerState::kStopped);
  // Interrupted by a crash mid-create and mid-delete.
  std::vector<std::string> interrupted;
  for (const char* status : {"creating", "terminating"}) {
    store::SessionRecord r;
    r.id = NewUuid();
    r.name = std::string("x-") + status;
    r.owner_id = alice_.user_id;
    r.image = "python";
    r.status = status;
    r.created_at = NowRfc3339();
    ASSERT_TRUE(store_->CreateSession(r).ok());
    node_->runtime().SetState(r.id, runtime::ContainerState::kRunning);
    interrupted.push_back(r.id);
  }
  // Ended by Berth (share_revoked): kept to tell the owner why; neither
  // adopted nor reported lost, and left in the store.
  store::SessionRecord ended;
  ended.id = NewUuid();
  ended.name = "ended";
  ended.owner_id = alice_.user_id;
  ended.image = "python";
  ended.status = "terminated";
  ended.status_reason = "share_revoked";
  ended.created_at = NowRfc3339();
  ASSERT_TRUE(store_->CreateSession(ended).ok());
  const std::string stray = NewUuid();  // a container the store never heard of
  node_->runtime().SetState(stray, runtime::ContainerState::kRunning);

  agent::ReconcileReport rep = sessions_->Reconcile();
  EXPECT_TRUE(rep.errors.empty());
  EXPECT_EQ(rep.adopted, std::vector<std::string>{kept->id});
  EXPECT_EQ(rep.lost, std::vector<std::string>{lost->id});
  EXPECT_EQ(store_->GetSession(ended.id)->status, "terminated");
  for (const auto& id : interrupted) {
    EXPECT_NE(std::find(rep.removed.begin(), rep.removed.end(), id), rep.removed.end());
    EXPECT_EQ(store_->GetSession(id).status().code(), Code::kNotFound);
  }
  EXPECT_NE(std::find(rep.removed.begin(), rep.removed.end(), stray), rep.removed.end());
  auto ids = node_->runtime().Ids();
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want = {kept->id, lost->id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);

  auto l = sessions_->Get(alice_, "lost");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->status, "error");
  EXPECT_FALSE(l->error.empty());
  EXPECT_EQ(sessions_->Get(alice_, "kept")->status, "running");
  // A lost session can still be deleted.
  EXPECT_TRUE(sessions_->Delete(alice_, "lost").ok());
}


// Share revocation (issue 10 item 7): revoking, leaving or narrowing a share
// ends the invitee's running sessions that mount the folder; the owner's own
// sessions and unrelated ones keep running.
class ShareRevocationTest : public SessionServiceTest {
 protected:
  void SetUp() override {
    SessionServiceTest::SetUp();
    shares_ = std::make_unique<ShareService>(*store_, *folders_, audit_);
    shares_->SetRevoker(sessions_.get());
    AddFolder(alice_, "data");
  }

  // Alice shares "data" with Bob at `permission`, Bob accepts.
  void ShareWithBob(const std::string& permission) {
    auto inv = shares_->Share(alice_, "data", "bob", permission);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    ASSERT_TRUE(shares_->Accept(bob_, inv->id).ok());
  }

  // Status and status_reason of `p`'s session `name`, e.g. "running/".
  std::string StateOf(const Principal& p, const std::string& name) {
    auto s = sessions_->Get(p, name);
    if (!s.ok()) return s.status().ToString();
    return s->status + "/" + s->status_reason;
  }

  AuditLog audit_{""};
  std::unique_ptr<ShareService> shares_;
};

TEST_F(ShareRevocationTest, RevokeEndsTheInviteesSessionsOnly) {
  ShareWithBob("rw");
  ASSERT_TRUE(Create(alice_, "mine", {{"data", "", ""}}).ok());
  auto theirs = Create(bob_, "theirs", {{"data", "", ""}});
  ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
  ASSERT_TRUE(Create(bob_, "other").ok());

  ASSERT_TRUE(shares_->Unshare(alice_, "data", "bob").ok());
  EXPECT_EQ(StateOf(bob_, "theirs"), "terminated/share_revoked");
  EXPECT_FALSE(node_->runtime().SpecOf(theirs->id).has_value()) << "container still there";
  EXPECT_EQ(StateOf(bob_, "other"), "running/");
  EXPECT_EQ(StateOf(alice_, "mine"), "running/");
  // The ended session mounts nothing: only Alice's own session blocks a delete.
  EXPECT_EQ(sessions_->SessionUsing(theirs->mounts[0].folder_id), "mine");
  // It stays listed until Bob deletes it, and then it is gone.
  ASSERT_TRUE(sessions_->Delete(bob_, "theirs").ok());
  EXPECT_EQ(sessions_->Get(bob_, "theirs").status().code(), Code::kNotFound);
}

TEST_F(ShareRevocationTest, LeaveEndsTheInviteesSessions) {
  ShareWithBob("ro");
  ASSERT_TRUE(Create(bob_, "theirs", {{"data", "", ""}}).ok());
  ASSERT_TRUE(shares_->Leave(bob_, "data").ok());
  EXPECT_EQ(StateOf(bob_, "theirs"), "terminated/share_revoked");
}

TEST_F(ShareRevocationTest, NarrowingToReadOnlyEndsOnlyReadWriteMounts) {
  ShareWithBob("rw");
  ASSERT_TRUE(Create(bob_, "writer", {{"data", "", "rw"}}).ok());
  ASSERT_TRUE(Create(bob_, "reader", {{"data", "", "ro"}}).ok());
  ASSERT_TRUE(shares_->Share(alice_, "data", "bob", "ro").ok());
  EXPECT_EQ(StateOf(bob_, "writer"), "terminated/share_revoked");
  EXPECT_EQ(StateOf(bob_, "reader"), "running/");
  // Widening again ends nothing.
  ASSERT_TRUE(shares_->Share(alice_, "data", "bob", "rw").ok());
  EXPECT_EQ(StateOf(bob_, "reader"), "running/");
}

TEST_F(ShareRevocationTest, RevokingAPendingInvitationEndsNothing) {
  ASSERT_TRUE(shares_->Share(alice_, "data", "bob", "rw").ok());
  ASSERT_TRUE(Create(alice_, "mine", {{"data", "", ""}}).ok());
  ASSERT_TRUE(shares_->Unshare(alice_, "data", "bob").ok());
  EXPECT_EQ(StateOf(alice_, "mine"), "running/");
}

// Issue 10 item 8: dot-folders are never shared, so a shared folder cannot
// become one, and an invitation to one cannot be accepted.
TEST_F(ShareRevocationTest, RenameToDotNameRefusedWhileSharedOrInvited) {
  ASSERT_TRUE(shares_->Share(alice_, "data", "bob", "rw").ok());  // pending
  auto r = folders_->Rename(alice_, "data", ".local");
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "folder_shared");
  EXPECT_TRUE(folders_->Rename(alice_, "data", "plain").ok());  // other names are fine
  ASSERT_TRUE(shares_->Unshare(alice_, "plain", "bob").ok());
  EXPECT_TRUE(folders_->Rename(alice_, "plain", ".local").ok());
}

TEST_F(ShareRevocationTest, AcceptRefusedForADotFolder) {
  auto inv = shares_->Share(alice_, "data", "bob", "rw");
  ASSERT_TRUE(inv.ok());
  // As a store written before the rename rule could hold it.
  auto f = store_->GetFolder(inv->folder_id);
  ASSERT_TRUE(f.ok());
  f->name = ".local";
  ASSERT_TRUE(store_->UpdateFolder(*f).ok());
  auto a = shares_->Accept(bob_, inv->id);
  EXPECT_EQ(a.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(a.status().reason(), "automount_not_shareable");
}

}  // namespace
}  // namespace berth::manager

namespace berth::manager {
namespace {

// Two managers on one store, each with its own host: a manager starting
// (Reconcile) leaves the other's session running and its container alone,
// and refuses to act on it (409 naming the other manager); the owner's
// manager adopts and deletes it.
TEST_F(SessionServiceTest, SeveralManagersTouchOnlyTheirOwnSessions) {
  SessionServiceDeps on_a{store_.get(), folders_.get(), host_.get(), &node_->images(), nullptr,
                          "python"};
  on_a.manager_name = "host-a:/var/lib/berth";
  SessionService a(on_a);
  auto other = agent::TestNode::Create("python");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  LocalSessionHost other_host(&(*other)->agent());
  SessionServiceDeps on_b{store_.get(), folders_.get(), &other_host, &(*other)->images(), nullptr,
                          "python"};
  on_b.manager_name = "host-b:/var/lib/berth";
  SessionService b(on_b);

  auto s = a.Create(alice_, Request([](SessionRequest& r) { r.name = "on-a"; }));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto rep = b.Reconcile();
  EXPECT_TRUE(rep.lost.empty());
  EXPECT_TRUE(rep.adopted.empty());
  auto rec = store_->GetSession(s->id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->status, "running");
  EXPECT_EQ(rec->manager, "host-a:/var/lib/berth");
  EXPECT_EQ(node_->runtime().Ids(), std::vector<std::string>{s->id});

  auto listed = b.List(alice_, false);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 1u);  // the store is shared
  runtime::ExecOptions o;
  o.argv = {"true"};
  for (const Status& st : {b.Exec(alice_, "on-a", o).status(), b.Logs(alice_, "on-a").status(),
                           b.Delete(alice_, "on-a")}) {
    EXPECT_EQ(st.code(), Code::kFailedPrecondition) << st.ToString();
    EXPECT_EQ(st.reason(), "session_on_other_manager");
    EXPECT_NE(st.message().find("host-a:/var/lib/berth"), std::string::npos) << st.message();
  }
  EXPECT_EQ(store_->GetSession(s->id)->status, "running");

  rep = a.Reconcile();
  EXPECT_EQ(rep.adopted, std::vector<std::string>{s->id});
  EXPECT_TRUE(a.Exec(alice_, "on-a", o).ok());
  EXPECT_TRUE(a.Delete(alice_, "on-a").ok());
  EXPECT_TRUE(node_->runtime().Ids().empty());
}

}  // namespace
}  // namespace berth::manager

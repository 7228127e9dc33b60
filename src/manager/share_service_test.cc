#include "manager/share_service.h"

#include <gtest/gtest.h>

#include "manager/service_test_fixture.h"

namespace berth::manager {
namespace {

class ShareServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    alice_ = AddUser("alice");
    bob_ = AddUser("bob");
    carol_ = AddUser("carol");
    folders_ = std::make_unique<FolderService>(FolderDeps());
    shares_ = std::make_unique<ShareService>(store(), *folders_, audit());
    auto f = folders_->Create(alice_, "proj", "", std::nullopt);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    proj_ = *f;
  }

  // Alice shares proj with `who` at `perm`; `who` accepts.
  void ShareAccepted(const Principal& who, const std::string& perm) {
    auto inv = shares_->Share(alice_, "proj", who.name, perm);
    ASSERT_TRUE(inv.ok()) << inv.status().ToString();
    ASSERT_EQ(Outcome(shares_->Accept(who, inv->id)), "ok");
  }

  std::vector<std::string> Visible(const Principal& p) {
    std::vector<std::string> out;
    auto list = folders_->List(p, false);
    EXPECT_TRUE(list.ok());
    if (list.ok())
      for (const auto& f : *list) out.push_back(f.name + ":" + f.owner + ":" + f.permission);
    return out;
  }

  Principal alice_, bob_, carol_;
  std::unique_ptr<FolderService> folders_;
  std::unique_ptr<ShareService> shares_;
  api::Folder proj_;
};

TEST_F(ShareServiceTest, InviteThenAccept) {
  auto inv = shares_->Share(alice_, "proj", "bob", "ro");
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->status, "pending");
  EXPECT_EQ(inv->folder, "proj");
  EXPECT_EQ(inv->folder_id, proj_.id);
  EXPECT_EQ(inv->owner, "alice");
  EXPECT_EQ(inv->user, "bob");
  EXPECT_EQ(inv->permission, "ro");
  // Pending: bob sees the invitation, not the folder.
  EXPECT_TRUE(Visible(bob_).empty());
  auto invitations = shares_->Invitations(bob_);
  ASSERT_TRUE(invitations.ok());
  ASSERT_EQ(invitations->size(), 1u);
  EXPECT_EQ((*invitations)[0].id, inv->id);
  EXPECT_TRUE(shares_->Invitations(carol_)->empty());

  auto accepted = shares_->Accept(bob_, inv->id);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->status, "accepted");
  EXPECT_EQ(Visible(bob_), (std::vector<std::string>{"proj:alice:ro"}));
  EXPECT_TRUE(shares_->Invitations(bob_)->empty());
  EXPECT_EQ(Outcome(shares_->Accept(bob_, inv->id)), "ok");  // again: no change

  auto list = shares_->ListShares(alice_, "proj");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].user, "bob");
  EXPECT_EQ((*list)[0].status, "accepted");
}

TEST_F(ShareServiceTest, ShareIsRefused) {
  auto dot = folders_->Create(alice_, ".local", "", std::nullopt);
  ASSERT_TRUE(dot.ok());
  ASSERT_TRUE(folders_->Create(alice_, "old", "", std::nullopt).ok());
  ASSERT_TRUE(folders_->Trash(alice_, "old").ok());
  struct Case {
    const Principal* who;
    const char* folder;
    const char* user;
    const char* perm;
    const char* outcome;
  } cases[] = {
      {&alice_, "proj", "bob", "rx", "400 invalid_permission"},
      {&alice_, "proj", "bob", "", "400 invalid_permission"},
      {&alice_, "proj", "nobody", "ro", "404 user_not_found"},
      {&alice_, "proj", "alice", "ro", "400 share_with_owner"},
      {&alice_, ".local", "bob", "ro", "400 automount_not_shareable"},
      {&alice_, "old", "bob", "ro", "404 folder_not_found"},
      {&alice_, "nope", "bob", "ro", "404 folder_not_found"},
      {&bob_, "proj", "carol", "ro", "404 folder_not_found"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(shares_->Share(*c.who, c.folder, c.user, c.perm)), c.outcome)
        << c.who->name << " shares " << c.folder << " with " << c.user << " " << c.perm;
  }
  EXPECT_TRUE(shares_->ListShares(alice_, "proj")->empty());
}

TEST_F(ShareServiceTest, ReadOnlyAndReadWriteAccess) {
  ShareAccepted(bob_, "ro");
  ShareAccepted(carol_, "rw");
  struct Case {
    const Principal* who;
    Access need;
    const char* outcome;
  } cases[] = {
      {&bob_, Access::kRead, "ok"},
      {&bob_, Access::kWrite, "403 read_only_folder"},
      {&carol_, Access::kRead, "ok"},
      {&carol_, Access::kWrite, "ok"},
      {&alice_, Access::kWrite, "ok"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(folders_->Open(*c.who, "proj", c.need)), c.outcome)
        << c.who->name << " needs " << static_cast<int>(c.need);
  }
  EXPECT_EQ(Visible(bob_), (std::vector<std::string>{"proj:alice:ro"}));
  EXPECT_EQ(Visible(carol_), (std::vector<std::string>{"proj:alice:rw"}));
  // Sharing again changes the permission of the existing share.
  auto again = shares_->Share(alice_, "proj", "bob", "rw");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, "accepted");
  EXPECT_EQ(Outcome(folders_->Open(bob_, "proj", Access::kWrite)), "ok");
  EXPECT_EQ(shares_->ListShares(alice_, "proj")->size(), 2u);
}

TEST_F(ShareServiceTest, InviteeCannotManageTheFolder) {
  ShareAccepted(bob_, "rw");  // even with rw
  EXPECT_EQ(Outcome(folders_->Rename(bob_, "proj", "mine")), "403 permission_denied");
  EXPECT_EQ(Outcome(folders_->Trash(bob_, "proj")), "403 permission_denied");
  EXPECT_EQ(Outcome(shares_->Share(bob_, "proj", "carol", "ro")), "403 not_folder_owner");
  EXPECT_EQ(Outcome(shares_->ListShares(bob_, "proj")), "403 not_folder_owner");
  EXPECT_EQ(Outcome(shares_->Unshare(bob_, "proj", "bob")), "403 not_folder_owner");
  ASSERT_TRUE(folders_->Trash(alice_, "proj").ok());
  // The share still names the trashed folder by id, so bob is told no,
  // rather than that it does not exist.
  EXPECT_EQ(Outcome(folders_->Purge(bob_, proj_.id)), "403 permission_denied");
  EXPECT_EQ(Outcome(folders_->Restore(bob_, proj_.id)), "403 permission_denied");
  EXPECT_EQ(Outcome(folders_->Purge(bob_, "proj")), "404 folder_not_found");
}

TEST_F(ShareServiceTest, Reject) {
  auto inv = shares_->Share(alice_, "proj", "bob", "ro");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(Outcome(shares_->Reject(carol_, inv->id)), "404 invitation_not_found");
  EXPECT_EQ(Outcome(shares_->Accept(carol_, inv->id)), "404 invitation_not_found");
  EXPECT_EQ(Outcome(shares_->Reject(bob_, inv->id)), "ok");
  EXPECT_TRUE(shares_->Invitations(bob_)->empty());
  EXPECT_EQ(Outcome(shares_->Accept(bob_, inv->id)), "404 invitation_not_found");
  EXPECT_TRUE(shares_->ListShares(alice_, "proj")->empty());
  EXPECT_TRUE(Visible(bob_).empty());
}

TEST_F(ShareServiceTest, RevokeAndLeave) {
  ShareAccepted(bob_, "ro");
  ShareAccepted(carol_, "ro");
  EXPECT_EQ(Outcome(shares_->Unshare(alice_, "proj", "bob")), "ok");
  EXPECT_TRUE(Visible(bob_).empty());
  EXPECT_EQ(Outcome(folders_->Open(bob_, proj_.id, Access::kRead)), "404 folder_not_found");
  EXPECT_EQ(Outcome(shares_->Unshare(alice_, "proj", "bob")), "404 share_not_found");
  EXPECT_EQ(Outcome(shares_->Unshare(alice_, "proj", "nobody")), "404 user_not_found");

  EXPECT_EQ(Outcome(shares_->Leave(carol_, "proj")), "ok");
  EXPECT_TRUE(Visible(carol_).empty());
  EXPECT_EQ(Outcome(shares_->Leave(carol_, "proj")), "404 folder_not_found");
  EXPECT_EQ(Outcome(shares_->Leave(alice_, "proj")), "409 not_shared_with_you");
  EXPECT_EQ(Visible(alice_), (std::vector<std::string>{"proj:alice:rw"}));
}

TEST_F(ShareServiceTest, PendingInvitationCannotBeLeftOrUsed) {
  auto inv = shares_->Share(alice_, "proj", "bob", "rw");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(Outcome(shares_->Leave(bob_, proj_.id)), "404 folder_not_found");
  EXPECT_EQ(Outcome(folders_->Open(bob_, proj_.id, Access::kRead)), "404 folder_not_found");
}

TEST_F(ShareServiceTest, NameClashes) {
  // Bob already has a "proj": he must rename his before accepting.
  ASSERT_TRUE(folders_->Create(bob_, "proj", "", std::nullopt).ok());
  auto inv = shares_->Share(alice_, "proj", "bob", "ro");
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(Outcome(shares_->Accept(bob_, inv->id)), "409 folder_exists");
  ASSERT_TRUE(folders_->Rename(bob_, "proj", "bobs-proj").ok());
  EXPECT_EQ(Outcome(shares_->Accept(bob_, inv->id)), "ok");
  // Now neither may take the other's name: bob cannot create a second
  // "proj", and alice cannot rename proj to a name bob uses.
  EXPECT_EQ(Outcome(folders_->Create(bob_, "proj", "", std::nullopt)), "409 folder_exists");
  EXPECT_EQ(Outcome(folders_->Rename(alice_, "proj", "bobs-proj")), "409 folder_exists");
}

TEST_F(ShareServiceTest, TrashedFolderHidesItsShares) {
  auto inv = shares_->Share(alice_, "proj", "bob", "ro");
  ASSERT_TRUE(inv.ok());
  ShareAccepted(carol_, "ro");
  ASSERT_TRUE(folders_->Trash(alice_, "proj").ok());
  EXPECT_TRUE(shares_->Invitations(bob_)->empty());
  EXPECT_EQ(Outcome(shares_->Accept(bob_, inv->id)), "409 folder_in_trash");
  EXPECT_TRUE(Visible(carol_).empty());
  ASSERT_TRUE(folders_->Restore(alice_, "proj").ok());
  EXPECT_EQ(Visible(carol_), (std::vector<std::string>{"proj:alice:ro"}));
  // Purging the folder takes its shares with it.
  ASSERT_TRUE(folders_->Trash(alice_, "proj").ok());
  ASSERT_TRUE(folders_->Purge(alice_, "proj").ok());
  EXPECT_EQ(Outcome(shares_->Accept(bob_, inv->id)), "404 invitation_not_found");
}

}  // namespace
}  // namespace berth::manager

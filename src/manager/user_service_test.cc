#include "manager/user_service.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "manager/service_test_fixture.h"

namespace berth::manager {
namespace {

class UserServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    admin_ = AddUser("admin", "superadmin");
    alice_ = AddUser("alice");
    auth_ = std::make_unique<AuthService>(store(), &audit());
    users_ = std::make_unique<UserService>(store(), *auth_, audit());
  }

  std::vector<std::string> Names() {
    std::vector<std::string> out;
    auto list = users_->List(admin_);
    EXPECT_TRUE(list.ok());
    if (list.ok())
      for (const auto& u : *list) out.push_back(u.name + ":" + u.role);
    std::sort(out.begin(), out.end());
    return out;
  }

  Principal admin_, alice_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<UserService> users_;
};

TEST_F(UserServiceTest, CreateWithDefaults) {
  auto u = users_->Create(admin_, "bob", {});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->name, "bob");
  EXPECT_EQ(u->role, "user");
  EXPECT_FALSE(u->sudo_allowed);
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1000u);
  EXPECT_FALSE(u->id.empty());
  EXPECT_FALSE(u->created_at.empty());
  EXPECT_EQ(Names(), (std::vector<std::string>{"admin:superadmin", "alice:user", "bob:user"}));
  EXPECT_EQ(Outcome(users_->Create(admin_, "bob", {})), "409 user_exists");
}

TEST_F(UserServiceTest, CreateRules) {
  UserChange full;
  full.password = "correct horse";
  full.role = "superadmin";
  full.sudo_allowed = true;
  full.uid = 2001;
  full.gid = 2002;
  auto u = users_->Create(admin_, "carol", full);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->role, "superadmin");
  EXPECT_TRUE(u->sudo_allowed);
  EXPECT_EQ(u->uid, 2001u);
  EXPECT_EQ(u->gid, 2002u);
  EXPECT_EQ(Outcome(auth_->CheckPassword("carol", "correct horse", "127.0.0.1")), "ok");

  struct Case {
    const char* name;
    UserChange change;
    const char* outcome;
  } cases[] = {
      {"_under", {}, "ok"},
      {"a-b_9", {}, "ok"},
      {"", {}, "400 invalid_user_name"},
      {"Bob", {}, "400 invalid_user_name"},
      {"9lives", {}, "400 invalid_user_name"},
      {"-dash", {}, "400 invalid_user_name"},
      {"a.b", {}, "400 invalid_user_name"},
      {"abcdefghijklmnopqrstuvwxyz0123456", {}, "400 invalid_user_name"},  // 33
      {"abcdefghijklmnopqrstuvwxyz012345", {}, "ok"},                      // 32
      {"shortpw", {.password = "1234567"}, "400 invalid_password"},
      {"longpw", {.password = std::string(1025, 'p')}, "400 invalid_password"},
      {"okpw", {.password = "12345678"}, "ok"},
      {"badrole", {.role = "admin"}, "400 invalid_role"},
      {"uid0", {.uid = 0}, "400 invalid_uid"},
      {"gid0", {.gid = 0}, "400 invalid_gid"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(users_->Create(admin_, c.name, c.change)), c.outcome) << c.name;
  }
}

TEST_F(UserServiceTest, SuperadminOnly) {
  ASSERT_TRUE(users_->Create(admin_, "bob", {}).ok());
  UserChange promote;
  promote.role = "superadmin";
  const std::string refused = "403 superadmin_only";
  EXPECT_EQ(Outcome(users_->Create(alice_, "mallory", {})), refused);
  EXPECT_EQ(Outcome(users_->List(alice_)), refused);
  EXPECT_EQ(Outcome(users_->Update(alice_, "alice", promote)), refused);
  EXPECT_EQ(Outcome(users_->Update(alice_, "bob", {})), refused);
  EXPECT_EQ(Outcome(users_->Delete(alice_, "bob")), refused);
  EXPECT_EQ(Outcome(users_->MintToken(alice_, "bob")), refused);
  EXPECT_EQ(Outcome(users_->MintToken(alice_, "alice")), refused);
  // Nothing changed.
  EXPECT_EQ(Names(), (std::vector<std::string>{"admin:superadmin", "alice:user", "bob:user"}));
}

TEST_F(UserServiceTest, UpdateAndRoles) {
  UserChange c;
  c.sudo_allowed = true;
  c.uid = 3000;
  auto u = users_->Update(admin_, "alice", c);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(u->sudo_allowed);
  EXPECT_EQ(u->uid, 3000u);
  EXPECT_EQ(u->gid, 1000u);  // untouched
  auto rec = store().GetUserByName("alice");
  ASSERT_TRUE(rec.ok());
  EXPECT_TRUE(rec->sudo_allowed);
  EXPECT_EQ(rec->uid, 3000u);

  UserChange to_user, to_admin;
  to_user.role = "user";
  to_admin.role = "superadmin";
  EXPECT_EQ(Outcome(users_->Update(admin_, "nobody", {})), "404 user_not_found");
  EXPECT_EQ(Outcome(users_->Update(admin_, "admin", to_user)), "409 last_superadmin");
  EXPECT_EQ(Outcome(users_->Update(admin_, "alice", {.role = "root"})), "400 invalid_role");
  EXPECT_EQ(Outcome(users_->Update(admin_, "alice", {.password = "short"})),
            "400 invalid_password");
  EXPECT_EQ(Outcome(users_->Update(admin_, "alice", to_admin)), "ok");
  // Two superadmins: one may step down; then the other is the last.
  EXPECT_EQ(Outcome(users_->Update(admin_, "admin", to_user)), "ok");
  EXPECT_EQ(Outcome(users_->Update(admin_, "alice", to_user)), "409 last_superadmin");
  EXPECT_EQ(Names(), (std::vector<std::string>{"admin:user", "alice:superadmin"}));

  ASSERT_EQ(Outcome(users_->Update(admin_, "alice", {.password = "new password"})), "ok");
  EXPECT_EQ(Outcome(auth_->CheckPassword("alice", "new password", "127.0.0.1")), "ok");
}

TEST_F(UserServiceTest, Delete) {
  ASSERT_TRUE(users_->Create(admin_, "bob", {}).ok());
  EXPECT_EQ(Outcome(users_->Delete(admin_, "nobody")), "404 user_not_found");
  EXPECT_EQ(Outcome(users_->Delete(admin_, "admin")), "409 delete_self");

  // A user who owns a folder (even in the trash) is kept until it is purged.
  FolderService folders(FolderDeps());
  Principal bob = *auth_->LookupUser(store().GetUserByName("bob")->id);
  ASSERT_TRUE(folders.Create(bob, "data", "", std::nullopt).ok());
  EXPECT_EQ(Outcome(users_->Delete(admin_, "bob")), "409 user_owns_folders");
  ASSERT_TRUE(folders.Trash(bob, "data").ok());
  EXPECT_EQ(Outcome(users_->Delete(admin_, "bob")), "409 user_owns_folders");
  ASSERT_TRUE(folders.Purge(bob, "data").ok());

  auto token = users_->MintToken(admin_, "bob");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(Outcome(users_->Delete(admin_, "bob")), "ok");
  EXPECT_EQ(Names(), (std::vector<std::string>{"admin:superadmin", "alice:user"}));
  EXPECT_EQ(Outcome(users_->Delete(admin_, "bob")), "404 user_not_found");
  // The deleted user's tokens no longer authenticate.
  EXPECT_FALSE(auth_->AuthenticateToken(token->secret).ok());
}

TEST_F(UserServiceTest, TokensCreateListRevoke) {
  EXPECT_EQ(Outcome(users_->MintToken(admin_, "nobody")), "404 user_not_found");
  auto minted = users_->MintToken(admin_, "alice");
  ASSERT_TRUE(minted.ok()) << minted.status().ToString();
  EXPECT_FALSE(minted->secret.empty());
  auto who = auth_->AuthenticateToken(minted->secret);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(who->name, "alice");
  EXPECT_EQ(who->role, "user");

  // Alice's own token (POST /tokens) and the minted one are both listed.
  auto own = auth_->CreateToken(alice_.user_id, "laptop");
  ASSERT_TRUE(own.ok());
  auto list = auth_->ListTokens(alice_.user_id);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> labels;
  for (const auto& t : *list) labels.push_back(t.label);
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::string>{"laptop", "minted by admin"}));
  EXPECT_TRUE(auth_->ListTokens(admin_.user_id)->empty());

  // A user cannot revoke another user's token; the owner can.
  EXPECT_FALSE(auth_->RevokeToken(admin_.user_id, own->id).ok());
  EXPECT_TRUE(auth_->AuthenticateToken(own->secret).ok());
  EXPECT_EQ(Outcome(auth_->RevokeToken(alice_.user_id, own->id)), "ok");
  EXPECT_FALSE(auth_->AuthenticateToken(own->secret).ok());
  EXPECT_TRUE(auth_->AuthenticateToken(minted->secret).ok());
  EXPECT_EQ(auth_->ListTokens(alice_.user_id)->size(), 1u);
}

TEST_F(UserServiceTest, PromotedUserMayAdminister) {
  ASSERT_EQ(Outcome(users_->Update(admin_, "alice", {.role = "superadmin"})), "ok");
  Principal alice = *auth_->LookupUser(alice_.user_id);
  EXPECT_TRUE(alice.is_superadmin());
  EXPECT_EQ(Outcome(users_->Create(alice, "dave", {})), "ok");
}

TEST_F(UserServiceTest, UpdateSelfPythonUserBaseAndPassword) {
  EXPECT_EQ(users_->Self(alice_)->python_user_base, "shared");
  ASSERT_TRUE(users_->UpdateSelf(alice_, {.python_user_base = "per_version"}).ok());
  EXPECT_EQ(users_->Self(alice_)->python_user_base, "per_version");
  EXPECT_EQ(users_->Self(admin_)->python_user_base, "shared");
  EXPECT_EQ(Outcome(users_->UpdateSelf(alice_, {.python_user_base = "mine"})),
            "400 invalid_python_user_base");

  // Alice has a password; a new one needs it.
  ASSERT_TRUE(users_->Update(admin_, "alice", {.password = "first-pass"}).ok());
  EXPECT_EQ(Outcome(users_->UpdateSelf(alice_, {.password = "second-pass"})),
            "400 old_password_required");
  EXPECT_EQ(Outcome(users_->UpdateSelf(alice_, {.old_password = "first-pass"})),
            "400 invalid_field");
  EXPECT_EQ(Outcome(users_->UpdateSelf(
                alice_, {.password = "second-pass", .old_password = "wrong-pass"})),
            "403 wrong_password");
  EXPECT_EQ(Outcome(users_->UpdateSelf(alice_, {.password = "short", .old_password = "first-pass"})),
            "400 invalid_password");
  ASSERT_TRUE(
      users_->UpdateSelf(alice_, {.password = "second-pass", .old_password = "first-pass"}).ok());
  EXPECT_TRUE(auth_->CheckPassword("alice", "second-pass", "127.0.0.1").ok());
  EXPECT_EQ(users_->Self(alice_)->python_user_base, "per_version");  // kept
}

}  // namespace
}  // namespace berth::manager

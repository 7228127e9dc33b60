#include "manager/user_quota.h"

#include <gtest/gtest.h>

#include <optional>

#include "api/error_mapping.h"
#include "manager/folder_service.h"
#include "manager/service_test_fixture.h"
#include "manager/user_service.h"

namespace berth::manager {
namespace {

using Q = std::optional<uint64_t>;

TEST(UserQuotaArithmetic, RoomLeftAndSmallerRoom) {
  struct Case {
    Q quota;
    uint64_t used;
    Q want;
  } room[] = {
      {std::nullopt, 5, std::nullopt}, {Q(10), 0, Q(10)}, {Q(10), 4, Q(6)},
      {Q(10), 10, Q(0)},               {Q(10), 99, Q(0)},  // over quota: no room, no wrap
      {Q(kMaxQuotaBytes), 1, Q(kMaxQuotaBytes - 1)},
  };
  for (const auto& c : room) EXPECT_EQ(RoomLeft(c.quota, c.used), c.want);
  struct Pair {
    Q a, b, want;
  } smaller[] = {
      {std::nullopt, std::nullopt, std::nullopt}, {Q(3), std::nullopt, Q(3)},
      {std::nullopt, Q(4), Q(4)},                 {Q(3), Q(4), Q(3)},
      {Q(9), Q(0), Q(0)},
  };
  for (const auto& c : smaller) EXPECT_EQ(SmallerRoom(c.a, c.b), c.want);
}

TEST(UserQuotaArithmetic, QuotaRange) {
  EXPECT_EQ(Outcome(CheckQuotaBytes(0)), "400 invalid_quota");
  EXPECT_TRUE(CheckQuotaBytes(1).ok());
  EXPECT_TRUE(CheckQuotaBytes(kMaxQuotaBytes).ok());
  EXPECT_EQ(Outcome(CheckQuotaBytes(kMaxQuotaBytes + 1)), "400 invalid_quota");
  Status over = OverQuota("x", 7);
  EXPECT_EQ(over.code(), Code::kResourceExhausted);
  EXPECT_EQ(api::SplitErrorCode(over).code, "quota_exceeded");
  EXPECT_EQ(api::SplitErrorCode(over).available_bytes, Q(7));
}

class UserQuotaTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    admin_ = AddUser("admin", "superadmin");
    alice_ = AddUser("alice");
    folders_ = std::make_unique<FolderService>(FolderDeps());
    quota_ = std::make_unique<UserQuota>(store(), *folders_, Q(1000), std::chrono::hours(1));
    auth_ = std::make_unique<AuthService>(store(), &audit());
    users_ = std::make_unique<UserService>(store(), *auth_, audit(), LimitSettings{}, quota_.get());
  }
  std::string MakeFolder(const std::string& name, size_t bytes) {
    auto f = folders_->Create(alice_, name, "", std::nullopt);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    WriteFile(FolderDir(alice_.user_id, f->id) + "/data", bytes);
    return f->id;
  }

  Principal admin_, alice_;
  std::unique_ptr<FolderService> folders_;
  std::unique_ptr<UserQuota> quota_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<UserService> users_;
};

TEST_F(UserQuotaTest, UsageSumsOwnedFoldersTrashIncludedAndIsCachedUntilInvalidated) {
  MakeFolder("a", 300);
  MakeFolder("b", 200);
  ASSERT_TRUE(folders_->Trash(alice_, "b").ok());
  auto use = quota_->Of(alice_.user_id);
  ASSERT_TRUE(use.ok()) << use.status().ToString();
  EXPECT_EQ(use->quota_bytes, Q(1000));  // the deployment default
  EXPECT_EQ(use->used_bytes, 500u);
  EXPECT_EQ(*quota_->Room(alice_.user_id), Q(500));
  MakeFolder("c", 100);
  EXPECT_EQ(quota_->Of(alice_.user_id)->used_bytes, 500u);  // cached (ttl 1 h)
  quota_->Invalidate(alice_.user_id);
  EXPECT_EQ(quota_->Of(alice_.user_id)->used_bytes, 600u);
  // Admin owns nothing.
  EXPECT_EQ(quota_->Of(admin_.user_id)->used_bytes, 0u);
}

TEST_F(UserQuotaTest, SuperadminSetsAndClearsTheQuota) {
  MakeFolder("a", 300);
  UserChange c;
  c.quota_bytes = Q(5000);
  auto u = users_->Update(admin_, "alice", c);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->quota_bytes, Q(5000));
  EXPECT_EQ(u->used_bytes, 300u);
  EXPECT_EQ(users_->StorageOf(alice_)->quota_bytes, Q(5000));
  c.quota_bytes = Q();  // null: back to the default
  EXPECT_EQ(users_->Update(admin_, "alice", c)->quota_bytes, Q(1000));
  c.quota_bytes = Q(0);
  EXPECT_EQ(Outcome(users_->Update(admin_, "alice", c)), "400 invalid_quota");
  c.quota_bytes = Q(kMaxQuotaBytes + 1);
  EXPECT_EQ(Outcome(users_->Update(admin_, "alice", c)), "400 invalid_quota");
  c.quota_bytes = Q(10);
  EXPECT_EQ(Outcome(users_->Update(alice_, "alice", c)), "403 superadmin_only");
}

}  // namespace
}  // namespace berth::manager

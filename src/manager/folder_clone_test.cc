// The streamed clone's states (FolderService::Clone on a volume without
// instant clones): "cloning" at once, busy meanwhile, then "ready"; or
// removed when stopped, at shutdown, or found left over at start.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "manager/event_bus.h"
#include "manager/folder_service.h"
#include "manager/service_test_fixture.h"
#include "manager/wire_coordination.h"

namespace berth::manager {
namespace {

using namespace std::chrono_literals;

class FolderCloneTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (volume().capabilities().instant_clone) GTEST_SKIP() << "this volume clones instantly";
    alice_ = AddUser("alice");
  }
  // The service (and its copying threads) goes before the store it uses.
  void TearDown() override {
    folders_.reset();
    ServiceTest::TearDown();
  }

  // A service whose streamed clones call `observer` at each step.
  void Start(storage::CopyProgressFn observer, store::Coordination* coordination = nullptr) {
    FolderServiceDeps deps = FolderDeps();
    deps.events = &events_;
    deps.clone_observer = std::move(observer);
    deps.coordination = coordination;
    folders_ = std::make_unique<FolderService>(std::move(deps));
    auto f = folders_->Create(alice_, "data", "", 1 << 20);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    src_ = *f;
    WriteFile(FolderDir(alice_.user_id, src_.id) + "/sub/x.bin", 4096);
  }

  // The folder's status as Get says ("gone" when it is not found), once it
  // is not "cloning" any more (bounded: 10 s).
  std::string SettledStatus(const std::string& name) {
    for (int i = 0; i < 1000; ++i) {
      auto f = folders_->Get(alice_, name, false);
      if (!f.ok()) return f.status().code() == Code::kNotFound ? "gone" : f.status().ToString();
      if (f->status != "cloning") return f->status;
      std::this_thread::sleep_for(10ms);
    }
    return "cloning";
  }

  EventBus events_;
  Principal alice_;
  api::Folder src_;
  std::unique_ptr<FolderService> folders_;
};

// A "cloning" record as a crash (or another manager's copy) leaves it.
store::FolderRecord HalfClone(const std::string& owner_id) {
  store::FolderRecord left;
  left.id = "0d0e0f10-aaaa-4bbb-8ccc-dddddddddddd";
  left.name = "half";
  left.volume = "local";
  left.owner_id = owner_id;
  left.status = "cloning";
  left.created_at = "2024-01-01T00:00:00Z";
  return left;
}

TEST_F(FolderCloneTest, IsCloningAtOnceAndBusyUntilReady) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  auto sub = events_.Subscribe(alice_.user_id, false);
  Start([gate](const storage::CopyProgress&) {
    gate.wait_for(10s);
    return true;
  });
  auto c = folders_->Clone(alice_, "data", "copy");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->status, "cloning");
  EXPECT_EQ(c->quota_bytes, std::optional<uint64_t>(1 << 20));
  auto list = folders_->List(alice_, false);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "copy");
  EXPECT_EQ((*list)[0].status, "cloning");
  auto got = folders_->Get(alice_, c->id, false);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "cloning");
  const std::string busy = "409 folder_cloning";
  EXPECT_EQ(Outcome(folders_->Open(alice_, "copy", Access::kRead)), busy);
  EXPECT_EQ(Outcome(folders_->Open(alice_, c->id, Access::kRead)), busy);
  EXPECT_EQ(Outcome(folders_->ResolveReady(alice_, "copy")), busy);
  EXPECT_EQ(Outcome(folders_->Rename(alice_, "copy", "other")), busy);
  EXPECT_EQ(Outcome(folders_->Clone(alice_, "copy", "copy2")), busy);
  EXPECT_EQ(Outcome(folders_->Trash(alice_, "copy")), busy);
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "copy")), busy);
  EXPECT_EQ(Outcome(folders_->SetQuota(alice_, "copy", 10)), busy);
  EXPECT_EQ(Outcome(folders_->Create(alice_, "copy", "", std::nullopt)), "409 folder_exists");
  EXPECT_EQ(Outcome(folders_->Trash(alice_, "data")), "409 folder_in_use");
  auto first = sub->TryNext();  // the source's "created", then the clone's first step
  while (first && first->data.find("\"change\":\"cloning\"") == std::string::npos) {
    first = sub->TryNext();
  }
  ASSERT_TRUE(first);
  EXPECT_NE(first->data.find("\"bytes\":0,\"files\":0"), std::string::npos) << first->data;

  release.set_value();
  EXPECT_EQ(SettledStatus("copy"), "ready");
  EXPECT_EQ(std::filesystem::file_size(FolderDir(alice_.user_id, c->id) + "/sub/x.bin"), 4096u);
  EXPECT_TRUE(folders_->Open(alice_, "copy", Access::kWrite).ok());
  EXPECT_TRUE(folders_->Trash(alice_, "data").ok());
  bool created = false;
  while (auto e = sub->TryNext()) {
    created = created || e->data.find("\"change\":\"created\"") != std::string::npos;
  }
  EXPECT_TRUE(created);
}

TEST_F(FolderCloneTest, AStoppedCopyRemovesTheFolderAndTellsWhy) {
  auto sub = events_.Subscribe(alice_.user_id, false);
  Start([](const storage::CopyProgress&) { return false; });
  auto c = folders_->Clone(alice_, "data", "copy");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(SettledStatus("copy"), "gone");
  EXPECT_FALSE(std::filesystem::exists(FolderDir(alice_.user_id, c->id)));
  EXPECT_FALSE(store().GetFolder(c->id).ok());
  bool failed = false;
  for (int i = 0; i < 1000 && !failed; ++i) {
    while (auto e = sub->TryNext()) {
      failed = failed || e->data.find("\"change\":\"clone_failed\"") != std::string::npos;
    }
    if (!failed) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(failed);
  // The name is free again and the source can go.
  EXPECT_TRUE(folders_->Create(alice_, "copy", "", std::nullopt).ok());
  EXPECT_TRUE(folders_->Trash(alice_, "data").ok());
}

TEST_F(FolderCloneTest, ShuttingDownStopsACloneAndRemovesIt) {
  std::promise<void> started;
  auto once = std::make_shared<std::once_flag>();
  Start([&started, once](const storage::CopyProgress&) {
    std::call_once(*once, [&] { started.set_value(); });
    std::this_thread::sleep_for(300ms);  // the service is destroyed meanwhile
    return true;
  });
  auto c = folders_->Clone(alice_, "data", "copy");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready);
  folders_.reset();
  EXPECT_FALSE(store().GetFolder(c->id).ok());
  EXPECT_FALSE(std::filesystem::exists(FolderDir(alice_.user_id, c->id)));
}

TEST_F(FolderCloneTest, RecoverClonesRemovesWhatACrashLeft) {
  Start({});
  store::FolderRecord left = HalfClone(alice_.user_id);
  ASSERT_TRUE(store().CreateFolder(left).ok());
  WriteFile(FolderDir(alice_.user_id, left.id) + "/part.bin", 100);
  EXPECT_EQ(Outcome(folders_->Open(alice_, "half", Access::kRead)), "409 folder_cloning");
  folders_->RecoverClones();
  EXPECT_FALSE(store().GetFolder(left.id).ok());
  EXPECT_FALSE(std::filesystem::exists(FolderDir(alice_.user_id, left.id)));
  EXPECT_TRUE(store().GetFolder(src_.id).ok());
  EXPECT_EQ(Outcome(folders_->Open(alice_, "half", Access::kRead)), "404 folder_not_found");
}

// Two managers on one store: a clone the other one is copying (it holds
// the clone's lock) survives this one's start-up repair; once that manager
// is gone (its lock free), the half copy is removed.
TEST_F(FolderCloneTest, RecoverClonesLeavesAnotherManagersCopyAlone) {
  Wire wire(2);
  WireCoordination mine(wire, 0), theirs(wire, 1);
  Start({}, &mine);
  store::FolderRecord left = HalfClone(alice_.user_id);
  ASSERT_TRUE(store().CreateFolder(left).ok());
  WriteFile(FolderDir(alice_.user_id, left.id) + "/part.bin", 100);
  auto copying = theirs.TryLock("clone:" + left.id);
  ASSERT_TRUE(copying.ok() && *copying);
  folders_->RecoverClones();
  EXPECT_TRUE(store().GetFolder(left.id).ok());
  EXPECT_TRUE(std::filesystem::exists(FolderDir(alice_.user_id, left.id) + "/part.bin"));
  copying->reset();  // that manager died
  folders_->RecoverClones();
  EXPECT_FALSE(store().GetFolder(left.id).ok());
  EXPECT_FALSE(std::filesystem::exists(FolderDir(alice_.user_id, left.id)));
}

// While this manager copies, the clone's lock is its own.
TEST_F(FolderCloneTest, ACopyUnderWayHoldsItsCloneLock) {
  Wire wire(2);
  WireCoordination mine(wire, 0), theirs(wire, 1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  Start([gate](const storage::CopyProgress&) {
    gate.wait();
    return true;
  }, &mine);
  auto c = folders_->Clone(alice_, "data", "copy");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto taken = theirs.TryLock("clone:" + c->id);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(*taken, nullptr);
  release.set_value();
  EXPECT_EQ(SettledStatus("copy"), "ready");
  auto after = theirs.TryLock("clone:" + c->id);
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, nullptr);
}

// A client polling a clone by name while it ends sees "cloning", then
// "ready", never a 404 (Get used to read "ready" then "cloning", and a copy
// ending between the two reads fell through both).
TEST_F(FolderCloneTest, PollingByNameNeverMissesAFinishingClone) {
  Start({});
  int not_found = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "c" + std::to_string(i);
    auto c = folders_->Clone(alice_, "data", name);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    for (int n = 0; n < 100000; ++n) {
      auto f = folders_->Get(alice_, name, false);
      if (!f.ok()) {
        ++not_found;
        continue;
      }
      if (f->status == "ready") break;
    }
  }
  EXPECT_EQ(not_found, 0);
}

// GET of a clone whose copy has not started yet (its record is there, its
// directory not) answers the folder, "cloning", without usage; it was a
// 404 from the usage read.
TEST_F(FolderCloneTest, AQueuedCloneIsFoundBeforeItsDirectoryExists) {
  Start({});
  store::FolderRecord queued = HalfClone(alice_.user_id);
  ASSERT_TRUE(store().CreateFolder(queued).ok());
  auto f = folders_->Get(alice_, "half", /*with_usage=*/true);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->status, "cloning");
  EXPECT_FALSE(f->usage.has_value());
}

}  // namespace
}  // namespace berth::manager

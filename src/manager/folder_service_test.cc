#include "manager/folder_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "manager/service_test_fixture.h"

namespace berth::manager {
namespace {

class FolderServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    alice_ = AddUser("alice");
    bob_ = AddUser("bob");
    admin_ = AddUser("root-admin", "superadmin");
    folders_ = std::make_unique<FolderService>(FolderDeps());
  }

  api::Folder MustCreate(const Principal& p, const std::string& name,
                         std::optional<uint64_t> quota = std::nullopt) {
    auto f = folders_->Create(p, name, "", quota);
    EXPECT_TRUE(f.ok()) << name << ": " << f.status().ToString();
    return f.ok() ? *f : api::Folder{};
  }

  std::vector<std::string> Names(const Principal& p, bool trash) {
    std::vector<std::string> out;
    auto list = folders_->List(p, trash);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok())
      for (const auto& f : *list) out.push_back(f.name);
    return out;
  }

  Principal alice_, bob_, admin_;
  std::unique_ptr<FolderService> folders_;
};

// Sessions plug in here; a fake says which folder a live session mounts.
class FakeUseChecker : public FolderUseChecker {
 public:
  std::optional<std::string> SessionUsing(const std::string& folder_id) override {
    if (folder_id == busy_id) return std::string("s1");
    return std::nullopt;
  }
  std::string busy_id;
};

TEST_F(FolderServiceTest, CreateMakesTheDirectoryAndTheRecord) {
  auto f = MustCreate(alice_, "data");
  EXPECT_EQ(f.name, "data");
  EXPECT_EQ(f.owner, "alice");
  EXPECT_EQ(f.volume, "local");
  EXPECT_EQ(f.permission, "rw");
  EXPECT_EQ(f.status, "ready");
  EXPECT_FALSE(f.automount);
  EXPECT_FALSE(f.trashed_at);
  EXPECT_TRUE(std::filesystem::is_directory(FolderDir(alice_.user_id, f.id)));
  auto rec = store().GetFolder(f.id);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->owner_id, alice_.user_id);
}

TEST_F(FolderServiceTest, NameRules) {
  struct Case {
    const char* name;
    const char* outcome;
  } cases[] = {
      {"data", "ok"},
      {"Data_1.v-2", "ok"},
      {".local", "ok"},
      {".linuxbrew", "ok"},
      {"", "400 invalid_folder_name"},
      {".", "400 invalid_folder_name"},
      {"..", "400 invalid_folder_name"},
      {"-data", "400 invalid_folder_name"},
      {"a/b", "400 invalid_folder_name"},
      {"a b", "400 invalid_folder_name"},
      {"naïve", "400 invalid_folder_name"},
      {".ssh", "400 invalid_folder_name"},
      {".berth", "400 invalid_folder_name"},
      {".bashrc", "400 invalid_folder_name"},
      {".bash_profile", "400 invalid_folder_name"},
      {"data", "409 folder_exists"},  // the first case made it
      {".local", "409 folder_exists"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(folders_->Create(alice_, c.name, "", std::nullopt)), c.outcome) << c.name;
  }
  std::string longest(64, 'n');
  EXPECT_EQ(Outcome(folders_->Create(alice_, longest, "", std::nullopt)), "ok");
  EXPECT_EQ(Outcome(folders_->Create(alice_, longest + "n", "", std::nullopt)),
            "400 invalid_folder_name");
}

TEST_F(FolderServiceTest, DotFoldersAreAutomountFolders) {
  EXPECT_TRUE(MustCreate(alice_, ".local").automount);
  EXPECT_FALSE(MustCreate(alice_, "local").automount);
}

TEST_F(FolderServiceTest, NamesAreUniquePerUserNotGlobally) {
  MustCreate(alice_, "data");
  EXPECT_EQ(Outcome(folders_->Create(bob_, "data", "", std::nullopt)), "ok");
  EXPECT_EQ(Names(alice_, false), (std::vector<std::string>{"data"}));
  EXPECT_EQ(Names(bob_, false), (std::vector<std::string>{"data"}));
}

TEST_F(FolderServiceTest, ListIsSortedAndPerOwner) {
  MustCreate(alice_, "zeta");
  MustCreate(alice_, "alpha");
  MustCreate(bob_, "bobs");
  EXPECT_EQ(Names(alice_, false), (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(Names(bob_, false), (std::vector<std::string>{"bobs"}));
  EXPECT_TRUE(Names(alice_, true).empty());
}

TEST_F(FolderServiceTest, GetByNameOrId) {
  auto f = MustCreate(alice_, "data");
  auto by_name = folders_->Get(alice_, "data", false);
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->id, f.id);
  auto by_id = folders_->Get(alice_, f.id, false);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->name, "data");
  EXPECT_FALSE(by_id->usage);
  EXPECT_EQ(Outcome(folders_->Get(alice_, "nope", false)), "404 folder_not_found");
  // Another user sees neither the name nor the id.
  EXPECT_EQ(Outcome(folders_->Get(bob_, "data", false)), "404 folder_not_found");
  EXPECT_EQ(Outcome(folders_->Get(bob_, f.id, false)), "404 folder_not_found");
  // A superadmin may act on every folder by id.
  EXPECT_EQ(Outcome(folders_->Get(admin_, f.id, false)), "ok");
}

TEST_F(FolderServiceTest, QuotaAndUsage) {
  EXPECT_EQ(Outcome(folders_->Create(alice_, "zero", "", uint64_t{0})), "400 invalid_quota");
  EXPECT_EQ(Outcome(folders_->Create(alice_, "elsewhere", "nfs", std::nullopt)),
            "400 volume_not_found");
  auto f = MustCreate(alice_, "data", uint64_t{1} << 20);
  EXPECT_EQ(f.quota_bytes, uint64_t{1} << 20);
  EXPECT_FALSE(MustCreate(alice_, "unlimited").quota_bytes);

  WriteFile(FolderDir(alice_.user_id, f.id) + "/a.bin", 1000);
  WriteFile(FolderDir(alice_.user_id, f.id) + "/sub/deeper/b.bin", 24);
  auto got = folders_->Get(alice_, "data", true);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->usage);
  EXPECT_EQ(got->usage->bytes, 1024u);
  EXPECT_EQ(got->usage->files, 2u);
  EXPECT_EQ(got->usage->dirs, 2u);
  EXPECT_EQ(got->quota_bytes, uint64_t{1} << 20);

  auto open = folders_->Open(alice_, "data", Access::kWrite);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->quota_bytes, uint64_t{1} << 20);
  EXPECT_EQ(open->access, Access::kWrite);
}

TEST_F(FolderServiceTest, Rename) {
  auto f = MustCreate(alice_, "data");
  MustCreate(alice_, "other");
  struct Case {
    const Principal* who;
    const char* ref;
    const char* to;
    const char* outcome;
  } cases[] = {
      {&alice_, "data", "other", "409 folder_exists"},
      {&alice_, "data", "bad/name", "400 invalid_folder_name"},
      {&alice_, "data", ".ssh", "400 invalid_folder_name"},
      {&alice_, "nope", "fresh", "404 folder_not_found"},
      {&bob_, "data", "fresh", "404 folder_not_found"},
      {&alice_, "data", "data", "ok"},  // no change
      {&alice_, "data", "renamed", "ok"},
      {&alice_, "renamed", "data2", "ok"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(folders_->Rename(*c.who, c.ref, c.to)), c.outcome)
        << c.who->name << " " << c.ref << " -> " << c.to;
  }
  EXPECT_EQ(Names(alice_, false), (std::vector<std::string>{"data2", "other"}));
  auto renamed = folders_->Get(alice_, f.id, false);
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->name, "data2");
  // The data stays where it was: the directory is named by id.
  EXPECT_TRUE(std::filesystem::is_directory(FolderDir(alice_.user_id, f.id)));
  // A superadmin may rename another user's folder (by id).
  EXPECT_EQ(Outcome(folders_->Rename(admin_, f.id, "by-admin")), "ok");
}

TEST_F(FolderServiceTest, TrashRestorePurge) {
  auto f = MustCreate(alice_, "data");
  WriteFile(FolderDir(alice_.user_id, f.id) + "/keep.txt", 10);
  EXPECT_EQ(Outcome(folders_->Restore(alice_, "data")), "404 folder_not_found");
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "data")), "409 folder_not_in_trash");

  auto trashed = folders_->Trash(alice_, "data");
  ASSERT_TRUE(trashed.ok());
  EXPECT_EQ(trashed->status, "trash");
  EXPECT_TRUE(trashed->trashed_at);
  EXPECT_TRUE(Names(alice_, false).empty());
  EXPECT_EQ(Names(alice_, true), (std::vector<std::string>{"data"}));
  EXPECT_EQ(Outcome(folders_->Trash(alice_, "data")), "404 folder_not_found");
  // Info still finds a trashed folder; file operations do not.
  EXPECT_EQ(Outcome(folders_->Get(alice_, "data", false)), "ok");
  EXPECT_EQ(Outcome(folders_->Open(alice_, "data", Access::kRead)), "404 folder_not_found");
  // The data survives the trash.
  EXPECT_TRUE(std::filesystem::exists(FolderDir(alice_.user_id, f.id) + "/keep.txt"));

  auto restored = folders_->Restore(alice_, "data");
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->status, "ready");
  EXPECT_FALSE(restored->trashed_at);
  EXPECT_TRUE(std::filesystem::exists(FolderDir(alice_.user_id, f.id) + "/keep.txt"));

  ASSERT_TRUE(folders_->Trash(alice_, f.id).ok());
  EXPECT_EQ(Outcome(folders_->Purge(bob_, f.id)), "404 folder_not_found");
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "data")), "ok");
  EXPECT_FALSE(std::filesystem::exists(FolderDir(alice_.user_id, f.id)));
  EXPECT_EQ(store().GetFolder(f.id).status().code(), Code::kNotFound);
  EXPECT_TRUE(Names(alice_, true).empty());
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "data")), "404 folder_not_found");
}

TEST_F(FolderServiceTest, TrashFreesTheNameAndRestoreNeedsItBack) {
  auto first = MustCreate(alice_, "data");
  ASSERT_TRUE(folders_->Trash(alice_, "data").ok());
  auto second = MustCreate(alice_, "data");  // the name is free again
  EXPECT_EQ(Outcome(folders_->Restore(alice_, "data")), "409 folder_exists");
  ASSERT_TRUE(folders_->Trash(alice_, "data").ok());
  // Two trashed folders named "data": the name is ambiguous, ids are not.
  EXPECT_EQ(Outcome(folders_->Restore(alice_, "data")), "409 ambiguous_folder_name");
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "data")), "409 ambiguous_folder_name");
  EXPECT_EQ(Outcome(folders_->Restore(alice_, first.id)), "ok");
  EXPECT_EQ(Outcome(folders_->Purge(alice_, second.id)), "ok");
}

TEST_F(FolderServiceTest, AFolderASessionMountsCannotChange) {
  FakeUseChecker in_use;
  folders_->SetUseChecker(&in_use);
  auto f = MustCreate(alice_, "data");
  in_use.busy_id = f.id;
  EXPECT_EQ(Outcome(folders_->Rename(alice_, "data", "new")), "409 folder_in_use");
  EXPECT_EQ(Outcome(folders_->Trash(alice_, "data")), "409 folder_in_use");
  in_use.busy_id.clear();
  ASSERT_TRUE(folders_->Trash(alice_, "data").ok());
  in_use.busy_id = f.id;
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "data")), "409 folder_in_use");
  in_use.busy_id.clear();
  EXPECT_EQ(Outcome(folders_->Purge(alice_, "data")), "ok");
}

TEST_F(FolderServiceTest, OpenGivesTheOwnerWriteAccess) {
  auto f = MustCreate(alice_, "data");
  auto open = folders_->Open(alice_, "data", Access::kWrite);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(open->record.id, f.id);
  EXPECT_EQ(Outcome(folders_->Open(bob_, f.id, Access::kRead)), "404 folder_not_found");
  auto host = folders_->HostPath(open->record);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(*host, FolderDir(alice_.user_id, f.id));
}

TEST_F(FolderServiceTest, VolumesReportsTheConfiguredVolume) {
  auto vols = folders_->Volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].name, "local");
  EXPECT_EQ(vols[0].kind, "local");
  EXPECT_FALSE(vols[0].capabilities.kernel_quota);
}

TEST_F(FolderServiceTest, QuotaChangesAreOwnerOnlyAndStored) {
  auto f = MustCreate(alice_, "data", 100);
  auto up = folders_->SetQuota(alice_, "data", 5000);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->quota_bytes, std::optional<uint64_t>(5000));
  EXPECT_EQ(store().GetFolder(f.id)->quota_bytes, std::optional<uint64_t>(5000));
  auto none = folders_->SetQuota(alice_, "data", std::nullopt);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->quota_bytes);
  EXPECT_EQ(Outcome(folders_->SetQuota(alice_, "data", 0)), "400 invalid_quota");
  EXPECT_EQ(Outcome(folders_->SetQuota(bob_, f.id, 10)), "404 folder_not_found");
}

TEST_F(FolderServiceTest, CloneCopiesContentAndQuotaToANewFolderOfTheCaller) {
  auto f = MustCreate(alice_, "data", 1 << 20);
  WriteFile(FolderDir(alice_.user_id, f.id) + "/sub/x.bin", 4096);
  auto c = folders_->Clone(alice_, "data", "data-copy");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // A volume without reflinks copies in the background (folder_clone_test.cc).
  for (int i = 0; i < 1000 && c->status == "cloning"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (auto now = folders_->Get(alice_, c->id, false); now.ok()) c = now;
  }
  EXPECT_EQ(c->status, "ready");
  EXPECT_NE(c->id, f.id);
  EXPECT_EQ(c->owner, "alice");
  EXPECT_EQ(c->volume, "local");
  EXPECT_EQ(c->quota_bytes, std::optional<uint64_t>(1 << 20));
  EXPECT_EQ(std::filesystem::file_size(FolderDir(alice_.user_id, c->id) + "/sub/x.bin"), 4096u);
  auto usage = folders_->Get(alice_, "data-copy", true);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->usage->bytes, 4096u);
  EXPECT_EQ(Outcome(folders_->Clone(alice_, "data", "data-copy")), "409 folder_exists");
  EXPECT_EQ(Outcome(folders_->Clone(alice_, "data", "../x")).substr(0, 3), "400");
  EXPECT_EQ(Outcome(folders_->Clone(bob_, f.id, "mine")), "404 folder_not_found");
  EXPECT_EQ(Outcome(folders_->Clone(alice_, "nope", "x")), "404 folder_not_found");
}

}  // namespace
}  // namespace berth::manager

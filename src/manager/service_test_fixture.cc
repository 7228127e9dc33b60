#include "manager/service_test_fixture.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "api/error_mapping.h"
#include "common/clock.h"
#include "common/fs_util.h"
#include "common/random.h"
#include "store/sqlite_store.h"

namespace berth::manager {

std::string Outcome(const Status& s) {
  if (s.ok()) return "ok";
  return std::to_string(api::HttpStatusFor(s.code())) + " " + s.reason();
}

void ServiceTest::SetUp() {
  spdlog::set_level(spdlog::level::warn);  // the services log every change at info
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/berth-service-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  dir_ = tmpl;
  auto store = store::OpenSqliteStore(dir_ + "/berth.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(*store);
  volume_ = std::make_unique<storage::LocalVolume>(storage::VolumeOptions{"local", dir_ + "/vol"});
  ASSERT_TRUE(volume_->Init().ok());
}

void ServiceTest::TearDown() {
  store_.reset();
  if (!dir_.empty()) EXPECT_TRUE(RemoveTree(dir_).ok()) << dir_;
}

Principal ServiceTest::AddUser(const std::string& name, const std::string& role) {
  store::UserRecord u;
  u.id = NewUuid();
  u.name = name;
  u.role = role;
  u.created_at = NowRfc3339();
  Status st = store_->CreateUser(u);
  EXPECT_TRUE(st.ok()) << st.ToString();
  Principal p;
  p.user_id = u.id;
  p.name = u.name;
  p.role = u.role;
  p.uid = u.uid;
  p.gid = u.gid;
  return p;
}

FolderServiceDeps ServiceTest::FolderDeps() {
  FolderServiceDeps deps;
  deps.store = store_.get();
  deps.volumes = {{"local", volume_.get()}};
  return deps;
}

void ServiceTest::WriteFile(const std::string& path, size_t size) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << std::string(size, 'x');
  ASSERT_TRUE(out.good()) << path;
}

}  // namespace berth::manager

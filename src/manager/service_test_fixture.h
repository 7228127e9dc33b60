// ServiceTest: a GoogleTest fixture for the manager services' unit tests.
// Each test gets a fresh temporary directory holding a real SQLite store
// (berth.db), a real volume "local" (vol/) and a disabled audit log, plus
// helpers to add users and get their principals. The directory is removed
// after the test. Not thread-safe: one test at a time, as GoogleTest runs them.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/folder_service.h"
#include "manager/principal.h"
#include "storage/local_volume.h"
#include "store/store.h"

namespace berth::manager {

// What a client would see of `s`: "ok", or the HTTP status and the reason,
// e.g. "409 folder_exists". Lets table-driven tests compare one string.
std::string Outcome(const Status& s);
template <typename T>
std::string Outcome(const Result<T>& r) {
  return Outcome(r.status());
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Adds user `name` with `role` ("user" or "superadmin") to the store and
  // returns the principal its requests would carry.
  Principal AddUser(const std::string& name, const std::string& role = "user");
  // Deps for a FolderService on this store and volume (nothing else wired).
  FolderServiceDeps FolderDeps();
  // The directory of folder `folder_id` owned by `owner_id` on the volume.
  std::string FolderDir(const std::string& owner_id, const std::string& folder_id) const {
    return volume_->FolderPath(owner_id, folder_id);
  }
  // Writes `size` bytes to `path`, creating its parent directories; fails
  // the test if it cannot.
  void WriteFile(const std::string& path, size_t size);

  const std::string& dir() const { return dir_; }
  store::Store& store() { return *store_; }
  const storage::Volume& volume() const { return *volume_; }
  AuditLog& audit() { return audit_; }

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<storage::Volume> volume_;
  AuditLog audit_{""};
};

}  // namespace berth::manager

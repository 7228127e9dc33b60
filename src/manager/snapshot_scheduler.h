// SnapshotScheduler: runs every folder's snapshot schedule (SPEC §2
// "Snapshots", PATCH /folders/{name} {snapshot_schedule:{every_s, keep}}).
//
// One thread for all folders (never one per folder): each tick
// (kTick) it reads the scheduled folders from the store and, for each
// that is due, takes "auto-<UTC time>" and prunes the oldest scheduled
// snapshots beyond `keep` (SnapshotService::TakeScheduled). Snapshots
// taken by hand are never pruned. A folder is due `every_s` after its
// newest scheduled snapshot (so a restart neither skips nor doubles one),
// or at once when it has none.
//
// Thread-safe; Stop (or the destructor) joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

#include "manager/snapshot_service.h"
#include "store/store.h"

namespace berth::manager {

class SnapshotScheduler {
 public:
  static constexpr std::chrono::seconds kTick{1};

  SnapshotScheduler(store::Store& store, FolderService& folders, SnapshotService& snapshots)
      : store_(store), folders_(folders), snapshots_(snapshots) {}
  ~SnapshotScheduler() { Stop(); }
  SnapshotScheduler(const SnapshotScheduler&) = delete;
  SnapshotScheduler& operator=(const SnapshotScheduler&) = delete;

  void Start();
  void Stop();
  // One round at `now` (Unix seconds): what the thread does each tick.
  void RunOnce(int64_t now);

 private:
  // When folder `f` is next due (Unix seconds).
  int64_t DueAt(const store::FolderRecord& f);

  store::Store& store_;
  FolderService& folders_;
  SnapshotService& snapshots_;
  std::map<std::string, int64_t> due_;  // folder id -> next due; thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace berth::manager

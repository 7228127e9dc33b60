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
// With several managers on one store, only one runs the schedule: the
// one holding the coordination lock "snapshot-scheduler" (taken with
// TryLock each tick until held; another manager takes over within a tick
// of the holder's death, when its database connection drops).
//
// Thread-safe; Stop (or the destructor) joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "manager/snapshot_service.h"
#include "store/coordination.h"
#include "store/store.h"

namespace berth::manager {

class SnapshotScheduler {
 public:
  static constexpr std::chrono::seconds kTick{1};

  static constexpr const char* kLeaderLock = "snapshot-scheduler";

  // `coordination` null: this manager is the only one (it always leads).
  SnapshotScheduler(store::Store& store, FolderService& folders, SnapshotService& snapshots,
                    store::Coordination* coordination = nullptr)
      : store_(store), folders_(folders), snapshots_(snapshots), coordination_(coordination) {}
  ~SnapshotScheduler() { Stop(); }
  SnapshotScheduler(const SnapshotScheduler&) = delete;
  SnapshotScheduler& operator=(const SnapshotScheduler&) = delete;

  void Start();
  void Stop();
  // One round at `now` (Unix seconds): what the thread does each tick.
  void RunOnce(int64_t now);
  // Whether this manager runs the schedule now, taking the lead when free.
  // The thread asks before each round; call from one thread at a time.
  bool Leading();

 private:
  // When folder `f` is next due (Unix seconds).
  int64_t DueAt(const store::FolderRecord& f);

  store::Store& store_;
  FolderService& folders_;
  SnapshotService& snapshots_;
  store::Coordination* const coordination_;
  std::unique_ptr<store::Coordination::Hold> lead_;  // thread only
  std::map<std::string, int64_t> due_;  // folder id -> next due; thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace berth::manager

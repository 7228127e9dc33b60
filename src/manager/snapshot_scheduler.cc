#include "manager/snapshot_scheduler.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <set>

#include "common/clock.h"

namespace berth::manager {
namespace {

// "2025-01-02T03:04:05Z" (FormatRfc3339) back to Unix seconds; 0 if not.
int64_t UnixOf(const std::string& rfc3339) {
  std::tm tm{};
  const char* end = strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return end && *end == '\0' ? static_cast<int64_t>(timegm(&tm)) : 0;
}

}  // namespace

void SnapshotScheduler::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      if (Leading()) RunOnce(NowUnix());
      lock.lock();
      cv_.wait_for(lock, kTick, [this] { return stop_; });
    }
  });
}

void SnapshotScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool SnapshotScheduler::Leading() {
  if (coordination_ == nullptr) return true;
  if (lead_ && lead_->Held()) return true;
  if (lead_) {
    spdlog::warn("snapshot schedule: lost the lead (database connection), handing it on");
    lead_.reset();
  }
  auto hold = coordination_->TryLock(kLeaderLock);
  if (!hold.ok()) {
    spdlog::warn("snapshot schedule: {}", hold.status().message());
    return false;
  }
  if (*hold == nullptr) return false;  // another manager runs it
  lead_ = std::move(*hold);
  due_.clear();  // another manager may have taken snapshots meanwhile
  spdlog::info("snapshot schedule: this manager runs it");
  return true;
}

int64_t SnapshotScheduler::DueAt(const store::FolderRecord& f) {
  if (auto it = due_.find(f.id); it != due_.end()) return it->second;
  int64_t newest = 0;
  auto v = folders_.VolumeOf(f);
  if (v.ok()) {
    if (auto list = (*v)->ListSnapshots(f.owner_id, f.id); list.ok()) {
      for (const auto& s : *list) {
        if (s.scheduled) newest = std::max(newest, UnixOf(s.created_at));
      }
    }
  }
  int64_t due = newest == 0 ? 0 : newest + static_cast<int64_t>(*f.snapshot_every_s);
  due_[f.id] = due;
  return due;
}

void SnapshotScheduler::RunOnce(int64_t now) {
  auto all = store_.ListScheduledFolders();
  if (!all.ok()) {
    spdlog::warn("snapshot schedule: {}", all.status().message());
    return;
  }
  std::set<std::string> scheduled;
  for (const auto& f : *all) {
    scheduled.insert(f.id);
    if (DueAt(f) > now) continue;
    due_[f.id] = now + static_cast<int64_t>(*f.snapshot_every_s);
    if (Status st = snapshots_.TakeScheduled(f, now, *f.snapshot_keep); !st.ok()) {
      spdlog::warn("folder {} ({}): scheduled snapshot failed: {}", f.name, f.id, st.message());
    }
  }
  // Forget folders whose schedule went (a new one starts afresh).
  std::erase_if(due_, [&](const auto& kv) { return !scheduled.count(kv.first); });
}

}  // namespace berth::manager

// FolderService's clones (SPEC §2 "Clone"): instant where the volume can
// (a btrfs snapshot, reflinks), else a streamed copy in the background
// while the new folder is "cloning". See folder_service.h.
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/random.h"
#include "manager/folder_service.h"
#include "storage/names.h"

namespace berth::manager {
namespace {

// The coordination lock a streamed clone's manager holds while it copies.
std::string CloneLock(const std::string& folder_id) { return "clone:" + folder_id; }

}  // namespace

storage::CopyProgressFn FolderService::CloneProgress(const store::FolderRecord& dst,
                                                    const std::string& src) {
  if (!deps_.events) return {};
  using Clock = std::chrono::steady_clock;
  // Called by one thread at a time (the request's, then the copying one,
  // handed over through the CloneRunner's lock): the state needs no lock.
  auto last = std::make_shared<Clock::time_point>();
  const std::string head = "{\"change\":\"cloning\",\"id\":\"" + dst.id + "\",\"name\":\"" +
                           dst.name + "\",\"status\":\"cloning\",\"source\":\"" + src + "\"";
  const std::string owner = dst.owner_id;
  EventBus* events = deps_.events;
  return [=](const storage::CopyProgress& p) {
    const Clock::time_point now = Clock::now();
    if (now - *last < kCloneProgressEvery) return true;
    *last = now;
    events->Publish(Event{"folder", owner,
                          head + ",\"bytes\":" + std::to_string(p.bytes) +
                              ",\"files\":" + std::to_string(p.files) + "}"});
    return true;
  };
}

Status FolderService::CheckNotCloning(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto cloning, deps_.store->ListFolders(p.user_id, "cloning"));
  for (const auto& f : cloning) {
    if (f.name == ref || f.id == ref) {
      return FailedPrecondition("folder '" + f.name +
                                    "' is still being cloned; try again when its status is ready",
                                "folder_cloning");
    }
  }
  return Status::Ok();
}

Result<api::Folder> FolderService::Clone(const Principal& p, const std::string& ref,
                                         const std::string& new_name) {
  BERTH_RETURN_IF_ERROR(storage::ValidateFolderName(new_name));
  // Whoever may read a folder may clone it (SPEC §2: the clone is owned by
  // the caller); an invitee could download all of it anyway.
  BERTH_ASSIGN_OR_RETURN(auto src, Resolve(p, ref, "ready"));
  BERTH_RETURN_IF_ERROR(CheckNameFree(p.user_id, new_name, ""));
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, VolumeOf(src));
  store::FolderRecord f;
  f.id = NewUuid();
  f.name = new_name;
  f.volume = src.volume;
  f.owner_id = p.user_id;
  f.created_at = NowRfc3339();
  f.quota_bytes = src.quota_bytes;
  if (!v->capabilities().instant_clone) return CloneInBackground(p, src, std::move(f), v);
  // Data first, then the record (as Create).
  BERTH_RETURN_IF_ERROR(
      v->CloneFolder(src.owner_id, src.id, f.owner_id, f.id, CloneProgress(f, src.name)));
  Status st = v->SetQuota(f.owner_id, f.id, f.quota_bytes);
  if (st.ok()) st = deps_.store->CreateFolder(f);
  if (!st.ok()) {
    (void)v->PurgeFolderDir(f.owner_id, f.id);
    if (st.code() == Code::kAlreadyExists) {
      return AlreadyExists("a folder named '" + new_name + "' already exists", "folder_exists");
    }
    return st;
  }
  spdlog::info("user {} cloned folder {} ({}) as {} ({})", p.name, src.name, src.id, f.name, f.id);
  if (deps_.audit) deps_.audit->Record(p.name, "folder.clone", f.id, "ok", src.id);
  Publish(f, "created");
  return ToApi(p, f);
}

Result<api::Folder> FolderService::CloneInBackground(const Principal& p,
                                                     const store::FolderRecord& src,
                                                     store::FolderRecord f,
                                                     const storage::Volume* v) {
  // The record first, then the data: a crash in between leaves a "cloning"
  // record, which RecoverClones removes with its partial copy at the next start.
  f.status = "cloning";
  // Ours while it copies, before anyone can see the record (see RecoverClones).
  std::shared_ptr<store::Coordination::Hold> copying;
  if (deps_.coordination) {
    BERTH_ASSIGN_OR_RETURN(auto hold, deps_.coordination->TryLock(CloneLock(f.id)));
    if (!hold) return Unavailable("the new folder's clone lock is taken", "clone_busy");
    copying = std::move(hold);
  }
  BERTH_RETURN_IF_ERROR(deps_.store->CreateFolder(f));
  {
    std::lock_guard lock(sources_mu_);
    clone_sources_.insert(src.id);
  }
  storage::CopyProgressFn progress = CloneProgress(f, src.name);
  if (progress) progress(storage::CopyProgress{});  // the first event, at once
  Status st = clones_->Submit(
      [this, who = p.name, src, f, v, progress, copying](const std::atomic<bool>& stop) {
        RunClone(who, src, f, v, progress, stop);
      });
  if (!st.ok()) {
    {
      std::lock_guard lock(sources_mu_);
      clone_sources_.erase(clone_sources_.find(src.id));
    }
    (void)deps_.store->DeleteFolder(f.id);
    Publish(f, "purged");
    return st;
  }
  spdlog::info("user {} started cloning folder {} ({}) as {} ({})", p.name, src.name, src.id,
               f.name, f.id);
  return ToApi(p, f);
}

void FolderService::RunClone(const std::string& who, const store::FolderRecord& src,
                             store::FolderRecord f, const storage::Volume* v,
                             const storage::CopyProgressFn& progress,
                             const std::atomic<bool>& stop) {
  auto step = [&](const storage::CopyProgress& c) {
    if (progress) progress(c);
    if (deps_.clone_observer && !deps_.clone_observer(c)) return false;
    return !stop.load();
  };
  Status st = stop ? Unavailable("berthd is shutting down", "copy_stopped")
                   : v->CloneFolder(src.owner_id, src.id, f.owner_id, f.id, step);
  if (st.ok()) st = v->SetQuota(f.owner_id, f.id, f.quota_bytes);
  if (st.ok()) {
    f.status = "ready";
    st = deps_.store->UpdateFolder(f);
    if (st.code() == Code::kAlreadyExists) {
      st = AlreadyExists("a folder named '" + f.name + "' was made meanwhile", "folder_exists");
    }
  }
  {
    std::lock_guard lock(sources_mu_);
    clone_sources_.erase(clone_sources_.find(src.id));
  }
  if (!st.ok()) return FailClone(who, f, v, st);
  spdlog::info("user {} cloned folder {} ({}) as {} ({})", who, src.name, src.id, f.name, f.id);
  if (deps_.audit) deps_.audit->Record(who, "folder.clone", f.id, "ok", src.id);
  Publish(f, "created");
}

void FolderService::FailClone(const std::string& who, const store::FolderRecord& f,
                              const storage::Volume* v, const Status& why) {
  (void)v->PurgeFolderDir(f.owner_id, f.id);
  (void)deps_.store->DeleteFolder(f.id);
  spdlog::warn("clone {} ({}) for {} failed, removed: {}", f.name, f.id, who, why.message());
  if (deps_.audit) deps_.audit->Record(who, "folder.clone", f.id, "error", why.message());
  if (!deps_.events) return;
  nlohmann::json j{{"change", "clone_failed"}, {"id", f.id},           {"name", f.name},
                   {"status", "error"},        {"error", why.message()}, {"reason", why.reason()}};
  deps_.events->Publish(
      Event{"folder", f.owner_id, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
}

void FolderService::RecoverClones() {
  auto all = deps_.store->ListAllFolders();
  if (!all.ok()) {
    spdlog::warn("clone recovery: {}", all.status().message());
    return;
  }
  for (const auto& f : *all) {
    if (f.status != "cloning") continue;
    std::unique_ptr<store::Coordination::Hold> hold;
    if (deps_.coordination) {
      auto h = deps_.coordination->TryLock(CloneLock(f.id));
      if (!h.ok()) {
        spdlog::warn("clone {} ({}): {}", f.name, f.id, h.status().message());
        continue;
      }
      if (*h == nullptr) continue;  // another manager is copying it
      hold = std::move(*h);
    }
    if (auto v = VolumeOf(f); v.ok()) {
      if (Status st = (*v)->PurgeFolderDir(f.owner_id, f.id); !st.ok()) {
        spdlog::warn("clone {} ({}): partial copy not removed: {}", f.name, f.id, st.message());
        continue;  // keep the record, so the next start tries again
      }
    }
    if (Status st = deps_.store->DeleteFolder(f.id); !st.ok()) {
      spdlog::warn("clone {} ({}): record not removed: {}", f.name, f.id, st.message());
      continue;
    }
    spdlog::warn("removed folder {} ({}): its clone was cut short when berthd stopped", f.name,
                 f.id);
  }
}

}  // namespace berth::manager

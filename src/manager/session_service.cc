#include "manager/session_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "api/json.h"
#include "common/clock.h"
#include "common/random.h"
#include "images/image_store.h"
#include "manager/dotfile_service.h"
#include "manager/exec_stream.h"
#include "storage/names.h"

namespace berth::manager {

using nlohmann::json;

namespace {

constexpr int kMaxExecTimeoutS = 24 * 3600;

// Ended: mounts nothing, counts against no limit, is not adopted.
bool Ended(const std::string& status) {
  return status == "error" || status == "terminated" || status == "lost";
}

// How far a session has come in its start: pending 1, creating 2, running 3;
// 0 for any other status.
int StartRank(const std::string& status) {
  if (status == "pending") return 1;
  if (status == "creating") return 2;
  if (status == "running") return 3;
  return 0;
}

// The folder mounts recorded for session `r`.
std::vector<api::SessionMount> MountsOf(const store::SessionRecord& r) {
  json m = json::parse(r.mounts_json, nullptr, false);
  if (!m.is_object()) return {};
  return m.value("mounts", std::vector<api::SessionMount>{});
}

// Whether session `r` mounts `folder_id` (read-write, with `rw_only`).
bool MountsFolder(const store::SessionRecord& r, const std::string& folder_id, bool rw_only) {
  if (std::find(r.folder_ids.begin(), r.folder_ids.end(), folder_id) == r.folder_ids.end()) {
    return false;
  }
  auto mounts = MountsOf(r);
  return !rw_only || std::any_of(mounts.begin(), mounts.end(), [&](const auto& m) {
    return m.folder_id == folder_id && m.permission == "rw";
  });
}

}  // namespace

void SessionService::Publish(const store::SessionRecord& r, const std::string& status) {
  if (!deps_.events) return;
  json j = ToApi(r);
  j["status"] = status;
  deps_.events->Publish(Event{"session", r.owner_id, j.dump()});
}

api::Session SessionService::ToApi(const store::SessionRecord& r) {
  api::Session s;
  s.id = r.id;
  s.name = r.name;
  if (auto u = deps_.store->GetUser(r.owner_id); u.ok()) s.owner = u->name;
  s.image = r.image;
  s.status = r.status;
  s.error = r.error;
  s.status_reason = r.status_reason;
  s.created_at = r.created_at;
  json m = json::parse(r.mounts_json, nullptr, false);
  if (m.is_object()) {
    s.mounts = m.value("mounts", std::vector<api::SessionMount>{});
    s.persistent_paths = m.value("persistent_paths", std::vector<std::string>{});
  }
  if (deps_.host != nullptr && r.status == "running") s.network_ip = deps_.host->AddressOf(r.id);
  s.node = r.node;
  json q = json::parse(r.request_json, nullptr, false);
  if (q.is_object() && q.contains("resources")) {
    s.resources = q["resources"].get<api::SessionResources>();
  }
  if (q.is_object()) s.resource_group = q.value("resource_group", "");
  return s;
}

Result<store::SessionRecord> SessionService::Resolve(const Principal& p, const std::string& ref) {
  auto r = deps_.store->GetSessionByName(p.user_id, ref);
  if (r.ok()) return r;
  if (LooksLikeUuid(ref)) {
    auto byid = deps_.store->GetSession(ref);
    if (byid.ok() && deps_.folders->authorizer().CanUseSession(p, *byid)) return byid;
  }
  return NotFound("no session named '" + ref + "'", "session_not_found");
}

bool SessionService::Mine(const store::SessionRecord& r) const {
  return r.RunBy(deps_.manager_name);
}

Status SessionService::CheckMine(const store::SessionRecord& r) const {
  if (Mine(r)) return Status::Ok();
  return FailedPrecondition("session '" + r.name + "' runs on manager '" + r.manager +
                                "'; ask that manager's address",
                            "session_on_other_manager");
}

Result<store::SessionRecord> SessionService::ResolveRunning(const Principal& p,
                                                            const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto r, Resolve(p, ref));
  BERTH_RETURN_IF_ERROR(CheckMine(r));
  if (r.status != "running") {
    return FailedPrecondition("session '" + r.name + "' is " + r.status + ", not running",
                              "session_not_running");
  }
  return r;
}

std::vector<agent::FolderQuotaNote> SessionService::QuotaNotes(
    const std::vector<std::string>& folder_ids, const agent::MountPlan& plan) {
  std::vector<agent::FolderQuotaNote> out;
  for (const auto& id : folder_ids) {
    auto rec = deps_.store->GetFolder(id);
    if (!rec.ok() || !rec->quota_bytes) continue;
    auto host = deps_.folders->HostPath(*rec);
    if (!host.ok()) continue;
    for (const auto& m : plan.mounts) {
      if (m.host_path != *host) continue;
      agent::FolderQuotaNote n{m.target, *rec->quota_bytes, std::nullopt,
                               deps_.folders->KernelQuota(*rec)};
      // Only where it is cheap (the kernel's accounting): no tree walk at
      // session start.
      if (n.kernel_enforced) {
        if (auto u = deps_.folders->UsageOf(*rec); u.ok()) n.used_bytes = u->bytes;
      }
      out.push_back(std::move(n));
    }
  }
  return out;
}

Status SessionService::AddSnapshotMount(const Principal& p, const std::string& spec, size_t at,
                                        std::set<std::string>& seen, agent::MountPlanInput& in) {
  const std::string snap = spec.substr(at + 1);
  BERTH_RETURN_IF_ERROR(storage::ValidateSnapshotName(snap));
  BERTH_ASSIGN_OR_RETURN(auto rec, deps_.folders->ResolveReady(p, spec.substr(0, at)));
  if (!seen.insert(rec.id + "@" + snap).second) return Status::Ok();
  BERTH_ASSIGN_OR_RETURN(const storage::Volume* v, deps_.folders->VolumeOf(rec));
  BERTH_ASSIGN_OR_RETURN(std::string host, v->SnapshotPath(rec.owner_id, rec.id, snap));
  // Always read-only (PlanMounts refuses "rw" on an "ro" folder with 403).
  in.folders.push_back(agent::FolderRef{spec, rec.id, host, "ro", rec.status});
  return Status::Ok();
}

Result<agent::MountPlanInput> SessionService::ResolveFolders(const Principal& p,
                                                             const agent::SessionRequest& req,
                                                             std::vector<std::string>* folder_ids) {
  agent::MountPlanInput in;
  in.requests = req.mounts;
  in.automount = req.automount;
  std::set<std::string> seen;
  auto add = [&](const store::FolderRecord& rec, const std::string& permission) -> Status {
    if (!seen.insert(rec.id).second) return Status::Ok();
    BERTH_ASSIGN_OR_RETURN(std::string host, deps_.folders->HostPath(rec));
    in.folders.push_back(agent::FolderRef{rec.name, rec.id, host, permission, rec.status});
    return Status::Ok();
  };
  for (const auto& m : req.mounts) {
    if (size_t at = m.folder.find('@'); at != std::string::npos) {
      BERTH_RETURN_IF_ERROR(AddSnapshotMount(p, m.folder, at, seen, in));
      continue;
    }
    auto ready = deps_.folders->ResolveReady(p, m.folder);
    if (ready.ok()) {
      Access a = deps_.folders->AccessOf(p, *ready);
      BERTH_RETURN_IF_ERROR(add(*ready, a == Access::kWrite ? "rw" : "ro"));
      continue;
    }
    if (ready.status().code() != Code::kNotFound) return ready.status();
    // In the trash? Let the planner refuse it with its own message.
    auto any = deps_.folders->Get(p, m.folder, /*with_usage=*/false);
    if (any.ok() && any->status == "trash") {
      if (auto rec = deps_.store->GetFolder(any->id); rec.ok()) {
        BERTH_RETURN_IF_ERROR(add(*rec, any->permission));
      }
    }
  }
  if (req.automount) {
    BERTH_ASSIGN_OR_RETURN(auto owned, deps_.folders->OwnedReady(p.user_id));
    for (const auto& f : owned) {
      if (storage::IsAutomountName(f.name)) BERTH_RETURN_IF_ERROR(add(f, "rw"));
    }
  }
  for (const auto& f : in.folders) {
    if (f.status == "ready") folder_ids->push_back(f.id);
  }
  return in;
}

Result<runtime::Resources> SessionService::Admit(const Principal& p,
                                                 const api::SessionResources& requested,
                                                 store::SessionRecord& rec, bool named) {
  BERTH_ASSIGN_OR_RETURN(store::UserRecord user, deps_.store->GetUser(p.user_id));
  std::lock_guard lock(mu_);
  BERTH_ASSIGN_OR_RETURN(auto existing, deps_.store->ListSessions(p.user_id));
  size_t live = 0;
  for (const auto& s : existing) live += !Ended(s.status);
  const api::UserLimits effective = EffectiveLimits(deps_.limits, UserLimitOverrides(user));
  BERTH_ASSIGN_OR_RETURN(runtime::Resources resources,
                         ResolveSessionResources(deps_.limits, effective, requested, live));
  // Recorded as applied, so GET /sessions shows what the session got.
  api::SessionResources applied{resources.cpus, resources.memory_bytes, requested.gpus};
  json request = json::parse(rec.request_json, nullptr, false);
  if (!request.is_object()) request = json::object();
  request["resources"] = applied;
  rec.request_json = request.dump();
  Status inserted;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (!named) rec.name = "s-" + RandomHex(3);
    inserted = deps_.store->CreateSession(rec);
    if (inserted.code() != Code::kAlreadyExists || named) break;
  }
  if (inserted.code() == Code::kAlreadyExists) {
    return AlreadyExists("you already have a session named '" + rec.name + "'", "session_exists");
  }
  BERTH_RETURN_IF_ERROR(inserted);
  return resources;
}

Result<api::Session> SessionService::Create(const Principal& p,
                                            const agent::ValidSessionRequest& valid) {
  const agent::SessionRequest& req = valid.get();
  const std::string image_name = req.image.value_or(deps_.default_image);
  auto image = deps_.images->Get(image_name);
  if (!image.ok()) {
    if (image.status().code() == Code::kNotFound) {
      return NotFound("no image named '" + image_name + "'; see `berth image list`",
                      "image_not_found");
    }
    return image.status();
  }
  std::vector<std::string> folder_ids;
  BERTH_ASSIGN_OR_RETURN(agent::MountPlanInput mounts, ResolveFolders(p, req, &folder_ids));
  // Planned before anything is recorded, so a refused mount leaves nothing.
  BERTH_ASSIGN_OR_RETURN(agent::MountPlan plan, agent::PlanMounts(mounts));

  store::SessionRecord rec;
  rec.id = NewUuid();
  rec.owner_id = p.user_id;
  rec.image = image_name;
  rec.status = "creating";
  rec.created_at = NowRfc3339();
  rec.manager = deps_.manager_name;
  rec.folder_ids = folder_ids;
  rec.name = req.name.value_or("");
  json request{{"automount", req.automount}, {"env", req.env}};
  if (req.resource_group) request["resource_group"] = *req.resource_group;
  rec.request_json = request.dump();
  BERTH_ASSIGN_OR_RETURN(runtime::Resources resources,
                         Admit(p, req.resources, rec, req.name.has_value()));
  Publish(rec, "creating");

  agent::SessionSpec spec(valid);
  spec.id = rec.id;
  spec.name = rec.name;
  spec.owner = p.name;
  spec.image = std::move(*image);
  spec.mounts = plan;
  spec.quotas = QuotaNotes(folder_ids, plan);
  spec.uid = p.uid;
  spec.gid = p.gid;
  spec.sudo_allowed = p.sudo_allowed;
  spec.resources = resources;
  auto dotfiles = SessionDotfiles(*deps_.store, p.user_id);
  auto owner = deps_.store->GetUser(p.user_id);
  if (!dotfiles.ok() || !owner.ok()) {
    (void)deps_.store->DeleteSession(rec.id);
    Publish(rec, "terminated");
    return !dotfiles.ok() ? dotfiles.status() : owner.status();
  }
  spec.dotfiles = std::move(*dotfiles);
  spec.python_user_base_per_version = owner->python_user_base == "per_version";
  auto placed = deps_.host->Create(spec);
  if (!placed.ok()) {
    (void)deps_.store->DeleteSession(rec.id);
    Publish(rec, "terminated");
    spdlog::warn("session {} of {} failed to start: {}", rec.name, p.name,
                 placed.status().ToString());
    return placed.status();
  }
  for (const auto& skipped : placed->info.dotfiles.skipped) {
    spdlog::info("session {} of {}: dotfile skipped: {}", rec.name, p.name, skipped);
  }
  json mj{{"mounts", json::array()}, {"persistent_paths", plan.persistent_paths}};
  std::map<std::string, std::string> ids;
  for (const auto& f : mounts.folders) ids[f.name] = f.id;
  for (const auto& m : plan.mounts) {
    api::SessionMount sm{m.folder, ids[m.folder], m.target, m.read_only ? "ro" : "rw",
                         m.automount};
    if (size_t at = m.folder.find('@'); at != std::string::npos) {
      sm.folder = m.folder.substr(0, at);
      sm.snapshot = m.folder.substr(at + 1);
    }
    mj["mounts"].push_back(std::move(sm));
  }
  rec.mounts_json = mj.dump();
  {
    // Under mu_ with OnHostStatus: a cluster agent may report "running"
    // before this first update lands; the later state wins.
    std::lock_guard lock(mu_);
    rec.status = placed->status;
    rec.status_reason = placed->status_reason;
    rec.node = placed->node;
    rec.job_id = placed->job_id;
    rec.agent_key_hash = placed->agent_key_hash;
    rec.spec_json = placed->spec_json;
    if (auto cur = deps_.store->GetSession(rec.id); cur.ok() && cur->status != "creating") {
      rec.status = cur->status;
      rec.status_reason = cur->status_reason;
      rec.node = cur->node.empty() ? rec.node : cur->node;
      rec.folder_ids = cur->folder_ids;
      if (rec.status == "running") rec.spec_json.clear();
    }
    if (Status st = deps_.store->UpdateSession(rec); !st.ok()) {
      (void)deps_.host->Delete(rec.id);
      (void)deps_.store->DeleteSession(rec.id);
      return st;
    }
  }
  spdlog::info("user {} started session {} ({}) with {} mounts: {}{}", p.name, rec.name, rec.id,
               plan.mounts.size(), rec.status, rec.node.empty() ? "" : " on " + rec.node);
  Publish(rec, rec.status);
  // A share revoked while the container started found this session still
  // "creating" and passed it by: end it now, as it would have been.
  if (LostAShare(p, rec)) {
    End(rec.id, "share_revoked");
    return Get(p, rec.id);
  }
  return ToApi(rec);
}

Result<std::vector<api::Session>> SessionService::List(const Principal& p, bool all) {
  const bool everyone = all && deps_.folders->authorizer().CanListAllSessions(p);
  BERTH_ASSIGN_OR_RETURN(auto recs, deps_.store->ListSessions(everyone ? "" : p.user_id));
  std::vector<api::Session> out;
  for (const auto& r : recs) out.push_back(ToApi(r));
  return out;
}

Result<api::Session> SessionService::Get(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto r, Resolve(p, ref));
  return ToApi(r);
}

Status SessionService::Delete(const Principal& p, const std::string& ref, bool force) {
  store::SessionRecord r;
  {
    std::lock_guard lock(mu_);
    BERTH_ASSIGN_OR_RETURN(r, Resolve(p, ref));
    BERTH_RETURN_IF_ERROR(CheckMine(r));
    // "creating" with a job: a cluster session whose container is being
    // made on its node; deletable like a pending one (the job is cancelled).
    const bool starting_here = r.status == "creating" && r.job_id.empty();
    if (starting_here || (r.status == "terminating" && !force)) {
      return FailedPrecondition("session '" + r.name + "' is " + r.status + "; try again shortly",
                                "session_busy");
    }
    r.status = "terminating";
    BERTH_RETURN_IF_ERROR(deps_.store->UpdateSession(r));
  }
  Publish(r, "terminating");
  Status st = deps_.host->Delete(r.id);
  if (!st.ok() && force) {
    spdlog::warn("user {} force-deleted session {} ({}); its cleanup failed and left: {}", p.name,
                 r.name, r.id, st.message());
  } else if (!st.ok()) {
    r.status = "error";
    r.error = "delete failed: " + st.message();
    (void)deps_.store->UpdateSession(r);
    Publish(r, "error");
    return st;
  }
  BERTH_RETURN_IF_ERROR(deps_.store->DeleteSession(r.id));
  spdlog::info("user {} deleted session {} ({})", p.name, r.name, r.id);
  Publish(r, "terminated");
  return Status::Ok();
}

Result<runtime::ExecResult> SessionService::Exec(const Principal& p, const std::string& ref,
                                                 const runtime::ExecOptions& options) {
  std::string id;
  BERTH_ASSIGN_OR_RETURN(ExecSlots::Slot slot, AdmitExec(p, ref, options, &id));
  return deps_.host->Exec(id, options);
}

Result<std::unique_ptr<http::LiveBodySource>> SessionService::StreamExec(
    const Principal& p, const std::string& ref, runtime::ExecOptions options) {
  std::string id;
  BERTH_ASSIGN_OR_RETURN(ExecSlots::Slot slot, AdmitExec(p, ref, options, &id));
  SessionHost* host = deps_.host;
  return std::unique_ptr<http::LiveBodySource>(std::make_unique<ExecStream>(
      std::move(slot), std::move(options),
      [host, id](const runtime::ExecOptions& o) { return host->Exec(id, o); }));
}

Result<ExecSlots::Slot> SessionService::AdmitExec(const Principal& p, const std::string& ref,
                                                  const runtime::ExecOptions& options,
                                                  std::string* id) {
  if (options.argv.empty()) return InvalidArgument("command must not be empty", "invalid_command");
  for (const auto& a : options.argv) {
    if (a.find('\0') != std::string::npos) {
      return InvalidArgument("command arguments must not contain NUL bytes", "invalid_command");
    }
  }
  if (options.timeout.count() < 0 || options.timeout.count() > kMaxExecTimeoutS * 1000LL) {
    return InvalidArgument("timeout_s must be between 0 and " + std::to_string(kMaxExecTimeoutS),
                           "invalid_timeout");
  }
  BERTH_ASSIGN_OR_RETURN(auto r, ResolveRunning(p, ref));
  *id = r.id;
  return exec_slots_.Acquire(p.user_id);
}

Result<std::string> SessionService::Logs(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(auto r, Resolve(p, ref));
  BERTH_RETURN_IF_ERROR(CheckMine(r));
  return deps_.host->Logs(r.id);
}

Result<std::unique_ptr<runtime::TtyProcess>> SessionService::OpenTerminal(const Principal& p,
                                                                          const std::string& ref,
                                                                          uint16_t cols,
                                                                          uint16_t rows) {
  if (cols == 0 || rows == 0 || cols > 1000 || rows > 1000) {
    return InvalidArgument("terminal size must be between 1 and 1000", "invalid_terminal_size");
  }
  BERTH_ASSIGN_OR_RETURN(auto r, ResolveRunning(p, ref));
  return deps_.host->OpenTerminal(r.id, cols, rows);
}

agent::ReconcileReport SessionService::Reconcile() {
  agent::ReconcileReport total;
  auto all = deps_.store->ListSessions("");
  if (!all.ok()) {
    total.errors.push_back("listing sessions: " + all.status().ToString());
    return total;
  }
  std::set<std::string> live, theirs;
  for (auto& r : *all) {
    // Another manager's: only named as live (so its containers or jobs are
    // not taken for leftovers), never touched.
    if (!Mine(r)) {
      if (!Ended(r.status)) live.insert(r.id);
      theirs.insert(r.id);
      continue;
    }
    const bool cluster_job = !r.job_id.empty();
    if ((r.status == "creating" && !cluster_job) || r.status == "terminating") {
      // Interrupted by a crash: finish the delete.
      Status st = deps_.host->Delete(r.id);
      if (st.ok()) {
        (void)deps_.store->DeleteSession(r.id);
        total.removed.push_back(r.id);
      } else {
        total.errors.push_back(r.id + ": " + st.message());
      }
      continue;
    }
    // Ended by Berth (e.g. share_revoked): its container is gone on purpose
    // and the record only tells the owner why; not a session to adopt.
    if (Ended(r.status)) continue;
    live.insert(r.id);
  }
  agent::ReconcileReport rep = deps_.host->Reconcile(live);
  auto not_mine = [&theirs](const std::string& id) { return theirs.count(id) > 0; };
  std::erase_if(rep.lost, not_mine);  // their containers are elsewhere
  std::erase_if(rep.adopted, not_mine);
  for (const auto& id : rep.lost) {
    auto r = deps_.store->GetSession(id);
    if (r.ok() && Mine(*r) && r->status == "running" && r->job_id.empty()) {
      r->status = "error";
      r->error = "the container stopped while berthd was not running";
      (void)deps_.store->UpdateSession(*r);
    }
  }
  total.adopted = rep.adopted;
  total.lost = rep.lost;
  total.removed.insert(total.removed.end(), rep.removed.begin(), rep.removed.end());
  total.errors.insert(total.errors.end(), rep.errors.begin(), rep.errors.end());
  return total;
}

std::optional<std::string> SessionService::SessionMounting(const std::string& folder_id,
                                                          const std::string& snapshot) {
  auto live = deps_.store->SessionsUsingFolder(folder_id);
  if (!live.ok() || live->empty()) return std::nullopt;
  auto all = deps_.store->ListSessions("");
  if (!all.ok()) return live->front();  // cannot tell which: assume the folder itself
  for (const auto& r : *all) {
    if (std::find(r.folder_ids.begin(), r.folder_ids.end(), folder_id) == r.folder_ids.end()) {
      continue;
    }
    for (const auto& m : MountsOf(r)) {
      if (m.folder_id == folder_id && m.snapshot == snapshot) return r.name;
    }
  }
  return std::nullopt;
}

std::optional<std::string> SessionService::SessionUsing(const std::string& folder_id) {
  auto names = deps_.store->SessionsUsingFolder(folder_id);
  if (!names.ok() || names->empty()) return std::nullopt;
  return names->front();
}

bool SessionService::LostAShare(const Principal& p, const store::SessionRecord& r) {
  for (const auto& mount : MountsOf(r)) {
    auto f = deps_.store->GetFolder(mount.folder_id);
    if (!f.ok() || f->owner_id == p.user_id) continue;
    Access a = deps_.folders->AccessOf(p, *f);
    if (a == Access::kNone || (mount.permission == "rw" && a != Access::kWrite)) return true;
  }
  return false;
}

bool SessionService::End(const std::string& id, const std::string& reason) {
  store::SessionRecord r;
  {
    std::lock_guard lock(mu_);
    auto cur = deps_.store->GetSession(id);
    if (!cur.ok() || cur->status != "running") return false;
    r = std::move(*cur);
    r.status = "terminating";
    if (!deps_.store->UpdateSession(r).ok()) return false;
  }
  Publish(r, "terminating");
  // Delete, not stop: the container, its mounts and the scratch home go; the
  // record stays to tell the owner why.
  Status st = deps_.host->Delete(r.id);
  r.status_reason = reason;
  if (st.ok()) {
    r.status = "terminated";
    r.folder_ids.clear();  // mounts nothing now: no longer blocks folder deletes
  } else {
    r.status = "error";
    r.error = "ending the session failed: " + st.message();
  }
  (void)deps_.store->UpdateSession(r);
  spdlog::info("session {} ({}) ended: {}", r.name, r.id, st.ok() ? reason : r.error);
  Publish(r, r.status);
  return true;
}

void SessionService::OnHostStatus(const std::string& session_id, const std::string& status,
                                  const std::string& reason, const std::string& node) {
  store::SessionRecord r;
  {
    std::lock_guard lock(mu_);
    auto cur = deps_.store->GetSession(session_id);
    // Gone, being deleted, or ended: nothing to record. ("creating" with no
    // job yet: Create records the placement itself, and reads this back.)
    if (!cur.ok() || cur->status == "terminating" || Ended(cur->status)) return;
    // A session does not go back towards pending: the cluster poller's
    // "pending"/"creating" comes from a listing read before its Slurm calls,
    // and may be older than the agent's "running" (bench/cluster: 4 of 200
    // sessions stuck in "creating" with their containers up).
    if (StartRank(status) != 0 && StartRank(status) < StartRank(cur->status)) return;
    r = std::move(*cur);
    if (r.status == status && r.status_reason == reason && (node.empty() || r.node == node)) return;
    r.status = status;
    r.status_reason = reason;
    if (!node.empty()) r.node = node;
    if (status == "running") r.spec_json.clear();  // the agent has it
    if (Ended(status)) {
      r.folder_ids.clear();  // no longer a live mount: its folders are free
      r.spec_json.clear();
      if (status == "error" && r.error.empty()) r.error = reason;
    }
    if (Status st = deps_.store->UpdateSession(r); !st.ok()) {
      spdlog::warn("session {}: recording {} failed: {}", session_id, status, st.ToString());
      return;
    }
  }
  spdlog::info("session {} ({}) is {}{}{}", r.name, r.id, status,
               reason.empty() ? "" : " (" + reason + ")", r.node.empty() ? "" : " on " + r.node);
  Publish(r, status);
}

std::vector<std::string> SessionService::EndSessionsMounting(const std::string& user_id,
                                                             const std::string& folder_id,
                                                             bool rw_only) {
  std::vector<std::string> ended;
  auto recs = deps_.store->ListSessions(user_id);
  if (!recs.ok()) {
    spdlog::error("cannot list sessions of {} to end those mounting {}: {}", user_id, folder_id,
                  recs.status().ToString());
    return ended;
  }
  for (const auto& r : *recs) {
    if (r.status != "running" || !MountsFolder(r, folder_id, rw_only)) continue;
    if (End(r.id, "share_revoked")) ended.push_back(r.name);
  }
  return ended;
}

}  // namespace berth::manager

// SessionService: compute sessions as the manager sees them (SPEC §3):
// takes a request already validated where it entered (agent::
// ValidSessionRequest), looks the image up and resolves the caller's
// folders and automount folders once, plans the mounts once
// (agent::PlanMounts), applies the user's limits (manager/session_limits.h),
// records the session in the Store, and hands the node's SessionAgent a
// complete spec (image, planned mounts, resources) to its SessionHost (this
// host's SessionAgent, or a Slurm job: manager/session_host.h) to run. It
// tears sessions down too, and records what the host reports later (a
// cluster session's job started, its node was lost) as the SessionStatusSink.
// It is also the FolderUseChecker that stops a mounted folder from being
// deleted, the SharedMountRevoker that ends sessions whose share was taken
// away, and it reconciles the Store with the runtime at start-up.
//
// Thread-safe. Create and Delete of one session are serialised by the store
// (unique names) and a per-service lock around state transitions.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/mount_plan.h"
#include "agent/session_agent.h"
#include "agent/session_request.h"
#include "api/types.h"
#include "common/result.h"
#include "manager/event_bus.h"
#include "http/request.h"
#include "manager/exec_slots.h"
#include "manager/folder_service.h"
#include "manager/principal.h"
#include "manager/session_host.h"
#include "manager/session_limits.h"
#include "manager/share_revocation.h"
#include "runtime/container_runtime.h"
#include "store/store.h"

namespace berth::images {
class ImageStore;
}

namespace berth::manager {

struct SessionServiceDeps {
  store::Store* store = nullptr;
  FolderService* folders = nullptr;
  SessionHost* host = nullptr;  // where containers run (manager/session_host.h)
  images::ImageStore* images = nullptr;
  EventBus* events = nullptr;  // optional
  std::string default_image = "python";
  LimitSettings limits;  // the deployment's
  // This manager's name (--manager-name), kept with each session it creates.
  // With several managers on one store each reconciles only its own
  // sessions' containers and runs exec, terminal, logs and delete only for
  // them (the others answer 409 "session_on_other_manager" naming the one
  // to ask). "": the only manager.
  std::string manager_name;
};

class SessionService : public FolderUseChecker,
                       public SharedMountRevoker,
                       public SessionStatusSink {
 public:
  explicit SessionService(SessionServiceDeps deps) : deps_(std::move(deps)) {
    if (deps_.host != nullptr) deps_.host->SetStatusSink(this);
  }

  // Returns once the session runs (on a cluster: once its job is queued,
  // "pending", or started, "creating"); on failure nothing is left behind (no
  // store record, no container). Errors: NotFound "image_not_found", the
  // folder and mount-plan refusals (agent/mount_plan.h), InvalidArgument
  // "limit_exceeded" and PermissionDenied "session_limit"
  // (manager/session_limits.h), AlreadyExists "session_exists", or the
  // agent's/runtime's error.
  Result<api::Session> Create(const Principal& p, const agent::ValidSessionRequest& req);
  // The caller's sessions; a superadmin with `all` sees everyone's.
  Result<std::vector<api::Session>> List(const Principal& p, bool all);
  Result<api::Session> Get(const Principal& p, const std::string& ref);
  // `force` (owner or superadmin, like any delete): also a session that is
  // "terminating" (stuck), and the record goes even when the runtime cleanup
  // fails after its best effort, so its folders are no longer in use; what
  // was left is logged, and start-up reconcile removes it later.
  Status Delete(const Principal& p, const std::string& ref, bool force = false);
  // Holds one of the caller's exec slots while the command runs; past
  // limits.max_execs at once: ResourceExhausted "too_many_execs"
  // (manager/exec_slots.h), superadmins included.
  Result<runtime::ExecResult> Exec(const Principal& p, const std::string& ref,
                                   const runtime::ExecOptions& options);
  // The same checks and slot as Exec, but the command runs on a thread of
  // its own and its output is the returned body, as produced
  // (manager/exec_stream.h). Refusals come before any byte of the body.
  Result<std::unique_ptr<http::LiveBodySource>> StreamExec(const Principal& p,
                                                           const std::string& ref,
                                                           runtime::ExecOptions options);
  Result<std::string> Logs(const Principal& p, const std::string& ref);
  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const Principal& p,
                                                            const std::string& ref,
                                                            uint16_t cols, uint16_t rows);

  // GET /resource-groups: the host's.
  Result<std::vector<api::ResourceGroup>> ResourceGroups() { return deps_.host->ResourceGroups(); }

  // SessionStatusSink: a cluster session's later changes. A session that
  // ended ("lost", "terminated", "error") mounts nothing from then on.
  void OnHostStatus(const std::string& session_id, const std::string& status,
                    const std::string& reason, const std::string& node) override;

  // Start-up: adopt running sessions, mark lost ones as errors, finish
  // interrupted deletes, and remove leftovers of unknown sessions.
  agent::ReconcileReport Reconcile();

  std::optional<std::string> SessionUsing(const std::string& folder_id) override;
  std::optional<std::string> SessionMounting(const std::string& folder_id,
                                             const std::string& snapshot) override;
  // Ended sessions stay listed ("terminated", status_reason "share_revoked")
  // until their owner deletes them, so the user sees why they stopped.
  std::vector<std::string> EndSessionsMounting(const std::string& user_id,
                                               const std::string& folder_id,
                                               bool rw_only) override;

 private:
  Result<store::SessionRecord> Resolve(const Principal& p, const std::string& ref);
  Result<store::SessionRecord> ResolveRunning(const Principal& p, const std::string& ref);
  // Whether this manager runs `r` (its container or agent is here).
  bool Mine(const store::SessionRecord& r) const;
  // FailedPrecondition "session_on_other_manager" unless Mine(r).
  Status CheckMine(const store::SessionRecord& r) const;
  // The notice lines for mounted folders with a quota.
  std::vector<agent::FolderQuotaNote> QuotaNotes(const std::vector<std::string>& folder_ids,
                                                 const agent::MountPlan& plan);
  // Adds the snapshot mount `spec` ("folder@snap", '@' at `at`), read-only.
  Status AddSnapshotMount(const Principal& p, const std::string& spec, size_t at,
                          std::set<std::string>& seen, agent::MountPlanInput& in);
  Result<agent::MountPlanInput> ResolveFolders(const Principal& p,
                                               const agent::SessionRequest& req,
                                               std::vector<std::string>* folder_ids);
  // Applies the limits and inserts `rec` ("creating") under mu_, so that
  // concurrent creates cannot pass the session cap together.
  Result<runtime::Resources> Admit(const Principal& p, const api::SessionResources& requested,
                                   store::SessionRecord& rec, bool named);
  api::Session ToApi(const store::SessionRecord& r);
  void Publish(const store::SessionRecord& r, const std::string& status);
  // Stops running session `id` and records `reason`; false if it was not
  // running (any more).
  bool End(const std::string& id, const std::string& reason);
  // Whether `p` may no longer mount a folder of someone else's as `r` does.
  bool LostAShare(const Principal& p, const store::SessionRecord& r);
  // Checks `options`, resolves the running session (its id into `*id`) and
  // takes one of the caller's exec slots.
  Result<ExecSlots::Slot> AdmitExec(const Principal& p, const std::string& ref,
                                    const runtime::ExecOptions& options, std::string* id);

  SessionServiceDeps deps_;
  std::mutex mu_;  // guards session state transitions
  ExecSlots exec_slots_{deps_.limits.max_execs, deps_.limits.max_execs_total};  // after deps_
};

}  // namespace berth::manager

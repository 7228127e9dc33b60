#include "manager/local_session_host.h"

namespace berth::manager {

namespace {
constexpr const char* kDefaultGroup = "default";
}  // namespace

Result<Placement> LocalSessionHost::Create(const agent::SessionSpec& spec) {
  const agent::SessionRequest& req = spec.request.get();
  if (req.resources.gpus.value_or(0) > 0) {
    return InvalidArgument("this deployment has no GPUs (GPUs need --cluster slurm)",
                           "resources_unavailable");
  }
  if (req.resource_group && *req.resource_group != kDefaultGroup) {
    return InvalidArgument("no resource group named '" + *req.resource_group +
                               "'; see GET /resource-groups",
                           "unknown_resource_group");
  }
  BERTH_ASSIGN_OR_RETURN(agent::SessionInfo info, agent_->Create(spec));
  Placement p;
  p.status = "running";
  p.info = std::move(info);
  return p;
}

Result<std::vector<api::ResourceGroup>> LocalSessionHost::ResourceGroups() {
  api::ResourceGroup g;
  g.name = kDefaultGroup;
  g.is_default = true;
  return std::vector<api::ResourceGroup>{g};
}

}  // namespace berth::manager

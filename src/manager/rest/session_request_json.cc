#include "manager/rest/session_request_json.h"

#include "manager/rest/handler_util.h"

namespace berth::manager {

using nlohmann::json;

namespace {

// A mount is "folder[@snapshot][:target][:ro|rw]", as on the CLI, or
// {folder, snapshot?, target?, permission?}. A snapshot mount is named
// "folder@snapshot" from here on ('@' is in no folder name).
Result<agent::MountRequest> ParseMount(const json& m) {
  if (m.is_string()) return agent::ParseMountSpec(m.get<std::string>());
  if (!m.is_object()) {
    return InvalidArgument("each mount must be an object {folder, target?, permission?}",
                           "invalid_mount");
  }
  for (const auto& [k, v] : m.items()) {
    if (k != "folder" && k != "snapshot" && k != "target" && k != "permission") {
      return InvalidArgument("unknown mount field '" + k + "'", "unknown_field");
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto folder, StringField(m, "folder", true));
  BERTH_ASSIGN_OR_RETURN(auto snapshot, StringField(m, "snapshot", false));
  BERTH_ASSIGN_OR_RETURN(auto target, StringField(m, "target", false));
  BERTH_ASSIGN_OR_RETURN(auto perm, StringField(m, "permission", false));
  if (snapshot) *folder += "@" + *snapshot;
  return agent::MountRequest{*folder, target.value_or(""), perm.value_or("")};
}

Status ParseResources(const json& j, api::SessionResources* out) {
  if (!j.is_object()) return InvalidArgument("resources must be an object", "invalid_field");
  for (const auto& [k, v] : j.items()) {
    if (k == "cpu") {
      BERTH_ASSIGN_OR_RETURN(out->cpu,
                             NumberValue(v, "resources.cpu", kMaxJsonCpus, "invalid_resources"));
    } else if (k == "gpus") {
      BERTH_ASSIGN_OR_RETURN(uint64_t gpus, UintValue(v, "resources.gpus", agent::kMaxGpus,
                                                      "invalid_resources"));
      out->gpus = static_cast<uint32_t>(gpus);
    } else if (k == "memory_bytes" || k == "memory") {
      BERTH_ASSIGN_OR_RETURN(out->memory_bytes,
                             UintValue(v, "resources." + k, kMaxJsonUint, "invalid_resources"));
    } else {
      return InvalidArgument("unknown resources field '" + k + "'", "unknown_field");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<agent::ValidSessionRequest> ParseSessionRequest(const http::Request& req) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseJsonObject(req, {"name", "image", "mounts", "automount",
                                                       "resources", "resource_group", "env"}));
  agent::SessionRequest out;
  BERTH_ASSIGN_OR_RETURN(out.name, StringField(j, "name", false));
  BERTH_ASSIGN_OR_RETURN(out.image, StringField(j, "image", false));
  BERTH_ASSIGN_OR_RETURN(out.resource_group, StringField(j, "resource_group", false));
  BERTH_ASSIGN_OR_RETURN(auto automount, BoolField(j, "automount"));
  out.automount = automount.value_or(true);
  if (auto it = j.find("mounts"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("mounts must be a list", "invalid_field");
    for (const auto& m : *it) {
      BERTH_ASSIGN_OR_RETURN(auto mount, ParseMount(m));
      out.mounts.push_back(std::move(mount));
    }
  }
  if (auto it = j.find("resources"); it != j.end() && !it->is_null()) {
    BERTH_RETURN_IF_ERROR(ParseResources(*it, &out.resources));
  }
  if (auto it = j.find("env"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("env must be an object of strings", "invalid_env");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return InvalidArgument("env values must be strings", "invalid_env");
      out.env[k] = v.get<std::string>();
    }
  }
  return agent::ValidateSessionRequest(std::move(out));
}

}  // namespace berth::manager

#include "api/json.h"

#include "api/error_mapping.h"
#include "api/raw_name.h"

namespace berth::api {

using nlohmann::json;

template <typename T>
static void GetOpt(const json& j, const char* key, std::optional<T>& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) out = it->get<T>();
}

void to_json(json& j, const Usage& v) {
  j = json{{"bytes", v.bytes}, {"files", nullptr}, {"dirs", nullptr}};
  if (v.counted) {
    j["files"] = v.files;
    j["dirs"] = v.dirs;
  }
}
void from_json(const json& j, Usage& v) {
  v.bytes = j.value("bytes", uint64_t{0});
  auto files = j.find("files");
  v.counted = files != j.end() && !files->is_null();
  v.files = v.counted ? files->get<uint64_t>() : 0;
  v.dirs = v.counted ? j.value("dirs", uint64_t{0}) : 0;
}

void to_json(json& j, const Folder& v) {
  j = json{{"id", v.id},           {"name", v.name},
           {"volume", v.volume},   {"owner", v.owner},
           {"permission", v.permission}, {"status", v.status},
           {"created_at", v.created_at}, {"automount", v.automount},
           {"quota_bytes", nullptr}};
  if (v.quota_bytes) j["quota_bytes"] = *v.quota_bytes;
  if (v.trashed_at) j["trashed_at"] = *v.trashed_at;
  if (v.usage) j["usage"] = *v.usage;
  j["snapshot_schedule"] = nullptr;
  if (v.snapshot_schedule) {
    j["snapshot_schedule"] = {{"every_s", v.snapshot_schedule->every_s},
                              {"keep", v.snapshot_schedule->keep}};
  }
}
void from_json(const json& j, Folder& v) {
  v.id = j.value("id", "");
  v.name = j.value("name", "");
  v.volume = j.value("volume", "");
  v.owner = j.value("owner", "");
  v.permission = j.value("permission", "");
  v.status = j.value("status", "");
  v.created_at = j.value("created_at", "");
  v.automount = j.value("automount", false);
  GetOpt(j, "trashed_at", v.trashed_at);
  GetOpt(j, "quota_bytes", v.quota_bytes);
  GetOpt(j, "usage", v.usage);
}

void PutName(json& j, const std::string& key, const std::string& bytes) {
  if (IsValidUtf8(bytes)) {
    j[key] = bytes;
    return;
  }
  j[key] = DisplayName(bytes);
  j[key + "_raw"] = EncodeRawName(bytes);
}
// The bytes of j[key]: from j[key + "_raw"] when present.
static std::string GetName(const json& j, const std::string& key) {
  if (auto it = j.find(key + "_raw"); it != j.end() && it->is_string()) {
    if (auto bytes = DecodeRawName(it->get<std::string>())) return *bytes;
  }
  return j.value(key, "");
}

void to_json(json& j, const FileEntry& v) {
  j = json{{"type", v.type}, {"size", v.size}, {"mtime", v.mtime}, {"mode", v.mode}};
  PutName(j, "name", v.name);
}
void from_json(const json& j, FileEntry& v) {
  v.name = GetName(j, "name");
  v.type = j.value("type", "");
  v.size = j.value("size", uint64_t{0});
  v.mtime = j.value("mtime", int64_t{0});
  v.mode = j.value("mode", uint32_t{0});
}

void to_json(json& j, const FileList& v) {
  j = json{{"entries", v.entries}, {"next", nullptr}};
  PutName(j, "path", v.path);
  if (v.next) PutName(j, "next", *v.next);
}
void from_json(const json& j, FileList& v) {
  v.path = GetName(j, "path");
  v.entries = j.value("entries", std::vector<FileEntry>{});
  if (auto it = j.find("next"); it != j.end() && !it->is_null()) v.next = GetName(j, "next");
}

void to_json(json& j, const User& v) {
  j = json{{"id", v.id},   {"name", v.name}, {"role", v.role},
           {"sudo_allowed", v.sudo_allowed}, {"uid", v.uid},
           {"gid", v.gid}, {"created_at", v.created_at}, {"limits", v.limits},
           {"quota_bytes", nullptr}, {"used_bytes", v.used_bytes}};
  if (v.quota_bytes) j["quota_bytes"] = *v.quota_bytes;
}
void from_json(const json& j, User& v) {
  v.id = j.value("id", "");
  v.name = j.value("name", "");
  v.role = j.value("role", "");
  v.sudo_allowed = j.value("sudo_allowed", false);
  v.uid = j.value("uid", uint32_t{1000});
  v.gid = j.value("gid", uint32_t{1000});
  v.created_at = j.value("created_at", "");
  if (j.contains("limits") && j["limits"].is_object()) v.limits = j["limits"].get<UserLimits>();
  GetOpt(j, "quota_bytes", v.quota_bytes);
  v.used_bytes = j.value("used_bytes", uint64_t{0});
}

void to_json(json& j, const UserLimits& v) {
  j = json{{"max_sessions", nullptr}, {"max_cpu", nullptr}, {"max_memory_bytes", nullptr},
           {"max_pids", nullptr}};
  if (v.max_sessions) j["max_sessions"] = *v.max_sessions;
  if (v.max_cpu) j["max_cpu"] = *v.max_cpu;
  if (v.max_memory_bytes) j["max_memory_bytes"] = *v.max_memory_bytes;
  if (v.max_pids) j["max_pids"] = *v.max_pids;
}
void from_json(const json& j, UserLimits& v) {
  GetOpt(j, "max_sessions", v.max_sessions);
  GetOpt(j, "max_cpu", v.max_cpu);
  GetOpt(j, "max_memory_bytes", v.max_memory_bytes);
  GetOpt(j, "max_pids", v.max_pids);
}

void to_json(json& j, const Token& v) {
  j = json{{"id", v.id}, {"label", v.label}, {"created_at", v.created_at},
           {"last_used_at", nullptr}};
  if (v.last_used_at) j["last_used_at"] = *v.last_used_at;
}
void from_json(const json& j, Token& v) {
  v.id = j.value("id", "");
  v.label = j.value("label", "");
  v.created_at = j.value("created_at", "");
  GetOpt(j, "last_used_at", v.last_used_at);
}

void to_json(json& j, const Volume& v) {
  j = json{{"name", v.name},
           {"path", v.path},
           {"kind", v.kind},
           {"capabilities",
            {{"kernel_quota", v.capabilities.kernel_quota},
             {"instant_clone", v.capabilities.instant_clone},
             {"snapshots", v.capabilities.snapshots}}},
           {"capacity_bytes", v.capacity_bytes},
           {"free_bytes", v.free_bytes}};
}
void from_json(const json& j, Volume& v) {
  v.name = j.value("name", "");
  v.path = j.value("path", "");
  v.kind = j.value("kind", "");
  if (auto c = j.find("capabilities"); c != j.end() && c->is_object()) {
    v.capabilities.kernel_quota = c->value("kernel_quota", false);
    v.capabilities.instant_clone = c->value("instant_clone", false);
    v.capabilities.snapshots = c->value("snapshots", false);
  }
  v.capacity_bytes = j.value("capacity_bytes", uint64_t{0});
  v.free_bytes = j.value("free_bytes", uint64_t{0});
}

void to_json(json& j, const SessionMount& v) {
  j = json{{"folder", v.folder}, {"folder_id", v.folder_id}, {"target", v.target},
           {"permission", v.permission}, {"automount", v.automount}};
  if (!v.snapshot.empty()) j["snapshot"] = v.snapshot;
}
void from_json(const json& j, SessionMount& v) {
  v.folder = j.value("folder", "");
  v.folder_id = j.value("folder_id", "");
  v.target = j.value("target", "");
  v.permission = j.value("permission", "");
  v.automount = j.value("automount", false);
  v.snapshot = j.value("snapshot", "");
}

void to_json(json& j, const Snapshot& v) {
  j = json{{"name", v.name}, {"created_at", v.created_at}, {"exclusive_bytes", nullptr},
           {"scheduled", v.scheduled}};
  if (v.exclusive_bytes) j["exclusive_bytes"] = *v.exclusive_bytes;
}

void to_json(json& j, const SessionResources& v) {
  j = json{{"cpu", nullptr}, {"memory_bytes", nullptr}};
  if (v.cpu) j["cpu"] = *v.cpu;
  if (v.memory_bytes) j["memory_bytes"] = *v.memory_bytes;
  if (v.gpus) j["gpus"] = *v.gpus;
}
void from_json(const json& j, SessionResources& v) {
  GetOpt(j, "cpu", v.cpu);
  GetOpt(j, "memory_bytes", v.memory_bytes);
  GetOpt(j, "gpus", v.gpus);
}

void to_json(json& j, const Session& v) {
  j = json{{"id", v.id},         {"name", v.name},
           {"owner", v.owner},   {"image", v.image},
           {"status", v.status}, {"created_at", v.created_at},
           {"mounts", v.mounts}, {"persistent_paths", v.persistent_paths},
           {"resources", v.resources}};
  if (!v.error.empty()) j["error"] = v.error;
  if (!v.status_reason.empty()) j["status_reason"] = v.status_reason;
  if (!v.network_ip.empty()) j["network"] = {{"ip", v.network_ip}};
  j["node"] = v.node.empty() ? json(nullptr) : json(v.node);
  if (!v.resource_group.empty()) j["resource_group"] = v.resource_group;
}
void from_json(const json& j, Session& v) {
  v.id = j.value("id", "");
  v.name = j.value("name", "");
  v.owner = j.value("owner", "");
  v.image = j.value("image", "");
  v.status = j.value("status", "");
  v.error = j.value("error", "");
  v.status_reason = j.value("status_reason", "");
  v.created_at = j.value("created_at", "");
  v.mounts = j.value("mounts", std::vector<SessionMount>{});
  v.persistent_paths = j.value("persistent_paths", std::vector<std::string>{});
  if (j.contains("resources")) v.resources = j["resources"].get<SessionResources>();
  if (j.contains("network") && j["network"].is_object()) v.network_ip = j["network"].value("ip", "");
  if (j.contains("node") && j["node"].is_string()) v.node = j["node"].get<std::string>();
  v.resource_group = j.value("resource_group", "");
}

void to_json(json& j, const ResourceGroup& v) {
  j = json{{"name", v.name}, {"default", v.is_default}, {"up", v.up},
           {"cpus", v.cpus}, {"nodes", v.nodes},        {"max_time_s", v.max_time_s}};
}
void from_json(const json& j, ResourceGroup& v) {
  v.name = j.value("name", "");
  v.is_default = j.value("default", false);
  v.up = j.value("up", true);
  v.cpus = j.value("cpus", 0);
  v.nodes = j.value("nodes", 0);
  v.max_time_s = j.value("max_time_s", int64_t{0});
}

void to_json(json& j, const Image& v) {
  j = json{{"name", v.name},     {"created_at", v.created_at}, {"size_bytes", v.size_bytes},
           {"source", v.source}, {"digest", v.digest},         {"description", v.description}};
}
void from_json(const json& j, Image& v) {
  v.name = j.value("name", "");
  v.created_at = j.value("created_at", "");
  v.size_bytes = j.value("size_bytes", uint64_t{0});
  v.source = j.value("source", "");
  v.digest = j.value("digest", "");
  v.description = j.value("description", "");
}

json ErrorJson(const Status& s) {
  ErrorCodeParts parts = SplitErrorCode(s);
  json j{{"error", {{"code", parts.code}, {"message", s.message()}}}};
  if (parts.available_bytes) j["error"]["available_bytes"] = *parts.available_bytes;
  return j;
}

}  // namespace berth::api

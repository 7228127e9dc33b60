// The wire form of agent::SessionSpec (remote/agent_hub.h): one JSON object
// whose keys mirror the struct fields. Every field is written; on decode a
// missing key takes the struct's default and a key of the wrong JSON type is
// InvalidArgument naming it ("spec.mounts.mounts[2].read_only must be a
// boolean"). Dotfile contents are base64 ("content_base64"). The request is re-validated (ValidateSessionRequest), since a
// ValidSessionRequest can only come from there; policy (volume roots, uid 0)
// stays the agent's.
#include <cmath>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/exec_ndjson.h"
#include "images/image_manifest.h"
#include "remote/agent_hub.h"

namespace berth::remote {
namespace {

using nlohmann::json;

json EncodeMountPlan(const agent::MountPlan& plan) {
  json mounts = json::array();
  for (const auto& m : plan.mounts) {
    mounts.push_back({{"folder", m.folder},
                      {"host_path", m.host_path},
                      {"target", m.target},
                      {"read_only", m.read_only},
                      {"automount", m.automount}});
  }
  return {{"mounts", std::move(mounts)},
          {"persistent_paths", plan.persistent_paths},
          {"path_prepend", plan.path_prepend},
          {"brew_prefix", plan.brew_prefix}};
}

json EncodeRequest(const agent::SessionRequest& r) {
  json j = json::object();
  if (r.name) j["name"] = *r.name;
  if (r.image) j["image"] = *r.image;
  json mounts = json::array();
  for (const auto& m : r.mounts) {
    mounts.push_back({{"folder", m.folder}, {"target", m.target}, {"permission", m.permission}});
  }
  j["mounts"] = std::move(mounts);
  j["automount"] = r.automount;
  json res = json::object();
  if (r.resources.cpu) res["cpu"] = *r.resources.cpu;
  if (r.resources.memory_bytes) res["memory_bytes"] = *r.resources.memory_bytes;
  j["resources"] = std::move(res);
  j["env"] = r.env;
  return j;
}

json EncodeResources(const runtime::Resources& r) {
  json j = json::object();
  if (r.cpus) j["cpus"] = *r.cpus;
  if (r.memory_bytes) j["memory_bytes"] = *r.memory_bytes;
  if (r.pids_limit) j["pids_limit"] = *r.pids_limit;
  if (r.scratch_bytes) j["scratch_bytes"] = *r.scratch_bytes;
  return j;
}

// The image manifest's own form (images/image_manifest.h) plus the rootfs,
// which the manifest leaves out (it is where the image lies on the host).
json EncodeImage(const images::ImageInfo& i) {
  json j = json::parse(images::FormatImageManifest(i));
  j["rootfs"] = i.rootfs;
  return j;
}

// Decoding: a field of the wrong type throws BadField, which
// DecodeSessionSpec turns into InvalidArgument. Only this file throws it.
struct BadField {
  std::string path;
  std::string want;
};

// A view of one JSON object at `path`, reading its fields with type checks.
class Obj {
 public:
  Obj(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) throw BadField{path_, "an object"};
  }

  // nullptr when absent (or null: the default).
  const json* Find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string Path(const std::string& key) const { return path_ + "." + key; }

  void Get(const char* key, std::string& out) const {
    if (const json* v = Find(key)) out = AsString(*v, Path(key));
  }
  void Get(const char* key, std::optional<std::string>& out) const {
    if (const json* v = Find(key)) out = AsString(*v, Path(key));
  }
  void Get(const char* key, bool& out) const {
    if (const json* v = Find(key)) {
      if (!v->is_boolean()) throw BadField{Path(key), "a boolean"};
      out = v->get<bool>();
    }
  }
  template <typename U>
    requires std::is_unsigned_v<U>
  void Get(const char* key, U& out) const {
    if (const json* v = Find(key)) out = AsUnsigned<U>(*v, Path(key));
  }
  template <typename U>
    requires std::is_unsigned_v<U>
  void Get(const char* key, std::optional<U>& out) const {
    if (const json* v = Find(key)) out = AsUnsigned<U>(*v, Path(key));
  }
  void Get(const char* key, std::optional<int64_t>& out) const {
    if (const json* v = Find(key)) {
      if (!v->is_number_integer()) throw BadField{Path(key), "an integer"};
      out = v->get<int64_t>();
    }
  }
  void Get(const char* key, std::optional<double>& out) const {
    if (const json* v = Find(key)) {
      if (!v->is_number()) throw BadField{Path(key), "a number"};
      out = v->get<double>();
    }
  }
  void Get(const char* key, std::vector<std::string>& out) const {
    const json* v = Find(key);
    if (!v) return;
    if (!v->is_array()) throw BadField{Path(key), "an array of strings"};
    out.clear();
    for (size_t i = 0; i < v->size(); ++i) {
      out.push_back(AsString((*v)[i], Path(key) + "[" + std::to_string(i) + "]"));
    }
  }
  void Get(const char* key, std::map<std::string, std::string>& out) const {
    const json* v = Find(key);
    if (!v) return;
    if (!v->is_object()) throw BadField{Path(key), "an object of strings"};
    out.clear();
    for (const auto& [k, val] : v->items()) out[k] = AsString(val, Path(key) + "." + k);
  }
  // Each element of the array `key` as an Obj.
  template <typename F>
  void Each(const char* key, F f) const {
    const json* v = Find(key);
    if (!v) return;
    if (!v->is_array()) throw BadField{Path(key), "an array"};
    for (size_t i = 0; i < v->size(); ++i) {
      f(Obj((*v)[i], Path(key) + "[" + std::to_string(i) + "]"));
    }
  }
  // The object `key`; an empty one when absent.
  Obj Child(const char* key) const {
    static const json kEmpty = json::object();
    const json* v = Find(key);
    return Obj(v ? *v : kEmpty, Path(key));
  }

 private:
  static std::string AsString(const json& v, const std::string& path) {
    if (!v.is_string()) throw BadField{path, "a string"};
    return v.get<std::string>();
  }
  template <typename U>
  static U AsUnsigned(const json& v, const std::string& path) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() > std::numeric_limits<U>::max()) {
      throw BadField{path, "a non-negative integer up to " +
                               std::to_string(std::numeric_limits<U>::max())};
    }
    return static_cast<U>(v.get<uint64_t>());
  }

  const json& j_;
  std::string path_;
};

agent::MountPlan DecodeMountPlan(const Obj& o) {
  agent::MountPlan plan;
  o.Each("mounts", [&plan](const Obj& m) {
    agent::PlannedMount pm;
    m.Get("folder", pm.folder);
    m.Get("host_path", pm.host_path);
    m.Get("target", pm.target);
    m.Get("read_only", pm.read_only);
    m.Get("automount", pm.automount);
    plan.mounts.push_back(std::move(pm));
  });
  o.Get("persistent_paths", plan.persistent_paths);
  o.Get("path_prepend", plan.path_prepend);
  o.Get("brew_prefix", plan.brew_prefix);
  return plan;
}

agent::SessionRequest DecodeRequest(const Obj& o) {
  agent::SessionRequest r;
  o.Get("name", r.name);
  o.Get("image", r.image);
  o.Each("mounts", [&r](const Obj& m) {
    agent::MountRequest mr;
    m.Get("folder", mr.folder);
    m.Get("target", mr.target);
    m.Get("permission", mr.permission);
    r.mounts.push_back(std::move(mr));
  });
  o.Get("automount", r.automount);
  Obj res = o.Child("resources");
  res.Get("cpu", r.resources.cpu);
  res.Get("memory_bytes", r.resources.memory_bytes);
  o.Get("env", r.env);
  return r;
}

runtime::Resources DecodeResources(const Obj& o) {
  runtime::Resources r;
  o.Get("cpus", r.cpus);
  o.Get("memory_bytes", r.memory_bytes);
  o.Get("pids_limit", r.pids_limit);
  o.Get("scratch_bytes", r.scratch_bytes);
  return r;
}

images::ImageInfo DecodeImage(const Obj& o) {
  images::ImageInfo i;
  o.Get("name", i.name);
  o.Get("rootfs", i.rootfs);
  o.Get("created_at", i.created_at);
  o.Get("size_bytes", i.size_bytes);
  o.Get("digest", i.digest);
  o.Get("source", i.source);
  o.Get("description", i.description);
  o.Get("skeleton", i.skeleton);
  o.Get("uid", i.uid);
  o.Get("gid", i.gid);
  o.Get("env", i.env);
  o.Each("apps", [&i](const Obj& a) {
    images::AppSpec app;
    a.Get("name", app.name);
    a.Get("display_name", app.display_name);
    a.Get("port", app.port);
    a.Get("command", app.command);
    i.apps.push_back(std::move(app));
  });
  return i;
}

}  // namespace

std::string EncodeSessionSpec(const agent::SessionSpec& spec) {
  json quotas = json::array();
  for (const auto& q : spec.quotas) {
    json jq = {{"target", q.target},
               {"quota_bytes", q.quota_bytes},
               {"kernel_enforced", q.kernel_enforced}};
    if (q.used_bytes) jq["used_bytes"] = *q.used_bytes;
    quotas.push_back(std::move(jq));
  }
  json dotfiles = json::array();
  for (const auto& d : spec.dotfiles) {
    dotfiles.push_back({{"path", d.path}, {"mode", d.mode}, {"content_base64", api::Base64Encode(d.content)}});
  }
  json j = {{"id", spec.id},
            {"name", spec.name},
            {"owner", spec.owner},
            {"request", EncodeRequest(spec.request.get())},
            {"resources", EncodeResources(spec.resources)},
            {"image", EncodeImage(spec.image)},
            {"mounts", EncodeMountPlan(spec.mounts)},
            {"quotas", std::move(quotas)},
            {"uid", spec.uid},
            {"gid", spec.gid},
            {"sudo_allowed", spec.sudo_allowed},
            {"dotfiles", std::move(dotfiles)},
            {"python_user_base_per_version", spec.python_user_base_per_version}};
  // Dotfile contents travel as base64 (the user's bytes, not always
  // UTF-8); every other string came in through JSON already.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<agent::SessionSpec> DecodeSessionSpec(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("session spec: not JSON", "invalid_spec");
  try {
    Obj o(j, "spec");
    auto request = agent::ValidateSessionRequest(DecodeRequest(o.Child("request")));
    if (!request.ok()) {
      return InvalidArgument("session spec: " + request.status().message(), "invalid_spec");
    }
    agent::SessionSpec spec(std::move(*request));
    o.Get("id", spec.id);
    o.Get("name", spec.name);
    o.Get("owner", spec.owner);
    spec.resources = DecodeResources(o.Child("resources"));
    spec.image = DecodeImage(o.Child("image"));
    spec.mounts = DecodeMountPlan(o.Child("mounts"));
    o.Each("quotas", [&spec](const Obj& q) {
      agent::FolderQuotaNote n;
      q.Get("target", n.target);
      q.Get("quota_bytes", n.quota_bytes);
      q.Get("used_bytes", n.used_bytes);
      q.Get("kernel_enforced", n.kernel_enforced);
      spec.quotas.push_back(std::move(n));
    });
    o.Get("uid", spec.uid);
    o.Get("gid", spec.gid);
    o.Get("sudo_allowed", spec.sudo_allowed);
    o.Each("dotfiles", [&spec](const Obj& d) {
      agent::Dotfile f;
      d.Get("path", f.path);
      d.Get("mode", f.mode);
      std::string b64;
      d.Get("content_base64", b64);
      auto content = api::Base64Decode(b64);
      if (!content.ok()) throw BadField{d.Path("content_base64"), "base64"};
      f.content = std::move(*content);
      spec.dotfiles.push_back(std::move(f));
    });
    o.Get("python_user_base_per_version", spec.python_user_base_per_version);
    return spec;
  } catch (const BadField& e) {
    return InvalidArgument("session spec: " + e.path + " must be " + e.want, "invalid_spec");
  }
}

}  // namespace berth::remote

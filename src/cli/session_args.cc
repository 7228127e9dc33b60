#include "cli/session_args.h"

#include <nlohmann/json.hpp>

#include "cli/size.h"

namespace berth::cli {

namespace {

bool IsPermission(std::string_view s) { return s == "ro" || s == "rw"; }

}  // namespace

Result<MountSpec> ParseMountSpec(std::string_view spec) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid mount '" + std::string(spec) + "': " + why +
                           " (expected FOLDER[:TARGET][:ro|rw])");
  };
  MountSpec m;
  size_t colon = spec.find(':');
  m.folder = std::string(spec.substr(0, colon));
  if (m.folder.empty()) return bad("no folder name");
  if (colon == std::string_view::npos) return m;
  std::string_view rest = spec.substr(colon + 1);
  if (IsPermission(rest)) {
    m.permission = std::string(rest);
    return m;
  }
  if (rest.size() >= 3 && rest[rest.size() - 3] == ':' &&
      IsPermission(rest.substr(rest.size() - 2))) {
    m.permission = std::string(rest.substr(rest.size() - 2));
    rest.remove_suffix(3);
  }
  if (rest.empty()) return bad("empty target");
  m.target = std::string(rest);
  return m;
}

Result<std::pair<std::string, std::string>> ParseEnvAssignment(std::string_view assignment) {
  size_t eq = assignment.find('=');
  std::string_view key = assignment.substr(0, eq);
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid --env '" + std::string(assignment) + "': " + why);
  };
  if (eq == std::string_view::npos) return bad("expected K=V");
  if (key.empty()) return bad("empty variable name");
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) {
      return bad("a variable name has letters, digits and '_' and does not start with a digit");
    }
  }
  return std::make_pair(std::string(key), std::string(assignment.substr(eq + 1)));
}

bool IsValidSessionName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
    if (!ok) return false;
  }
  return true;
}

Result<std::string> SessionCreateBody(const SessionCreateArgs& args) {
  nlohmann::json body = nlohmann::json::object();
  if (!args.name.empty()) {
    if (!IsValidSessionName(args.name)) {
      return InvalidArgument("invalid session name '" + args.name +
                             "': use 1-63 lower-case letters, digits and '-', starting with a "
                             "letter or digit");
    }
    body["name"] = args.name;
  }
  if (!args.image.empty()) body["image"] = args.image;
  nlohmann::json mounts = nlohmann::json::array();
  for (const std::string& spec : args.mounts) {
    BERTH_ASSIGN_OR_RETURN(MountSpec m, ParseMountSpec(spec));
    nlohmann::json j{{"folder", m.folder}};
    if (m.target) j["target"] = *m.target;
    if (m.permission) j["permission"] = *m.permission;
    mounts.push_back(std::move(j));
  }
  body["mounts"] = std::move(mounts);
  if (args.no_automount) body["automount"] = false;
  nlohmann::json resources = nlohmann::json::object();
  if (args.cpu) {
    if (!(*args.cpu > 0) || *args.cpu > 1024) {
      return InvalidArgument("--cpu must be a positive number of CPUs");
    }
    resources["cpu"] = *args.cpu;
  }
  if (!args.memory.empty()) {
    Result<uint64_t> bytes = ParseSize(args.memory);
    if (!bytes.ok()) return InvalidArgument("--memory: " + bytes.status().message());
    if (*bytes == 0) return InvalidArgument("--memory must be more than 0");
    resources["memory_bytes"] = *bytes;
  }
  if (args.gpus) {
    if (*args.gpus < 0 || *args.gpus > 64) return InvalidArgument("--gpus must be 0 to 64");
    resources["gpus"] = *args.gpus;
  }
  if (!resources.empty()) body["resources"] = std::move(resources);
  if (!args.resource_group.empty()) body["resource_group"] = args.resource_group;
  if (!args.env.empty()) {
    nlohmann::json env = nlohmann::json::object();
    for (const std::string& a : args.env) {
      BERTH_ASSIGN_OR_RETURN(auto kv, ParseEnvAssignment(a));
      env[kv.first] = kv.second;  // the last one wins
    }
    body["env"] = std::move(env);
  }
  return body.dump();
}

}  // namespace berth::cli

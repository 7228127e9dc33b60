// Parsing of `berth session create` arguments into the POST /sessions body
// (SPEC §3, §5): mount specs, --env assignments, --cpu and --memory. Pure
// functions; thread-safe. Only the syntax is checked here; the server judges
// folders, targets and permissions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace berth::cli {

// One -m/--mount: FOLDER[:TARGET][:ro|rw].
struct MountSpec {
  std::string folder;
  std::optional<std::string> target;      // absolute, or relative to /home/work
  std::optional<std::string> permission;  // "ro" or "rw"
  bool operator==(const MountSpec&) const = default;
};

// Splits at the first ':' (folder names never contain one). What follows is
// a permission if it is exactly "ro" or "rw"; otherwise a target, which may
// itself end in ":ro" or ":rw". "data" → {data}; "data:ro" → {data, -, ro};
// "data:/mnt/d:rw" → {data, /mnt/d, rw}; "data:sub" → {data, sub, -}.
// InvalidArgument for an empty folder or target ("", ":x", "data:", "data::ro").
Result<MountSpec> ParseMountSpec(std::string_view spec);

// "K=V" → {K, V}; V may be empty or contain '='. K must be a shell-style
// variable name ([A-Za-z_][A-Za-z0-9_]*).
Result<std::pair<std::string, std::string>> ParseEnvAssignment(std::string_view assignment);

// Session names: [a-z0-9][a-z0-9-]{0,62}.
bool IsValidSessionName(std::string_view name);

struct SessionCreateArgs {
  std::string name;   // "" → the server picks one
  std::string image;  // "" → the server's default image
  std::vector<std::string> mounts;
  bool no_automount = false;
  std::optional<double> cpu;
  std::string memory;  // SIZE, "" → unset
  std::optional<int> gpus;     // --gpus N (a cluster's GPUs)
  std::string resource_group;  // --resource-group G, "" → the default one
  std::vector<std::string> env;
};

// Validates the arguments and returns the JSON body of POST /sessions.
// InvalidArgument (a usage error) on any bad argument.
Result<std::string> SessionCreateBody(const SessionCreateArgs& args);

}  // namespace berth::cli

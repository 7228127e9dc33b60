// DaemonConfig: berthd's settings, from (lowest to highest precedence)
// built-in defaults, the TOML file given by --config, BERTH_* environment
// variables, and command-line flags (applied by cmd/berthd_main.cc).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "manager/session_limits.h"

namespace berth::manager {

struct DaemonConfig {
  std::string data_dir;  // see DefaultDataDir
  std::string listen = "127.0.0.1:8470";
  std::string runtime = "runc";  // "runc" | "docker"
  std::string docker_socket = "/var/run/docker.sock";
  std::string default_image = "python";
  std::string log_level = "info";
  std::string images_dir;   // default <data_dir>/images
  std::string recipes_dir;  // default: the repo's recipes/ next to the binary
  std::string web_root;     // default: the repo's web/dist next to the binary
  std::string runc_root = "/run/berth/runc";
  uint32_t container_uid = 1000;
  uint32_t container_gid = 1000;
  // Session limits (SPEC §3 "Limits"; docs/operations.md).
  LimitSettings limits;
};

// /var/lib/berth as root; else $XDG_DATA_HOME/berth or ~/.local/share/berth.
std::string DefaultDataDir();

// Reads keys data_dir, listen, runtime, docker_socket, default_image,
// log_level, container_uid, container_gid and the limits (default_cpu,
// max_cpu, default_memory_bytes, max_memory_bytes, default_pids, max_pids,
// max_sessions_per_user, container_log_max_bytes) from a TOML file over `cfg`.
// Unknown keys are an error (a typo must not be silently ignored).
Status LoadConfigFile(const std::string& path, DaemonConfig& cfg);
// Applies BERTH_DATA_DIR, BERTH_LISTEN, BERTH_RUNTIME, BERTH_LOG_LEVEL.
void ApplyEnvironment(DaemonConfig& cfg);

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
// "HOST:PORT" or "[v6]:PORT".
Result<ListenAddress> ParseListen(const std::string& s);

}  // namespace berth::manager

// How a node's session machinery is put together, shared by the
// all-in-one berthd and `berthd node-agent` (so a session on a cluster node
// gets the same runc driver, session network and limits as on one host):
// the runc driver's options and the session network's, from the settings
// both take.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/bridge_network.h"
#include "runtime/runc_runtime.h"

namespace berth::remote {

struct NodeSettings {
  std::string data_dir;  // the node's own data dir
  std::string runc_root = "/run/berth/runc";
  uint32_t userns_base = 100000;
  uint32_t userns_size = 65536;  // 0: no user namespaces
  uint64_t container_log_max_bytes = uint64_t{8} << 20;
  std::string session_bridge;  // "" → net's default
  std::string session_subnet;  // "" → net's default
  std::vector<std::string> session_dns;  // as the flags give them (comma lists allowed)
};

runtime::RuncOptions RuncOptionsFor(const NodeSettings& s);
net::BridgeNetworkOptions NetworkOptionsFor(const NodeSettings& s);

}  // namespace berth::remote

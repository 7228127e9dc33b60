#include "remote/node_setup.h"

#include "net/resolv_conf.h"

namespace berth::remote {

runtime::RuncOptions RuncOptionsFor(const NodeSettings& s) {
  runtime::RuncOptions o;
  o.state_dir = s.runc_root;
  o.bundles_dir = s.data_dir + "/containers";
  o.userns.reset();
  if (s.userns_size > 0) o.userns = runtime::IdRange{s.userns_base, s.userns_size};
  o.log_max_bytes = s.container_log_max_bytes;
  return o;
}

net::BridgeNetworkOptions NetworkOptionsFor(const NodeSettings& s) {
  net::BridgeNetworkOptions o;
  o.state_dir = s.data_dir + "/network";
  if (!s.session_bridge.empty()) o.bridge = s.session_bridge;
  if (!s.session_subnet.empty()) o.subnet = s.session_subnet;
  o.dns = net::SplitDnsList(s.session_dns);
  return o;
}

}  // namespace berth::remote

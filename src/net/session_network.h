// SessionNetwork: gives each session its own network namespace a way out
// (SPEC §3 "Network"). The container runtime makes the namespace (runc: a
// `network` namespace in config.json, owned by the session's user namespace;
// Docker: NetworkMode "none"); the agent then attaches it here, by path
// (/proc/<pid>/ns/net), before the session is reported running.
//
// The one implementation is BridgeSessionNetwork (net/bridge_network.h): a
// bridge and a veth per session wired in-process over rtnetlink
// (net/link_wiring.h), host-local-compatible address leases
// (net/lease_store.h), plus Berth's own firewall chains (net/firewall.h).
//
// Thread-safety: implementations are safe for concurrent calls on
// different session ids.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace berth::net {

struct Attachment {
  std::string ip;         // the session's IPv4 address, e.g. "10.213.0.5"
  std::string host_veth;  // the host end of its veth pair, a port of the bridge
};

class SessionNetwork {
 public:
  virtual ~SessionNetwork() = default;

  // The /etc/resolv.conf every session gets (bound read-only).
  virtual const std::string& ResolvConf() const = 0;

  // Wires the namespace at `netns_path` for session `id` (lo is up already): a
  // veth to the bridge, an address, the default route. On failure nothing
  // is left allocated.
  virtual Result<Attachment> Attach(const std::string& id, const std::string& netns_path) = 0;

  // Releases what Attach made. `netns_path` may be empty (the namespace is
  // gone: its veth went with it, only the address lease is released; the
  // cheaper call, so the agent deletes the container first). Idempotent.
  virtual Status Detach(const std::string& id, const std::string& netns_path) = 0;

  // The session ids that hold an address lease.
  virtual Result<std::set<std::string>> LeasedIds() = 0;

  // The address leased to session `id`, or "" if none.
  virtual std::string AddressOf(const std::string& id) = 0;
};

}  // namespace berth::net

// Link wiring: the few rtnetlink operations a session network needs, done
// in-process with libnl-route-3 (Debian's libnl-route-3-dev) instead of by
// exec'ing CNI plugins (two Go binaries per session took 40-60 ms of a
// session's create; these calls take about a millisecond).
//
//  * EnsureBridge: the session bridge, up, with the gateway address and its
//    MAC address pinned (else it follows the lowest port's as veths come
//    and go, and sessions' ARP entries for the gateway go stale);
//  * WireVeth: a veth pair whose host end is an isolated port of the bridge
//    (IFLA_BRPORT_ISOLATED: isolated ports exchange no frames with each
//    other, only with the bridge) and whose other end is made directly in
//    the session's network namespace, where it gets its address, is brought
//    up and carries the default route. The port is isolated before either
//    end is up, so no frame ever passes between two sessions.
//  * DeleteLink: removes a link (a veth pair goes as a whole).
//
// Work inside a namespace happens on a short-lived thread that setns()s
// into it (the network namespace is per thread), as apps/netns_dialer.cc
// does; no long-lived thread ever changes namespace.
//
// Thread-safety: free functions, each with its own netlink socket; safe
// from any thread. Needs CAP_NET_ADMIN (and CAP_SYS_ADMIN to enter another
// namespace): berthd runs as root.
#pragma once

#include <string>

#include "common/result.h"

namespace berth::net {

// `gateway_cidr` e.g. "10.213.0.1/16". Idempotent (an existing bridge and
// address are kept).
Status EnsureBridge(const std::string& bridge, const std::string& gateway_cidr);

struct VethSpec {
  std::string host_name;     // the host end, a port of `bridge`, e.g. "veth0123456789a"
  std::string bridge;        // e.g. "berth0"
  std::string netns_path;    // e.g. "/proc/<pid>/ns/net"
  std::string inner_name;    // e.g. "eth0"
  std::string address_cidr;  // of the inner end, e.g. "10.213.0.5/16"
  std::string gateway;       // the default route's next hop, e.g. "10.213.0.1"
};

// On failure the caller removes `host_name` (DeleteLink) if it was made.
Status WireVeth(const VethSpec& spec);

// Removes link `name`; a missing link is fine.
Status DeleteLink(const std::string& name);

}  // namespace berth::net

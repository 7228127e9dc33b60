// Firewall: Berth's own iptables chains for one session bridge (SPEC §3
// "Network"; docs/security.md). Everything lives in chains named
// BERTH-*-<bridge>, hooked from INPUT, FORWARD and POSTROUTING; nothing is
// per session (isolation between sessions is bridge port isolation, see
// bridge_network.h), so a session's deletion leaves no rule behind.
//
//  filter BERTH-IN-<br>   (INPUT -i br; IPv4 and IPv6): only replies to
//         connections the host made get in: a session reaches none of the
//         host's addresses (berthd's port included), gateway included.
//  filter BERTH-FWD-<br>  (FORWARD): from the bridge, 169.254.0.0/16 and
//         back into the bridge are dropped, the rest accepted; into the
//         bridge only replies. IPv6 from/to the bridge is dropped.
//  nat    BERTH-NAT-<br>  (POSTROUTING): MASQUERADE the subnet going out.
//
// Install is idempotent (it flushes and refills the chains, so a berthd
// killed with -9 recovers on its next start) and turns on
// net.ipv4.ip_forward. Thread-safety: not for concurrent calls.
#pragma once

#include <string>

#include "common/result.h"

namespace berth::net {

struct FirewallOptions {
  std::string bridge;  // e.g. "berth0"
  std::string subnet;  // CIDR, e.g. "10.213.0.0/16"
  std::string iptables = "iptables";
  std::string ip6tables = "ip6tables";
};

Status InstallFirewall(const FirewallOptions& options);
// Unhooks and deletes the chains; missing ones are fine.
Status RemoveFirewall(const FirewallOptions& options);

// Writes `value` to a /proc/sys file (or a sysfs attribute).
Status WriteSysctl(const std::string& path, const std::string& value);

// The chain names, for tests and docs.
std::string InputChain(const std::string& bridge);
std::string ForwardChain(const std::string& bridge);
std::string NatChain(const std::string& bridge);

}  // namespace berth::net

// BridgeSessionNetwork: the SessionNetwork of one berthd. Each session's
// namespace gets a veth pair to the session bridge (default berth0, the
// gateway address on it), wired in-process over rtnetlink
// (net/link_wiring.h), and an address leased from --session-subnet
// (net/lease_store.h).
//  * lo is up already: runc and Docker bring it up in the namespaces they
//    make;
//  * the host end of the veth, veth<11 hex of the session id's SHA-256>, is
//    an isolated bridge port (IFLA_BRPORT_ISOLATED): isolated ports cannot
//    exchange frames with each other, only with the bridge itself, whatever
//    bridge-nf-call-iptables says; so no two sessions talk, of different
//    users or of the same one; eth0 inside has the address and the default
//    route via the gateway;
//  * leases live under <state_dir>/ipam/berth/ in the layout of the CNI
//    `host-local` plugin (one file per address, holding the session id),
//    which is how reconciliation finds leases of sessions that no longer
//    exist.
// Routed traffic is filtered by net/firewall.h (installed by Open, removed
// by Shutdown once no session holds a lease). The same network is written
// to <state_dir>/berth.conflist as a CNI conflist (bridge + host-local),
// for operators and CNI tools: `CNI_COMMAND=DEL host-local` with it
// releases a lease exactly as Detach does.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/lease_store.h"
#include "net/session_network.h"
#include "net/subnet.h"

namespace berth::net {

inline constexpr char kDefaultSessionSubnet[] = "10.213.0.0/16";
inline constexpr char kDefaultSessionBridge[] = "berth0";

struct BridgeNetworkOptions {
  std::string state_dir;  // REQUIRED, e.g. <data_dir>/network
  std::string bridge = kDefaultSessionBridge;
  std::string subnet = kDefaultSessionSubnet;
  std::vector<std::string> dns;  // empty: the host's non-loopback nameservers
  std::string host_resolv_conf = "/etc/resolv.conf";
};

class BridgeSessionNetwork final : public SessionNetwork {
 public:
  // Checks the options, writes the conflist, makes the bridge and installs
  // the firewall.
  static Result<std::unique_ptr<BridgeSessionNetwork>> Open(BridgeNetworkOptions options);

  const std::string& ResolvConf() const override { return resolv_conf_; }
  Result<Attachment> Attach(const std::string& id, const std::string& netns_path) override;
  // Removes the host end of the veth if it is still there (a namespace kept
  // alive by another process), then the lease; `netns_path` is not needed.
  Status Detach(const std::string& id, const std::string& netns_path) override;
  Result<std::set<std::string>> LeasedIds() override;
  std::string AddressOf(const std::string& id) override;

  // At berthd's exit: when no session holds a lease, removes the firewall
  // chains and the bridge; otherwise keeps them for the sessions that run
  // on (a later berthd adopts them) and says so.
  Status Shutdown();

  // The host end of session `id`'s veth pair.
  static std::string HostVethName(const std::string& id);

  // The network as the JSON config of the CNI `bridge` plugin.
  std::string BridgeConfig() const;

 private:
  BridgeNetworkOptions options_;
  Ipv4Subnet subnet_;
  std::string resolv_conf_;
  LeaseStore leases_;
  std::mutex mu_;
  std::map<std::string, std::string> addresses_;  // id -> ip; the lease files, cached

  BridgeSessionNetwork(BridgeNetworkOptions options, Ipv4Subnet subnet, std::string resolv_conf);
};

}  // namespace berth::net

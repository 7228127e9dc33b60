// CniSessionNetwork: the SessionNetwork of one berthd, built from Debian's
// containernetworking-plugins run through the CNI exec protocol
// (net/cni_exec.h):
//  * (lo is up already: runc and Docker bring it up in the namespaces they
//    make, so the `loopback` plugin is not run);
//  * `bridge` makes a veth pair, the host end a port of the session bridge
//    (default berth0; the gateway address on it), the other end eth0 inside;
//  * `host-local` leases addresses from --session-subnet; its lease files
//    live under <state_dir>/ipam/berth/ (one file per address, holding the
//    session id), which is how reconciliation finds leases of sessions that
//    no longer exist.
// Berth then turns on bridge port isolation on the host end
// (IFLA_BRPORT_ISOLATED, /sys/class/net/<veth>/brport/isolated): isolated
// ports cannot exchange frames with each other, only with the bridge
// itself, whatever bridge-nf-call-iptables says; so no two sessions talk,
// of different users or of the same one. Routed traffic is filtered by
// net/firewall.h (installed by Open, removed by Shutdown once no session
// holds a lease). The config written to <state_dir>/berth.conflist is the
// same network as a CNI conflist, for operators and CNI tools.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/session_network.h"
#include "net/subnet.h"

namespace berth::net {

inline constexpr char kDefaultSessionSubnet[] = "10.213.0.0/16";
inline constexpr char kDefaultSessionBridge[] = "berth0";

struct CniNetworkOptions {
  std::string state_dir;  // REQUIRED, e.g. <data_dir>/network
  std::string bridge = kDefaultSessionBridge;
  std::string subnet = kDefaultSessionSubnet;
  std::vector<std::string> dns;  // empty: the host's non-loopback nameservers
  std::string host_resolv_conf = "/etc/resolv.conf";
  std::string plugin_dir = "/usr/lib/cni";
};

class CniSessionNetwork final : public SessionNetwork {
 public:
  // Checks the options and the plugins, writes the conflist and installs
  // the firewall. FailedPrecondition when the plugins are missing.
  static Result<std::unique_ptr<CniSessionNetwork>> Open(CniNetworkOptions options);

  const std::string& ResolvConf() const override { return resolv_conf_; }
  Result<Attachment> Attach(const std::string& id, const std::string& netns_path) override;
  Status Detach(const std::string& id, const std::string& netns_path) override;
  Result<std::set<std::string>> LeasedIds() override;
  std::string AddressOf(const std::string& id) override;

  // At berthd's exit: when no session holds a lease, removes the firewall
  // chains and the bridge; otherwise keeps them for the sessions that run
  // on (a later berthd adopts them) and says so.
  Status Shutdown();

  // The JSON network config of the `bridge` plugin (stdin of every call).
  std::string BridgeConfig() const;

 private:
  CniNetworkOptions options_;
  Ipv4Subnet subnet_;
  std::string resolv_conf_;
  std::mutex mu_;
  std::map<std::string, std::string> addresses_;  // id -> ip; the lease files, cached

  // id -> address of every lease file.
  std::map<std::string, std::string> ReadLeases() const;
  CniSessionNetwork(CniNetworkOptions options, Ipv4Subnet subnet, std::string resolv_conf)
      : options_(std::move(options)), subnet_(subnet), resolv_conf_(std::move(resolv_conf)) {}
  std::string LeaseDir() const;
};

}  // namespace berth::net

#include "net/bridge_network.h"

#include <fcntl.h>
#include <net/if.h>
#include <sys/file.h>

#include <nlohmann/json.hpp>

#include "common/digest.h"
#include "common/fs_util.h"
#include "common/unique_fd.h"
#include "net/firewall.h"
#include "net/link_wiring.h"
#include "net/resolv_conf.h"

namespace berth::net {
namespace {

using nlohmann::json;

constexpr char kNetworkName[] = "berth";
constexpr char kIfName[] = "eth0";
constexpr char kCniVersion[] = "1.0.0";

bool ValidBridgeName(const std::string& s) {
  return !s.empty() && s.size() < IFNAMSIZ &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

FirewallOptions FirewallFor(const BridgeNetworkOptions& o) { return {o.bridge, o.subnet}; }

}  // namespace

BridgeSessionNetwork::BridgeSessionNetwork(BridgeNetworkOptions options, Ipv4Subnet subnet,
                                           std::string resolv_conf)
    : options_(std::move(options)),
      subnet_(subnet),
      resolv_conf_(std::move(resolv_conf)),
      leases_(options_.state_dir + "/ipam/" + kNetworkName, subnet) {}

Result<std::unique_ptr<BridgeSessionNetwork>> BridgeSessionNetwork::Open(
    BridgeNetworkOptions options) {
  if (options.state_dir.empty())
    return InvalidArgument("BridgeNetworkOptions.state_dir is required");
  if (!ValidBridgeName(options.bridge))
    return InvalidArgument("session bridge '" + options.bridge +
                           "' must be 1-15 characters of a-z, 0-9, '-', '_'");
  BERTH_ASSIGN_OR_RETURN(Ipv4Subnet subnet, Ipv4Subnet::Parse(options.subnet));
  options.subnet = subnet.ToString();
  auto host = ReadFile(options.host_resolv_conf);
  BERTH_ASSIGN_OR_RETURN(std::string resolv,
                         BuildResolvConf(host.ok() ? *host : "", options.dns));
  BERTH_RETURN_IF_ERROR(MkdirAll(options.state_dir + "/ipam", 0700));
  // Several processes may share one state dir and bridge (a cluster node's
  // agents, one per session, starting at once): one sets the bridge and
  // the firewall up at a time, the others then find them in place.
  const std::string lock_path = options.state_dir + "/open.lock";
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock || ::flock(lock.get(), LOCK_EX) != 0) {
    return Internal("cannot lock " + lock_path);
  }
  std::unique_ptr<BridgeSessionNetwork> n(
      new BridgeSessionNetwork(std::move(options), subnet, std::move(resolv)));
  json conflist = {{"cniVersion", kCniVersion},
                   {"name", kNetworkName},
                   {"plugins", {json::parse(n->BridgeConfig())}}};
  conflist["plugins"][0].erase("cniVersion");
  conflist["plugins"][0].erase("name");
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(n->options_.state_dir + "/berth.conflist",
                                        conflist.dump(2) + "\n", 0600, false));
  BERTH_RETURN_IF_ERROR(EnsureBridge(n->options_.bridge,
                                     subnet.Gateway() + "/" + std::to_string(subnet.prefix)));
  BERTH_RETURN_IF_ERROR(InstallFirewall(FirewallFor(n->options_)));
  n->addresses_ = n->leases_.Leases();
  return n;
}

std::string BridgeSessionNetwork::BridgeConfig() const {
  json ipam = {{"type", "host-local"},
               {"ranges", {{{{"subnet", subnet_.ToString()}, {"gateway", subnet_.Gateway()}}}}},
               {"routes", {{{"dst", "0.0.0.0/0"}}}},
               {"dataDir", options_.state_dir + "/ipam"}};
  json c = {{"cniVersion", kCniVersion}, {"name", kNetworkName}, {"type", "bridge"},
            {"bridge", options_.bridge},  {"isGateway", true},     {"ipMasq", false},
            {"hairpinMode", false},       {"ipam", ipam}};
  return c.dump();
}

std::string BridgeSessionNetwork::HostVethName(const std::string& id) {
  // 4 + 11 characters (IFNAMSIZ is 16 with the NUL); "veth" as CNI names
  // them, so tools that look for veths find these too.
  return "veth" + Sha256Hex(id).substr(0, 11);
}

Result<Attachment> BridgeSessionNetwork::Attach(const std::string& id,
                                                const std::string& netns_path) {
  BERTH_ASSIGN_OR_RETURN(std::string ip, leases_.Acquire(id, kIfName));
  Attachment a{ip, HostVethName(id)};
  Status s = WireVeth({a.host_veth, options_.bridge, netns_path, kIfName,
                       ip + "/" + std::to_string(subnet_.prefix), subnet_.Gateway()});
  if (!s.ok()) {
    (void)Detach(id, netns_path);  // a half-made veth, the lease
    return s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  addresses_[id] = a.ip;
  return a;
}

Status BridgeSessionNetwork::Detach(const std::string& id, const std::string& /*netns_path*/) {
  // Usually the veth went with the namespace (a veth dies with either end's
  // namespace) and this is one if_nametoindex; the lease is a file.
  BERTH_RETURN_IF_ERROR(DeleteLink(HostVethName(id)));
  BERTH_RETURN_IF_ERROR(leases_.Release(id));
  std::lock_guard<std::mutex> lock(mu_);
  addresses_.erase(id);
  return Status::Ok();
}

Result<std::set<std::string>> BridgeSessionNetwork::LeasedIds() {
  std::set<std::string> ids;
  for (const auto& [id, ip] : leases_.Leases()) ids.insert(id);
  return ids;
}

std::string BridgeSessionNetwork::AddressOf(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = addresses_.find(id);
  return it == addresses_.end() ? "" : it->second;
}

Status BridgeSessionNetwork::Shutdown() {
  BERTH_ASSIGN_OR_RETURN(std::set<std::string> leased, LeasedIds());
  if (!leased.empty())
    return FailedPrecondition(std::to_string(leased.size()) +
                              " session(s) still hold addresses: firewall and bridge " +
                              options_.bridge + " kept for them");
  BERTH_RETURN_IF_ERROR(RemoveFirewall(FirewallFor(options_)));
  return DeleteLink(options_.bridge);
}

}  // namespace berth::net

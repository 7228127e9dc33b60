#include "net/cni_network.h"

#include <net/if.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/fs_util.h"
#include "common/subprocess.h"
#include "net/cni_exec.h"
#include "net/firewall.h"
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

FirewallOptions FirewallFor(const CniNetworkOptions& o) { return {o.bridge, o.subnet}; }

}  // namespace

Result<std::unique_ptr<CniSessionNetwork>> CniSessionNetwork::Open(CniNetworkOptions options) {
  if (options.state_dir.empty()) return InvalidArgument("CniNetworkOptions.state_dir is required");
  if (!ValidBridgeName(options.bridge))
    return InvalidArgument("session bridge '" + options.bridge +
                           "' must be 1-15 characters of a-z, 0-9, '-', '_'");
  BERTH_ASSIGN_OR_RETURN(Ipv4Subnet subnet, Ipv4Subnet::Parse(options.subnet));
  options.subnet = subnet.ToString();
  for (const char* p : {"bridge", "host-local"}) {
    if (::access((options.plugin_dir + "/" + p).c_str(), X_OK) != 0)
      return FailedPrecondition("CNI plugin " + options.plugin_dir + "/" + p +
                                " not found (install containernetworking-plugins)");
  }
  auto host = ReadFile(options.host_resolv_conf);
  BERTH_ASSIGN_OR_RETURN(std::string resolv,
                         BuildResolvConf(host.ok() ? *host : "", options.dns));
  BERTH_RETURN_IF_ERROR(MkdirAll(options.state_dir + "/ipam", 0700));
  std::unique_ptr<CniSessionNetwork> n(
      new CniSessionNetwork(std::move(options), subnet, std::move(resolv)));
  json conflist = {{"cniVersion", kCniVersion},
                   {"name", kNetworkName},
                   {"plugins", {json::parse(n->BridgeConfig())}}};
  conflist["plugins"][0].erase("cniVersion");
  conflist["plugins"][0].erase("name");
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(n->options_.state_dir + "/berth.conflist",
                                        conflist.dump(2) + "\n", 0600, false));
  BERTH_RETURN_IF_ERROR(InstallFirewall(FirewallFor(n->options_)));
  n->addresses_ = n->ReadLeases();
  return n;
}

std::string CniSessionNetwork::BridgeConfig() const {
  json ipam = {{"type", "host-local"},
               {"ranges", {{{{"subnet", subnet_.ToString()}, {"gateway", subnet_.Gateway()}}}}},
               {"routes", {{{"dst", "0.0.0.0/0"}}}},
               {"dataDir", options_.state_dir + "/ipam"}};
  json c = {{"cniVersion", kCniVersion}, {"name", kNetworkName}, {"type", "bridge"},
            {"bridge", options_.bridge},  {"isGateway", true},     {"ipMasq", false},
            {"hairpinMode", false},       {"ipam", ipam}};
  return c.dump();
}

std::string CniSessionNetwork::LeaseDir() const {
  return options_.state_dir + "/ipam/" + kNetworkName;
}

Result<Attachment> CniSessionNetwork::Attach(const std::string& id,
                                             const std::string& netns_path) {
  // lo is up already: runc brings it up in a namespace it creates, Docker
  // in a "none" network; so no `loopback` plugin run (a Go binary's start
  // is a tenth of a session's create).
  CniCall add{options_.plugin_dir, "bridge", "ADD", id, netns_path, kIfName, BridgeConfig()};
  auto out = RunCniPlugin(add);
  if (!out.ok()) {
    (void)Detach(id, netns_path);  // a half-made veth or lease
    return out.status();
  }
  Attachment a;
  json r = json::parse(*out, nullptr, false);
  if (r.is_object()) {
    for (const auto& i : r.value("interfaces", json::array())) {
      if (!i.contains("sandbox") && i.value("name", "") != options_.bridge)
        a.host_veth = i.value("name", "");
    }
    for (const auto& ip : r.value("ips", json::array())) {
      std::string addr = ip.value("address", "");
      a.ip = addr.substr(0, addr.find('/'));
    }
  }
  Status s = a.host_veth.empty() || a.ip.empty()
                 ? Internal("CNI bridge ADD for " + id + " returned no veth or address")
                 : WriteSysctl("/sys/class/net/" + a.host_veth + "/brport/isolated", "1");
  if (!s.ok()) {
    (void)Detach(id, netns_path);
    return s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  addresses_[id] = a.ip;
  return a;
}

Status CniSessionNetwork::Detach(const std::string& id, const std::string& netns_path) {
  // Without a namespace there is no veth left to remove (it went with the
  // namespace), only the lease: ask host-local itself (an IPAM plugin takes
  // the whole network config), one plugin run instead of bridge + host-local.
  CniCall del{options_.plugin_dir, netns_path.empty() ? "host-local" : "bridge", "DEL", id,
              netns_path, kIfName, BridgeConfig()};
  BERTH_RETURN_IF_ERROR(RunCniPlugin(del).status());
  std::lock_guard<std::mutex> lock(mu_);
  addresses_.erase(id);
  return Status::Ok();
}

std::map<std::string, std::string> CniSessionNetwork::ReadLeases() const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(LeaseDir(), ec)) {
    uint32_t ignored = 0;
    if (!ParseIpv4(e.path().filename(), ignored)) continue;  // lock, last_reserved_ip.0
    auto text = ReadFile(e.path());
    if (!text.ok()) continue;
    std::string id = text->substr(0, text->find_first_of("\r\n"));
    if (!id.empty()) out[id] = e.path().filename();
  }
  return out;
}

Result<std::set<std::string>> CniSessionNetwork::LeasedIds() {
  std::set<std::string> ids;
  for (const auto& [id, ip] : ReadLeases()) ids.insert(id);
  return ids;
}

std::string CniSessionNetwork::AddressOf(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = addresses_.find(id);
  return it == addresses_.end() ? "" : it->second;
}

Status CniSessionNetwork::Shutdown() {
  BERTH_ASSIGN_OR_RETURN(std::set<std::string> leased, LeasedIds());
  if (!leased.empty())
    return FailedPrecondition(std::to_string(leased.size()) +
                              " session(s) still hold addresses: firewall and bridge " +
                              options_.bridge + " kept for them");
  BERTH_RETURN_IF_ERROR(RemoveFirewall(FirewallFor(options_)));
  if (::if_nametoindex(options_.bridge.c_str()) == 0) return Status::Ok();
  SubprocessOptions o;
  o.argv = {"ip", "link", "delete", "dev", options_.bridge};
  o.timeout = std::chrono::seconds(10);
  BERTH_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
  return r.ok() ? Status::Ok() : Internal(DescribeFailure(o.argv, r));
}

}  // namespace berth::net

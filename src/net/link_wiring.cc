#include "net/link_wiring.h"

#include <fcntl.h>
#include <net/if.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>

#include <cerrno>
#include <memory>
#include <thread>

#include "common/unique_fd.h"
#include "net/firewall.h"

namespace berth::net {
namespace {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct LinkPut {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrPut {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RtAddrPut {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct RoutePut {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
using Sock = std::unique_ptr<nl_sock, SockFree>;
using Link = std::unique_ptr<rtnl_link, LinkPut>;
using Addr = std::unique_ptr<nl_addr, AddrPut>;

Status NlError(const std::string& what, int err) {
  return Internal(what + ": " + nl_geterror(err));
}

// A NETLINK_ROUTE socket in the calling thread's network namespace.
Result<Sock> Connect() {
  Sock s(nl_socket_alloc());
  if (!s) return Internal("netlink: out of memory");
  if (int e = nl_connect(s.get(), NETLINK_ROUTE); e < 0) return NlError("netlink connect", e);
  return s;
}

Result<Addr> ParseAddr(const std::string& text) {
  nl_addr* a = nullptr;
  if (int e = nl_addr_parse(text.c_str(), AF_INET, &a); e < 0)
    return NlError("address '" + text + "'", e);
  return Addr(a);
}

Result<int> IfIndex(nl_sock* sk, const std::string& name) {
  rtnl_link* l = nullptr;
  int e = rtnl_link_get_kernel(sk, 0, name.c_str(), &l);
  if (e == -NLE_OBJ_NOTFOUND || e == -NLE_NODEV) return NotFound("no link " + name);
  if (e < 0) return NlError("look up link " + name, e);
  Link link(l);
  return rtnl_link_get_ifindex(link.get());
}

Status SetUp(nl_sock* sk, int ifindex, const std::string& name) {
  Link change(rtnl_link_alloc());
  rtnl_link_set_ifindex(change.get(), ifindex);
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int e = rtnl_link_change(sk, change.get(), change.get(), 0); e < 0)
    return NlError("set " + name + " up", e);
  return Status::Ok();
}

// `exist_ok`: an address already there is success.
Status AddAddress(nl_sock* sk, int ifindex, const std::string& cidr, bool exist_ok) {
  BERTH_ASSIGN_OR_RETURN(Addr local, ParseAddr(cidr));
  std::unique_ptr<rtnl_addr, RtAddrPut> a(rtnl_addr_alloc());
  rtnl_addr_set_ifindex(a.get(), ifindex);
  if (int e = rtnl_addr_set_local(a.get(), local.get()); e < 0) return NlError("address", e);
  int e = rtnl_addr_add(sk, a.get(), 0);
  if (e < 0 && !(exist_ok && e == -NLE_EXIST)) return NlError("add address " + cidr, e);
  return Status::Ok();
}

Status AddDefaultRoute(nl_sock* sk, int ifindex, const std::string& gateway) {
  BERTH_ASSIGN_OR_RETURN(Addr dst, ParseAddr("0.0.0.0/0"));
  BERTH_ASSIGN_OR_RETURN(Addr gw, ParseAddr(gateway));
  std::unique_ptr<rtnl_route, RoutePut> r(rtnl_route_alloc());
  rtnl_route_set_family(r.get(), AF_INET);
  rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
  rtnl_route_set_protocol(r.get(), RTPROT_BOOT);
  if (int e = rtnl_route_set_dst(r.get(), dst.get()); e < 0) return NlError("route", e);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_ifindex(nh, ifindex);
  rtnl_route_nh_set_gateway(nh, gw.get());
  rtnl_route_add_nexthop(r.get(), nh);  // the route owns it now
  if (int e = rtnl_route_add(sk, r.get(), NLM_F_EXCL); e < 0)
    return NlError("add default route via " + gateway, e);
  return Status::Ok();
}

// The inner end, already in the namespace: address, up, default route.
Status ConfigureInner(const VethSpec& spec) {
  BERTH_ASSIGN_OR_RETURN(Sock sk, Connect());
  BERTH_ASSIGN_OR_RETURN(int index, IfIndex(sk.get(), spec.inner_name));
  BERTH_RETURN_IF_ERROR(AddAddress(sk.get(), index, spec.address_cidr, false));
  BERTH_RETURN_IF_ERROR(SetUp(sk.get(), index, spec.inner_name));
  return AddDefaultRoute(sk.get(), index, spec.gateway);
}

// Sets the bridge's MAC address to the one it has. A bridge whose address
// was never set follows the lowest MAC among its ports, so it changed
// whenever a veth came or went (pooled namespaces come and go at every
// berthd start) and sessions kept sending to the gateway's old MAC until
// their ARP entry went stale; once set, it stays.
Status PinAddress(nl_sock* sk, int ifindex, const std::string& name) {
  rtnl_link* l = nullptr;
  if (int e = rtnl_link_get_kernel(sk, ifindex, nullptr, &l); e < 0)
    return NlError("look up link " + name, e);
  Link link(l);
  nl_addr* mac = rtnl_link_get_addr(link.get());
  if (mac == nullptr) return Internal("bridge " + name + " has no MAC address");
  Link orig(rtnl_link_alloc());
  rtnl_link_set_ifindex(orig.get(), ifindex);
  Link change(rtnl_link_alloc());
  rtnl_link_set_addr(change.get(), mac);
  if (int e = rtnl_link_change(sk, orig.get(), change.get(), 0); e < 0)
    return NlError("set the MAC address of " + name, e);
  return Status::Ok();
}

}  // namespace

Status EnsureBridge(const std::string& bridge, const std::string& gateway_cidr) {
  BERTH_ASSIGN_OR_RETURN(Sock sk, Connect());
  auto index = IfIndex(sk.get(), bridge);
  if (!index.ok() && index.status().code() == Code::kNotFound) {
    Link br(rtnl_link_bridge_alloc());
    rtnl_link_set_name(br.get(), bridge.c_str());
    int e = rtnl_link_add(sk.get(), br.get(), NLM_F_CREATE | NLM_F_EXCL);
    if (e < 0 && e != -NLE_EXIST) return NlError("create bridge " + bridge, e);
    index = IfIndex(sk.get(), bridge);
  }
  if (!index.ok()) return index.status();
  BERTH_RETURN_IF_ERROR(AddAddress(sk.get(), *index, gateway_cidr, true));
  BERTH_RETURN_IF_ERROR(PinAddress(sk.get(), *index, bridge));
  return SetUp(sk.get(), *index, bridge);
}

Status WireVeth(const VethSpec& spec) {
  UniqueFd ns(::open(spec.netns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return ErrnoStatus("open " + spec.netns_path, errno);
  BERTH_ASSIGN_OR_RETURN(Sock sk, Connect());
  BERTH_ASSIGN_OR_RETURN(int bridge, IfIndex(sk.get(), spec.bridge));
  // Both ends down: the host end enslaved at creation, the inner one made
  // in the namespace directly (no rename or move afterwards).
  Link veth(rtnl_link_veth_alloc());
  rtnl_link_set_name(veth.get(), spec.host_name.c_str());
  rtnl_link_set_master(veth.get(), bridge);
  Link peer(rtnl_link_veth_get_peer(veth.get()));  // a reference of its own
  rtnl_link_set_name(peer.get(), spec.inner_name.c_str());
  rtnl_link_set_ns_fd(peer.get(), ns.get());
  if (int e = rtnl_link_add(sk.get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL); e < 0)
    return NlError("create veth " + spec.host_name, e);
  BERTH_RETURN_IF_ERROR(
      WriteSysctl("/sys/class/net/" + spec.host_name + "/brport/isolated", "1"));
  BERTH_ASSIGN_OR_RETURN(int host, IfIndex(sk.get(), spec.host_name));
  BERTH_RETURN_IF_ERROR(SetUp(sk.get(), host, spec.host_name));

  Status inner = Status::Ok();
  std::thread t([&] {
    if (::setns(ns.get(), CLONE_NEWNET) != 0) {
      inner = ErrnoStatus("setns " + spec.netns_path, errno);
      return;
    }
    inner = ConfigureInner(spec);
  });
  t.join();
  return inner;
}

Status DeleteLink(const std::string& name) {
  if (::if_nametoindex(name.c_str()) == 0) return Status::Ok();
  BERTH_ASSIGN_OR_RETURN(Sock sk, Connect());
  Link l(rtnl_link_alloc());
  rtnl_link_set_name(l.get(), name.c_str());
  int e = rtnl_link_delete(sk.get(), l.get());
  if (e < 0 && e != -NLE_NODEV && e != -NLE_OBJ_NOTFOUND) return NlError("delete link " + name, e);
  return Status::Ok();
}

}  // namespace berth::net

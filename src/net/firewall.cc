#include "net/firewall.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/unique_fd.h"
#include "common/subprocess.h"

namespace berth::net {
namespace {

using Args = std::vector<std::string>;

Result<SubprocessResult> Run(const std::string& tool, const Args& args) {
  SubprocessOptions o;
  o.argv = {tool, "-w", "5"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout = std::chrono::seconds(30);
  return RunSubprocess(o);
}

Status Must(const std::string& tool, const Args& args) {
  BERTH_ASSIGN_OR_RETURN(SubprocessResult r, Run(tool, args));
  if (!r.ok()) {
    Args argv = {tool};
    argv.insert(argv.end(), args.begin(), args.end());
    return Internal(DescribeFailure(argv, r) + " (is iptables installed? scripts/deps.sh)");
  }
  return Status::Ok();
}

// A chain in `table`, emptied, with `rules`, hooked once (first) from
// `builtin` by `hook` (match arguments).
Status FillChain(const std::string& tool, const std::string& table, const std::string& chain,
                 const std::string& builtin, const Args& hook, const std::vector<Args>& rules) {
  BERTH_ASSIGN_OR_RETURN(SubprocessResult exists, Run(tool, {"-t", table, "-S", chain}));
  BERTH_RETURN_IF_ERROR(Must(tool, {"-t", table, exists.ok() ? "-F" : "-N", chain}));
  for (const Args& rule : rules) {
    Args a = {"-t", table, "-A", chain};
    a.insert(a.end(), rule.begin(), rule.end());
    BERTH_RETURN_IF_ERROR(Must(tool, a));
  }
  Args check = {"-t", table, "-C", builtin};
  check.insert(check.end(), hook.begin(), hook.end());
  check.insert(check.end(), {"-j", chain});
  BERTH_ASSIGN_OR_RETURN(SubprocessResult hooked, Run(tool, check));
  if (hooked.ok()) return Status::Ok();
  Args insert = {"-t", table, "-I", builtin, "1"};
  insert.insert(insert.end(), hook.begin(), hook.end());
  insert.insert(insert.end(), {"-j", chain});
  return Must(tool, insert);
}

Status DropChain(const std::string& tool, const std::string& table, const std::string& chain,
                 const std::string& builtin, const Args& hook) {
  Args del = {"-t", table, "-D", builtin};
  del.insert(del.end(), hook.begin(), hook.end());
  del.insert(del.end(), {"-j", chain});
  // Bounded: a hook added twice by hand is removed too, but never loop forever.
  for (int i = 0; i < 8; ++i) {
    BERTH_ASSIGN_OR_RETURN(SubprocessResult r, Run(tool, del));
    if (!r.ok()) break;
  }
  BERTH_ASSIGN_OR_RETURN(SubprocessResult exists, Run(tool, {"-t", table, "-S", chain}));
  if (!exists.ok()) return Status::Ok();
  BERTH_RETURN_IF_ERROR(Must(tool, {"-t", table, "-F", chain}));
  return Must(tool, {"-t", table, "-X", chain});
}

}  // namespace

Status WriteSysctl(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return ErrnoStatus("open " + path, errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    return ErrnoStatus("write " + path, errno);
  return Status::Ok();
}

namespace {

const Args kEstablished = {"-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"};

}  // namespace

std::string InputChain(const std::string& bridge) { return "BERTH-IN-" + bridge; }
std::string ForwardChain(const std::string& bridge) { return "BERTH-FWD-" + bridge; }
std::string NatChain(const std::string& bridge) { return "BERTH-NAT-" + bridge; }

Status InstallFirewall(const FirewallOptions& o) {
  const std::string& br = o.bridge;
  BERTH_RETURN_IF_ERROR(FillChain(o.iptables, "filter", InputChain(br), "INPUT", {"-i", br},
                                  {kEstablished, {"-j", "DROP"}}));
  BERTH_RETURN_IF_ERROR(FillChain(o.ip6tables, "filter", InputChain(br), "INPUT", {"-i", br},
                                  {{"-j", "DROP"}}));
  BERTH_RETURN_IF_ERROR(FillChain(o.iptables, "filter", ForwardChain(br), "FORWARD", {},
                                  {{"-i", br, "-d", "169.254.0.0/16", "-j", "DROP"},
                                   {"-i", br, "-o", br, "-j", "DROP"},
                                   {"-i", br, "-j", "ACCEPT"},
                                   {"-o", br, "-m", "conntrack", "--ctstate",
                                    "ESTABLISHED,RELATED", "-j", "ACCEPT"},
                                   {"-o", br, "-j", "DROP"}}));
  BERTH_RETURN_IF_ERROR(FillChain(o.ip6tables, "filter", ForwardChain(br), "FORWARD", {},
                                  {{"-i", br, "-j", "DROP"}, {"-o", br, "-j", "DROP"}}));
  BERTH_RETURN_IF_ERROR(FillChain(o.iptables, "nat", NatChain(br), "POSTROUTING", {},
                                  {{"-s", o.subnet, "!", "-o", br, "-j", "MASQUERADE"}}));
  // Routing between the bridge and the uplink (host-wide; left on at exit).
  return WriteSysctl("/proc/sys/net/ipv4/ip_forward", "1");
}

Status RemoveFirewall(const FirewallOptions& o) {
  const std::string& br = o.bridge;
  Status first = Status::Ok();
  auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = s;
  };
  keep(DropChain(o.iptables, "filter", InputChain(br), "INPUT", {"-i", br}));
  keep(DropChain(o.ip6tables, "filter", InputChain(br), "INPUT", {"-i", br}));
  keep(DropChain(o.iptables, "filter", ForwardChain(br), "FORWARD", {}));
  keep(DropChain(o.ip6tables, "filter", ForwardChain(br), "FORWARD", {}));
  keep(DropChain(o.iptables, "nat", NatChain(br), "POSTROUTING", {}));
  return first;
}

}  // namespace berth::net

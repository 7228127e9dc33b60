#include "net/cni_exec.h"

#include <nlohmann/json.hpp>

#include "common/subprocess.h"

namespace berth::net {

Result<std::string> RunCniPlugin(const CniCall& call) {
  SubprocessOptions o;
  o.argv = {call.plugin_dir + "/" + call.plugin};
  // A full environment: the plugin must not inherit berthd's CNI_* or
  // proxy variables by accident.
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
           "CNI_COMMAND=" + call.command,
           "CNI_CONTAINERID=" + call.container_id,
           "CNI_NETNS=" + call.netns,
           "CNI_IFNAME=" + call.ifname,
           "CNI_PATH=" + call.plugin_dir};
  o.stdin_data = call.config;
  o.timeout = call.timeout;
  BERTH_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
  if (r.ok()) return r.stdout_data;
  std::string why;
  auto j = nlohmann::json::parse(r.stdout_data, nullptr, false);
  if (j.is_object()) {
    why = j.value("msg", "");
    if (std::string d = j.value("details", ""); !d.empty()) why += ": " + d;
  }
  if (why.empty()) why = DescribeFailure(o.argv, r);
  return Internal("CNI " + call.plugin + " " + call.command + " for " + call.container_id +
                  " failed: " + why);
}

}  // namespace berth::net

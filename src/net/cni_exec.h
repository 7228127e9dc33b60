// The CNI exec protocol (CNI spec, "Execution Protocol"): a plugin is an
// executable that reads its network config on stdin and its parameters from
// CNI_* environment variables, and prints a result (or an error object)
// as JSON on stdout. Berth runs the plugins of Debian's
// containernetworking-plugins this way; it links no CNI library.
// Thread-safety: RunCniPlugin is reentrant.
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"

namespace berth::net {

struct CniCall {
  std::string plugin_dir;    // CNI_PATH, e.g. /usr/lib/cni
  std::string plugin;        // "bridge", "loopback", ...
  std::string command;       // "ADD", "DEL", "CHECK"
  std::string container_id;  // CNI_CONTAINERID
  std::string netns;         // CNI_NETNS; may be empty for DEL
  std::string ifname;        // CNI_IFNAME, e.g. "eth0"
  std::string config;        // the network config JSON (stdin)
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

// The plugin's stdout (the result JSON for ADD, usually empty for DEL).
// A failing plugin becomes Internal with the plugin's own "msg"/"details".
Result<std::string> RunCniPlugin(const CniCall& call);

}  // namespace berth::net

// OCI runtime-spec config.json generation for RuncRuntime, and Berth's
// default seccomp profile. Pure functions of their inputs; thread-safe.
//
// Security defaults (SPEC §3 "User"), all in one place so they can be
// reviewed together:
//  * process runs as spec.uid/gid with empty effective/permitted/inheritable/
//    ambient capability sets; the bounding set is spec.bounding_capabilities
//    (empty by default, so not even a setuid binary can gain a capability);
//  * noNewPrivileges from the spec (true unless sudo is allowed);
//  * seccomp: default ALLOW with a deny-list modelled on Docker's default
//    profile (kernel modules, kexec, reboot, mount/namespace creation, bpf,
//    perf, keyrings, ptrace-like cross-process memory access, clock setting,
//    io_uring...) returning EPERM; clone3 returns ENOSYS so libc falls back
//    to clone, whose namespace flags are refused. A deny-list (not Docker's
//    allow-list) keeps new, harmless syscalls working in old/new images.
//  * namespaces: pid, ipc, uts, mount, and user when OciConfigOptions.userns
//    is set (container ids 0.. are host ids base..; runtime/idmap.h), and
//    network when spec.network_namespace (made by runc inside the user
//    namespace; wired by the agent, net/session_network.h); sysfs is then
//    the session's own, else the host's /sys bound read-only under userns;
//  * runc's default masked and read-only /proc and /sys paths.
#pragma once

#include <optional>
#include <string>

#include "runtime/container_runtime.h"
#include "runtime/idmap.h"

namespace berth::runtime {

// Where the static init is bind-mounted inside every container.
inline constexpr char kInitTarget[] = "/.berth/tini";

struct OciConfigOptions {
  std::string rootfs;        // the merged (overlay) root, absolute host path
  std::string init_path;     // host path of a static tini
  std::string etc_dir;       // host dir holding hostname, hosts, resolv.conf
  std::string cgroups_path;  // e.g. "/berth/<id>"
  std::optional<IdRange> userns;  // unset: no user namespace (uid 0 is host root)
};

// The config.json text for `spec`.
std::string BuildOciConfig(const ContainerSpec& spec, const OciConfigOptions& options);

// The "seccomp" object of config.json, as JSON text.
std::string DefaultSeccompProfileJson();

// Capabilities a session needs so that sudo (a setuid-root binary) works when
// the user may sudo: Docker's default set minus NET_RAW and MKNOD.
const std::vector<std::string>& SudoBoundingCapabilities();

}  // namespace berth::runtime

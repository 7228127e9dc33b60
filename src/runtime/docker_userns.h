// DockerUserns: whether a Docker Engine runs its containers in a user
// namespace (dockerd --userns-remap, daemon-wide; SPEC §3 "User"), and with
// which host ids, read from its GET /info.
//
// A remapped daemon lists "name=userns" in SecurityOptions and keeps its
// state in DockerRootDir = <data-root>/<uid>.<gid>, the first host uid and
// gid of the remap user's /etc/subuid and /etc/subgid ranges (container id
// 0). The range's size is not in /info; the caller gives it (berthd's
// userns_size, the same as the subuid line's by convention).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"
#include "runtime/idmap.h"

namespace berth::runtime {

// nullopt: the daemon does not remap (container root is host root).
// FailedPrecondition ("docker_userns") when it remaps with different uid and
// gid bases (Berth's idmaps use one base for both) or /info does not say
// the base; Internal for an answer that is not a JSON object.
Result<std::optional<IdRange>> DockerUsernsFromInfo(const std::string& info_json, uint32_t size);

// A container's HostConfig.NetworkMode: the host's network, as runc's, but a
// remapping daemon refuses that ("cannot share the host's network namespace
// when user namespaces are enabled"; only --userns=host, which Berth never
// sets, would allow it), so there the container gets a namespace of its own
// ("none": loopback only, until a session network is attached to it).
const char* DockerNetworkMode(bool remapped);

}  // namespace berth::runtime

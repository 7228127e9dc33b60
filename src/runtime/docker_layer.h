// Emptying a Docker container's writable layer with our own remover before
// dockerd removes the container. dockerd's own removal fails on a tree a
// session can make (25,000 nested directories in /tmp: "failed to remove
// root filesystem: openfdat ..."), which would leave the session in `error`.
// RemoveTreeAt (common/tree_remove.h) does not care about depth and never
// follows a symlink. Only for overlay2 on a local dockerd: the UpperDir that
// `inspect` reports must be an absolute ".../diff" directory we can open;
// otherwise nothing is done and dockerd is left to it.
//
// Thread-safe as DockerClient is.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "runtime/docker_client.h"

namespace berth::runtime {

// Kills container `name` (a session's processes must stop refilling it) and
// removes everything inside its writable layer. Best effort: a container
// that does not exist, or a layer we cannot see, is OK.
Status EmptyWritableLayer(const DockerClient& client, const std::string& name,
                          std::chrono::milliseconds timeout);

}  // namespace berth::runtime

// StagedBinds: folder bind mounts made nosuid,nodev by berthd itself, for
// a driver whose engine cannot ask for those flags (Docker's Engine API has
// no nosuid/nodev for bind mounts, moby/moby#7054).
//
// A bind mount of a mount keeps that mount's flags, so each source is
// bind-mounted on its own under `dir` (one directory per container, owned by
// berthd) and remounted nosuid,nodev (and read-only for ro mounts); the
// engine then binds the staged path instead of the source:
//
//   <dir>/<i>   spec.mounts[i].source, nosuid, nodev[, ro]
//
// The staging lives in berthd's mount namespace, which must be the engine's
// (the same REQUIRES as the host pids DockerRuntime signals).
//
// Thread-safety: thread-safe for different dirs; the caller serialises the
// stage/unstage of one dir (DockerRuntime holds the container's lock).
// REQUIRES: root (CAP_SYS_ADMIN in the mount namespace).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "runtime/container_runtime.h"

namespace berth::runtime {

// Stages `mounts` under `dir` (created; must not exist yet) and returns them
// with their staged sources. On failure, what was mounted stays under `dir`
// for the caller's UnstageBinds.
Result<std::vector<BindMount>> StageBinds(const std::vector<BindMount>& mounts,
                                          const std::string& dir);

// Lazily unmounts every mount at or beneath `dir`, deepest first, and
// removes `dir`. A missing `dir` is OK. Lazy: a process still holding a file
// open in a staged mount must not make a delete fail.
Status UnstageBinds(const std::string& dir);

}  // namespace berth::runtime

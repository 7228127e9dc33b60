// UsernsMounts: the idmapped mounts a container in a user namespace needs
// (SPEC §3 "User"), staged by the runtime because runc 1.1.5 cannot make
// them itself. See runtime/idmap.h for the maps and the traps they avoid.
//
// Under `staging_dir` (inside the container's bundle, so that Delete's
// unmount-everything-below-the-bundle covers them, also after a crash):
//
//   lower/   the image root fs, ShiftMap'ed (disk X -> host base+X), read
//            only, setuid kept: the overlay's lower layer
//   mnt/<i>  spec.mounts[i].source, FolderMap'ed so that its disk owner is
//            the session user inside; nosuid, nodev
//
// Thread-safety: thread-safe for different staging dirs.
// REQUIRES: root; see runtime/idmap.h for the kernel.
#pragma once

#include <string>

#include "common/result.h"
#include "runtime/container_runtime.h"
#include "runtime/idmap.h"
#include "runtime/userns_cache.h"

namespace berth::runtime {

struct StagedMounts {
  std::string lower;        // the idmapped image root fs
  std::vector<BindMount> mounts;  // spec.mounts with their staged sources
};

// Stages `mounts` of a container whose ids are `range` and whose session
// user is uid:gid inside, each FolderMap'ed on `dir`/<i> (dir is created
// 0711; nosuid, nodev, read-only where asked), and returns them with their
// staged sources. The same rules and errors as StageUsernsMounts; shared by
// both drivers (Docker under --userns-remap binds the staged paths). The
// user namespaces of the idmaps come from `namespaces` (kept for the next
// session).
Result<std::vector<BindMount>> StageIdmappedBinds(const std::vector<BindMount>& mounts,
                                                  uint32_t uid, uint32_t gid,
                                                  const IdRange& range, const std::string& dir,
                                                  UsernsCache& namespaces);

// Stages the mounts of `spec` for a container whose ids are `range`.
// InvalidArgument if spec.uid/gid fall outside the range, or a writable
// mount's source is owned by host root (root inside would then write files
// as host root). On failure, what was mounted stays under `staging_dir` for
// the caller's cleanup (it unmounts everything below the bundle anyway).
Result<StagedMounts> StageUsernsMounts(const ContainerSpec& spec, const IdRange& range,
                                       const std::string& staging_dir, UsernsCache& namespaces);

// Adds o+x (never r) to `dir` and each of its ancestors that lacks it: the
// container's root (host uid range.base, without any capability over host
// files) must be able to walk to the bundle, as runc mounts from inside
// the user namespace.
Status MakeTraversable(const std::string& dir);

}  // namespace berth::runtime

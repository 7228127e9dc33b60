// Internal to storage: thin wrappers over the btrfs ioctls (linux/btrfs.h)
// that BtrfsVolume uses. No shelling out to btrfs-progs. Each call maps
// errno to a Status naming what failed. All need CAP_SYS_ADMIN except
// SubvolumeId and FsUuid.
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace berth::storage::btrfs {

// True when the file system under `path` is btrfs (statfs f_type).
bool IsBtrfs(const std::string& path);
// Turns quota groups on for the file system of `fd` (no-op if on).
Status EnableQuota(int fd);
// New subvolume `name` in the directory `dir_fd`.
Status CreateSubvolume(int dir_fd, const std::string& name);
// Writable snapshot of the subvolume `src_fd` as `name` in `dir_fd`.
Status Snapshot(int src_fd, int dir_fd, const std::string& name);
// Deletes the subvolume `name` in `dir_fd` (with its contents).
Status DestroySubvolume(int dir_fd, const std::string& name);
// The id of the subvolume `fd` lies in (its qgroup is 0/<id>).
Result<uint64_t> SubvolumeId(int fd);
// True when `fd` is the root directory of a subvolume.
bool IsSubvolumeRoot(int fd);
// The file system's UUID as /sys/fs/btrfs names it.
Result<std::string> FsUuid(int fd);
// Sets (or with nullopt clears) the max_referenced limit of the qgroup of
// the subvolume `fd` lies in.
Status LimitReferenced(int fd, std::optional<uint64_t> max_bytes);
// Creates the level-0 qgroup 0/<subvol_id> (AlreadyExists if present).
Status CreateQgroup(int fd, uint64_t subvol_id);
// Removes qgroup 0/<subvol_id>; OK if it is gone (or still busy: the
// kernel cleans a deleted subvolume up asynchronously).
Status RemoveQgroup(int fd, uint64_t subvol_id);

}  // namespace berth::storage::btrfs

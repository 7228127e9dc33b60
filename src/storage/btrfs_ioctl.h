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
// A qgroup id: level in the top 16 bits (0/<subvol id>, 1/<n>).
constexpr uint64_t QgroupId(uint16_t level, uint64_t id) { return uint64_t{level} << 48 | id; }
// "0_257" for 0/257, as /sys/fs/btrfs/<fsid>/qgroups names it.
std::string QgroupSysfsName(uint64_t qgroupid);
// New subvolume `name` in the directory `dir_fd`; with `parent` (a level-1
// qgroup id) its qgroup is made a member of that group in the same
// transaction.
Status CreateSubvolume(int dir_fd, const std::string& name,
                       std::optional<uint64_t> parent = std::nullopt);
// Snapshot of the subvolume `src_fd` as `name` in `dir_fd` (writable, or
// read-only with `read_only`); `parent` as for CreateSubvolume.
Status Snapshot(int src_fd, int dir_fd, const std::string& name, bool read_only = false,
                std::optional<uint64_t> parent = std::nullopt);
// Deletes the subvolume `name` in `dir_fd` (with its contents).
Status DestroySubvolume(int dir_fd, const std::string& name);
// What BTRFS_IOC_GET_SUBVOL_INFO says of the subvolume `fd` is the root of.
struct SubvolInfo {
  uint64_t id = 0;
  int64_t otime = 0;  // creation, Unix seconds
  bool read_only = false;
};
Result<SubvolInfo> GetSubvolInfo(int fd);
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
// Creates any qgroup by its full id (QgroupId); AlreadyExists if present.
Status CreateQgroupById(int fd, uint64_t qgroupid);
// Makes qgroup `child` a member of `parent`; OK if it already is. Returns
// OK also when the kernel had to mark the accounting inconsistent (it then
// needs a rescan: StartRescan).
Status AssignQgroup(int fd, uint64_t child, uint64_t parent);
// Starts a quota rescan; OK if one is running.
Status StartRescan(int fd);
// A number of a qgroup from sysfs ("referenced", "exclusive",
// "max_referenced"), after committing the transaction so it is current.
Result<uint64_t> ReadQgroup(int fd, uint64_t qgroupid, const std::string& field);
// Whether the file system says its quota accounting needs a rescan.
bool QuotaInconsistent(int fd);
// Removes qgroup 0/<subvol_id>; OK if it is gone (or still busy: the
// kernel cleans a deleted subvolume up asynchronously).
Status RemoveQgroup(int fd, uint64_t subvol_id);

}  // namespace berth::storage::btrfs

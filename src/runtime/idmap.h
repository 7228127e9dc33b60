// Id maps, user-namespace fds and idmapped bind mounts: how a session's
// user namespace (SPEC §3 "User") shifts the files it sees.
//
// A session container runs in a user namespace whose ids 0..size-1 are host
// ids base..base+size-1 (IdRange). Its files come from disks that know
// nothing of that shift:
//  * the image root fs is owned by host 0..65535: it is mounted through
//    ShiftMap (disk X -> host base+X), so /usr/bin/sudo is root's inside;
//  * a folder (or scratch home) is owned on disk by one host uid D (the
//    container uid, 1000 by default): it is mounted through FolderMap, where
//    only D meets the session user (disk D <-> host base+uid) and every other
//    id of the range maps to itself. Root inside (host base) thus writes
//    files owned by base on the disk, never by 0; reusing the container's
//    own map (0 <-> base) here would store root's files as disk uid 0.
//
// runc 1.1.5 cannot make idmapped mounts, so the runtime prepares them with
// IdmappedBind (open_tree + mount_setattr(MOUNT_ATTR_IDMAP) + move_mount) on
// staging paths and hands those to runc as plain bind sources: a bind of an
// idmapped mount keeps its idmap.
//
// Thread-safety: the functions are thread-safe (no shared state);
// MakeUserNamespace forks.
// REQUIRES (MakeUserNamespace, IdmappedBind): root, a kernel with idmapped
// mounts (5.12+; overlayfs over an idmapped lower layer: 5.19+).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth::runtime {

// Host ids base..base+size-1 given to session containers.
struct IdRange {
  uint32_t base = 100000;
  uint32_t size = 65536;
};

// One line of /proc/<pid>/uid_map: ids inner..inner+count-1 of the new
// namespace (for an idmapped mount: ids stored on disk) are outer.. on the
// host side.
struct IdMapLine {
  uint32_t inner = 0;
  uint32_t outer = 0;
  uint32_t count = 0;
  auto operator<=>(const IdMapLine&) const = default;
};
using IdMap = std::vector<IdMapLine>;

// {0, range.base, range.size}: the container's own map, and the image
// root fs's mount map.
IdMap ShiftMap(const IdRange& range);

// For a folder whose files are owned on disk by `disk_owner`: disk_owner
// <-> range.base + container_id, and every other id of the range to itself
// (never disk 0 unless disk_owner is 0). REQUIRES: container_id <
// range.size.
IdMap FolderMap(const IdRange& range, uint32_t disk_owner, uint32_t container_id);

// The text written to uid_map/gid_map.
std::string IdMapText(const IdMap& map);

// A user namespace holding `uids` and `gids`, kept alive by the returned fd
// (/proc/<pid>/ns/user of a short-lived child).
Result<UniqueFd> MakeUserNamespace(const IdMap& uids, const IdMap& gids);

struct IdmappedBindOptions {
  bool read_only = false;
  // nodev always; nosuid unless this is set (the image root fs, so that
  // sudo works; never a folder).
  bool allow_setuid = false;
};

// Mounts a clone of the mount tree at `source` on `target` (an existing
// file or directory), idmapped through `userns_fd`.
Status IdmappedBind(const std::string& source, const std::string& target, int userns_fd,
                    const IdmappedBindOptions& options);

}  // namespace berth::runtime

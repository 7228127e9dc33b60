// Dotfiles in a scratch home (SPEC §3 "Dotfiles"): the user's stored files,
// written into a new session's home after the image skeleton was copied and
// before the first process starts.
//
// Paths arrive validated by the manager (relative, no "..", no empty
// components, not under .berth/: manager/dotfile_rules.h); the writer still
// refuses to leave the home: every directory on the way is opened with
// O_NOFOLLOW beneath the home's fd, so a symlink the image skeleton put in
// the home (".ssh -> /etc") makes that dotfile be skipped, never followed.
// Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace berth::agent {

struct Dotfile {
  std::string path;  // relative to /home/work, e.g. ".ssh/authorized_keys"
  uint32_t mode = 0644;
  std::string content;
};

struct DotfileReport {
  std::vector<std::string> written;
  std::vector<std::string> skipped;  // "path: why"
};

// Writes each dotfile under the directory `home` (the scratch home's host
// path), replacing a skeleton file of the same name; missing parent
// directories are made 0700 (".ssh") or 0755, everything is owned by
// uid:gid and files get exactly their mode. A dotfile whose container path
// (/home/work/<path>) lies under one of `mount_targets` (absolute container
// paths), or is an ancestor of one, is skipped: the mount would hide it or
// it would shadow the mount point. So is one whose way down meets a
// symlink or a non-directory. Errors only for failures of the home itself.
Result<DotfileReport> WriteDotfiles(const std::string& home, const std::vector<Dotfile>& dotfiles,
                                    const std::vector<std::string>& mount_targets, uid_t uid,
                                    gid_t gid);

}  // namespace berth::agent

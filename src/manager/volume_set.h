// VolumeSet: the daemon's storage volumes (SPEC §2 Volumes): the built-in
// `local` in the data dir (always the plain-directory backend, so a data
// dir on btrfs keeps today's behaviour), then each configured volume with
// its backend detected from the file system. A configured volume named
// `local` replaces the built-in one (and is detected like the others).
// `local` is the default volume.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "manager/config.h"
#include "storage/volume.h"

namespace berth::manager {

struct VolumeSet {
  std::vector<std::unique_ptr<storage::Volume>> owned;
  std::map<std::string, const storage::Volume*> by_name;
  std::vector<std::string> roots;  // for the agent's bind-source check
};

// Opens (and initialises) every volume. A duplicate name or a volume that
// cannot be set up is an error naming it.
Result<VolumeSet> OpenVolumes(const DaemonConfig& cfg);

}  // namespace berth::manager

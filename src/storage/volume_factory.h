// OpenVolume: the one place a volume's backend is chosen, by the file
// system under its root (statfs f_type): btrfs → BtrfsVolume, anything
// else → LocalVolume (with instant_clone when FICLONE works there).
// Thread-safe (no shared state).
#pragma once

#include <memory>

#include "storage/volume.h"

namespace berth::storage {

enum class VolumeKind { kDetect, kLocal };

// Creates the root if missing, picks the backend and runs its Init.
// kLocal forces the plain-directory backend whatever the file system.
Result<std::unique_ptr<Volume>> OpenVolume(VolumeOptions options,
                                           VolumeKind kind = VolumeKind::kDetect);

// Parses "NAME=PATH" (--volume): a volume name of [A-Za-z0-9._-]{1,64}
// and an absolute path.
Result<std::pair<std::string, std::string>> ParseVolumeFlag(const std::string& flag);

}  // namespace berth::storage

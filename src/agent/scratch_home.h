// Scratch homes (SPEC §3 "Scratch home"): a fresh /home/work per session,
// populated from the image's skeleton and owned by the session user.
// Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace berth::agent {

inline constexpr char kNoticeFileName[] = "README-BERTH.txt";

// The notice put in every scratch home.
std::string NoticeText(const std::string& session_name,
                       const std::vector<std::string>& persistent_paths);

// Creates `home` (must not exist; its parent must), copies the skeleton
// directory `skeleton` found *inside* `rootfs` into it, writes the notice,
// and chowns everything to uid:gid. The skeleton is resolved with
// RESOLVE_IN_ROOT and copied without following symlinks (they are copied as
// symlinks), so an imported image cannot make us copy host files; device
// nodes, FIFOs and sockets are skipped, and at most 64 MiB is copied.
// A missing skeleton just gives an empty home. On failure `home` is removed.
Status CreateScratchHome(const std::string& rootfs, const std::string& skeleton,
                         const std::string& home, uid_t uid, gid_t gid, const std::string& notice);

}  // namespace berth::agent

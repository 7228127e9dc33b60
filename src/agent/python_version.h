// The Python 3 minor version an image ships, read from its root file system
// without running it (for python_user_base "per_version": SPEC §3
// Dotfiles). Thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>

namespace berth::agent {

// "3.11" for an image whose /usr/bin/python3 is a symlink to python3.11,
// else the highest /usr/lib/python3.N that holds os.py; nullopt when there
// is none. Paths are resolved inside `rootfs` (RESOLVE_IN_ROOT), so an
// imported image's symlinks cannot point us at the host.
std::optional<std::string> DetectPython3Version(const std::string& rootfs);

// The PYTHONUSERBASE of a per_version user for `version` ("3.11"):
// /home/work/.local/py3.11.
std::string PerVersionUserBase(const std::string& version);

}  // namespace berth::agent

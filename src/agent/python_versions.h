// Which Python a session runs and which Pythons already installed packages
// into the user's .local folder (issue 11 item 4): when they differ, the
// session's interactive shells say so once (agent/shell_env.h), because
// `pip install --user` packages live in .local/lib/python3.X per minor
// version while scripts in .local/bin are shared by all of them.
//
// Both readers resolve paths inside the directory they are given
// (RESOLVE_IN_ROOT), so neither an imported image nor a user's folder can
// make them read host paths through a symlink. Errors give "nothing known"
// (an empty result): the notice is advice, never a reason to fail a session.
// Thread-safe (no shared state).
#pragma once

#include <string>
#include <vector>

namespace berth::agent {

// "3.11" for an image whose /usr/bin/python3 (else /usr/local/bin/python3)
// is a link to python3.11; "" when there is none or it says no version.
std::string ImagePythonVersion(const std::string& rootfs);

// The versions "3.X" that have <local_dir>/lib/python3.X/site-packages,
// sorted by minor version (3.9 before 3.11).
std::vector<std::string> UserSitePythonVersions(const std::string& local_dir);

// The notice for a session with Python `session_version` whose .local has
// packages of `local_versions`; "" when no other version has any (or the
// session's version is unknown).
std::string PythonVersionNotice(const std::string& session_version,
                                const std::vector<std::string>& local_versions);

// The PYTHONUSERBASE of a user whose python_user_base is "per_version"
// (SPEC §3 Dotfiles) in a session with Python `version` ("3.11"):
// /home/work/.local/py3.11.
std::string PerVersionUserBase(const std::string& version);

}  // namespace berth::agent

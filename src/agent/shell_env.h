// The environment of a session (SPEC §3 "Shells", "Scratch home",
// "Automount"), computed once per session from its facts and delivered two
// ways from that one list, so that PATH and Berth's variables hold in every
// shell a user can start:
//  * the container's process environment (what `exec` and the terminal's
//    shell inherit), and
//  * a read-only profile drop-in the agent bind-mounts at
//    /etc/profile.d/zz-berth.sh, which login shells (`bash -l`, `sh -l`,
//    the terminal's shell) source after /etc/profile has reset PATH. It
//    also prints the session notice once in an interactive shell.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace berth::agent {

inline constexpr char kProfileDropInTarget[] = "/etc/profile.d/zz-berth.sh";

struct SessionEnvFacts {
  std::string session_name;
  std::vector<std::string> image_env;         // NAME=VALUE; its PATH is the image's PATH
  std::vector<std::string> path_prepend;      // MountPlan::path_prepend
  std::vector<std::string> persistent_paths;  // MountPlan::persistent_paths
  std::string brew_prefix;                    // MountPlan::brew_prefix ("" = no .linuxbrew)
  // Imported images keep Debian's PEP 668 marker in their stored rootfs;
  // PIP_BREAK_SYSTEM_PACKAGES=1 lets `pip install --user` run without flags.
  bool pip_break_system_packages = false;
  std::map<std::string, std::string> user_env;  // the request's env; wins over the rest
};

// NAME=VALUE entries, each name once: the image's env, then PATH (the
// prepended entries, then the image's PATH or Debian's default), HOME,
// USER, LANG (C.UTF-8 unless the image sets one), BERTH_SESSION_NAME, BERTH_PERSISTENT_PATHS, what
// `brew shellenv` sets (HOMEBREW_PREFIX first) when .linuxbrew is mounted,
// PIP_BREAK_SYSTEM_PACKAGES for imports, and last the user's env.
std::vector<std::string> SessionEnv(const SessionEnvFacts& facts);

// Sets `name` in `env` (replacing its entry, or appending one).
void SetEnv(std::vector<std::string>* env, const std::string& name, const std::string& value);

// What an interactive shell says once at start: the persistent paths, and
// `extra` (e.g. the Python-version notice) when not empty.
struct ShellNotice {
  std::string session_name;
  std::vector<std::string> persistent_paths;
  std::string extra;
};

// The drop-in (POSIX sh, dash and bash alike): exports every entry of `env`
// but HOME and USER (which login and `sudo -i` set for their user), then the
// notice for interactive shells. A shell that was already told (the
// exported BERTH_NOTICE_SHOWN) is not told again; one whose image printed
// the persistent paths itself (BERTH_PATHS_SHOWN, recipe images'
// /etc/bash.bashrc) only gets `extra`.
std::string ProfileDropIn(const std::vector<std::string>& env, const ShellNotice& notice);

}  // namespace berth::agent

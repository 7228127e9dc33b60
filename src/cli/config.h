// Where the CLI finds its endpoint and API token (SPEC §6):
//   endpoint: --endpoint, BERTH_ENDPOINT, the endpoint saved by `berth login`,
//             else http://127.0.0.1:8470;
//   token:    --token, BERTH_TOKEN, the token file written by `berth login`
//             ($XDG_CONFIG_HOME/berth/token, else ~/.config/berth/token),
//             else <data dir>/admin.token when readable (a local berthd's
//             admin token; data dir as berthd's: BERTH_DATA_DIR, /var/lib/berth
//             for root, $XDG_DATA_HOME/berth, ~/.local/share/berth).
// The environment is passed in so tests can fake it. Functions are pure apart
// from reading and writing those files.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "common/status.h"

namespace berth::cli {

inline constexpr const char* kDefaultEndpoint = "http://127.0.0.1:8470";

struct Environment {
  // Returns the variable's value, or nullopt when unset.
  std::function<std::optional<std::string>(const std::string&)> get;
  uid_t euid = 0;

  // The real process environment.
  static Environment Process();
};

// $XDG_CONFIG_HOME/berth or $HOME/.config/berth.
std::string ConfigDir(const Environment& env);
// berthd's default data dir for this user (see above).
std::string DataDir(const Environment& env);
std::string TokenFilePath(const Environment& env);
std::string EndpointFilePath(const Environment& env);
// The id of the saved token, when `berth login --user` minted it (so that
// `berth logout` can revoke it).
std::string TokenIdFilePath(const Environment& env);

// The endpoint URL to use (not yet parsed).
std::string ResolveEndpoint(const std::string& flag, const Environment& env);

struct ResolvedToken {
  std::string token;   // "" when none was found
  std::string source;  // "--token", "BERTH_TOKEN", a file path, or ""
};
ResolvedToken ResolveToken(const std::string& flag, const Environment& env);

// Stores the token (and the endpoint, unless empty; the token's id, unless
// empty, else any old id is removed) for later commands; files are written
// atomically with mode 0600 in a 0700 directory.
Status SaveLogin(const Environment& env, const std::string& token, const std::string& endpoint,
                 const std::string& token_id = {});
// Removes the saved token and its id (the endpoint stays). Ok when none.
Status ClearLogin(const Environment& env);

// Reads a small file and trims surrounding whitespace; nullopt if unreadable.
std::optional<std::string> ReadTrimmedFile(const std::string& path);

}  // namespace berth::cli

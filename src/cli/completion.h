// Shell completion scripts for `berth completion bash|zsh`, generated at run
// time by walking the CLI11 command table (subcommands, their aliases and
// the flags of each), so no list is kept by hand. The zsh script loads
// bashcompinit and reuses the bash function. Pure functions.
#pragma once

#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace berth::cli {

// A bash script defining _berth and `complete -F _berth berth`.
std::string BashCompletion(const CLI::App& root);
// The same for zsh (via bashcompinit).
std::string ZshCompletion(const CLI::App& root);

}  // namespace berth::cli

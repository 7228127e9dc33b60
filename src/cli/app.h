// The `berth` command line: global flags, the command table, and the mapping
// of outcomes to exit codes (SPEC §6): 0 ok, 1 the operation failed (message
// on stderr as "error: ..."), 2 usage error.
//
// Each command group lives in its own file (folder_commands.cc, ...) and
// registers its verbs on the root CLI11 app through a CommandGroup entry;
// cmd/berth_main.cc lists the groups explicitly. A verb's CLI11 callback only
// records what to run (CliContext::action); Run executes it after parsing.
//
// Not thread-safe: one CliContext per run.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.h"
#include "common/result.h"

namespace CLI {
class App;
}  // namespace CLI

namespace berth::cli {

class BerthClient;

struct CliContext {
  CliContext(Environment env, std::istream& in, std::ostream& out, std::ostream& err);
  ~CliContext();
  // The real process: environment, std::cin/cout/cerr, isatty().
  static std::unique_ptr<CliContext> ForProcess();

  Environment env;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool stdin_is_tty = false;
  bool stderr_is_tty = false;  // progress bars only on a terminal

  // Global flags.
  std::string endpoint_flag;
  std::string token_flag;
  // --cacert FILE (else BERTH_CACERT): a private CA for https:// endpoints.
  std::string cacert_flag;

  // Set by the chosen verb's callback during parsing; run afterwards.
  std::function<Status()> action;
  // A verb that has its own exit code (e.g. `session exec`) sets it here.
  std::optional<int> exit_code;

  // The API client, built on first use from the flags and the environment.
  Result<BerthClient*> Client();
  // The endpoint URL in effect (flag, env, saved, default).
  std::string EndpointUrl() const;

 private:
  std::unique_ptr<BerthClient> client_;
};

// Registers one command group on the root app.
using AddGroupFn = void (*)(CLI::App& root, CliContext& ctx);
struct CommandGroup {
  const char* name;
  AddGroupFn add;
};

// Command groups (one file each).
void AddFolderCommands(CLI::App& root, CliContext& ctx);   // folder_commands.cc
void AddLoginCommand(CLI::App& root, CliContext& ctx);     // login_command.cc
void AddAccountCommands(CLI::App& root, CliContext& ctx);  // account_commands.cc
void AddCompletionCommand(CLI::App& root, CliContext& ctx);  // completion.cc
void AddSessionCommands(CLI::App& root, CliContext& ctx);  // session_commands.cc
void AddImageCommands(CLI::App& root, CliContext& ctx);    // image_commands.cc
void AddUserCommands(CLI::App& root, CliContext& ctx);     // user_commands.cc
void AddTokenCommands(CLI::App& root, CliContext& ctx);    // token_commands.cc
void AddDotfileCommands(CLI::App& root, CliContext& ctx);  // dotfile_commands.cc
// The file verbs (file_commands.cc) and the sharing verbs
// (folder_share_commands.cc) of the folder group; called by
// AddFolderCommands.
void AddFolderFileVerbs(CLI::App* folder_group, CliContext& ctx);
void AddFolderShareVerbs(CLI::App* folder_group, CliContext& ctx);
// `folder snapshot ...` (folder_snapshot_commands.cc).
void AddFolderSnapshotVerbs(CLI::App* folder_group, CliContext& ctx);
// `folder download` (file_download.cc); called by AddFolderFileVerbs.
void AddFolderDownloadVerb(CLI::App* folder_group, CliContext& ctx);

// Parses argv, runs the chosen verb and returns the process exit code.
int Run(int argc, const char* const* argv, CliContext& ctx,
        const std::vector<CommandGroup>& groups);

// ---- Helpers for command implementations. ----

// A local usage error (exit code 2), e.g. incompatible arguments.
Status UsageError(std::string message);
// A failure whose messages were already printed (exit code 1, no more output).
Status AlreadyReported();
bool IsUsageError(const Status& s);

// Makes `cmd` record `fn` as the action to run when it is chosen.
void OnRun(CLI::App* cmd, CliContext& ctx, std::function<Status()> fn);
// Adds -o/--output table|json to a listing or info verb.
void AddOutputFlag(CLI::App* cmd, std::string* format);
// Pretty-prints a JSON document (the server's response) on stdout.
Status PrintJson(CliContext& ctx, const std::string& raw);
// Prints "error: <message>" on stderr.
void PrintError(CliContext& ctx, const std::string& message);

}  // namespace berth::cli

// berth: the command-line client (SPEC §6). Wiring only: the command groups
// are listed here explicitly; everything else lives in src/cli.
#include <memory>
#include <vector>

#include "cli/app.h"

int main(int argc, char** argv) {
  namespace cli = berth::cli;
  const std::vector<cli::CommandGroup> groups = {
      {"folder", cli::AddFolderCommands}, {"session", cli::AddSessionCommands},
      {"image", cli::AddImageCommands},   {"user", cli::AddUserCommands},
      {"token", cli::AddTokenCommands},   {"login", cli::AddLoginCommand},
      {"dotfile", cli::AddDotfileCommands},
      {"account", cli::AddAccountCommands}, {"completion", cli::AddCompletionCommand},
  };
  std::unique_ptr<cli::CliContext> ctx = cli::CliContext::ForProcess();
  return cli::Run(argc, argv, *ctx, groups);
}

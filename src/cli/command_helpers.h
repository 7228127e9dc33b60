// Helpers shared by the command-group files (folder_commands.cc,
// session_commands.cc, ...): verb registration and reading the server's JSON
// responses for tables. Include only in command .cc files: it pulls in CLI11
// and nlohmann/json. Pure functions; thread-safe.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/app.h"
#include "common/result.h"

namespace berth::cli {

// Adds verb `name` to `group`; when it is chosen, `run` runs with the options
// CLI11 filled in. The options live as long as the app (shared_ptr in the
// callback); `*out` is the new subcommand, for adding its flags.
template <typename Options>
std::shared_ptr<Options> Verb(CLI::App* group, CliContext& ctx, const std::string& name,
                              const std::string& help, Status (*run)(CliContext&, const Options&),
                              CLI::App** out) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = group->add_subcommand(name, help);
  OnRun(cmd, ctx, [&ctx, opts, run] { return run(ctx, *opts); });
  *out = cmd;
  return opts;
}

// The JSON object of a 2xx response; Internal if it is not one.
Result<nlohmann::json> ParseObject(const std::string& raw);
// The array `key` of a listing response ({"sessions": [...]}).
Result<nlohmann::json> ParseList(const std::string& raw, const char* key);

// A string field for a table cell: the string, a number as text, or "-"
// when missing or null.
std::string Field(const nlohmann::json& obj, const char* key);

// An "info" block: "Key:        value" lines with the values aligned.
class InfoBlock {
 public:
  InfoBlock& Line(const std::string& key, const std::string& value);
  std::string str() const { return out_; }

 private:
  std::string out_;
};

// Reads a secret (password) from `ctx.in`: one line, without its line end.
// Prompts on stderr with echo off when stdin is a terminal.
Result<std::string> ReadSecretLine(CliContext& ctx, const std::string& prompt);

}  // namespace berth::cli

namespace berth::cli {

// Prints a newly minted API token ({id, token}, shown only once): the token
// alone on stdout (TOKEN=$(berth token create)) and a note naming its id on
// stderr; with -o json the response as is.
Status PrintNewToken(CliContext& ctx, const std::string& raw, const std::string& output,
                     const std::string& note);

}  // namespace berth::cli

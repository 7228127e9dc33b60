// Test-only helpers for the CLI's in-process tests: a fixture that runs
// berth::cli::Run with every command group against a TestHttpServer (a
// scripted stand-in for berthd), and small JSON response builders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/test_http_server.h"

namespace berth::cli::testing {

struct Outcome {
  int code;
  std::string out, err;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline TestResponse Json(int status, const nlohmann::json& j) {
  return {status, "application/json", j.dump()};
}
inline TestResponse Error(int status, const std::string& code, const std::string& message) {
  return Json(status, {{"error", {{"code", code}, {"message", message}}}});
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-cli-app-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    vars_ = {{"HOME", dir_}, {"BERTH_DATA_DIR", dir_ + "/data"}};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Serve(TestHttpServer::Handler h) {
    server_ = std::make_unique<TestHttpServer>(std::move(h));
    vars_["BERTH_ENDPOINT"] = server_->url();
    vars_["BERTH_TOKEN"] = "tok";
  }

  // Runs `berth args...` with `stdin_text` as stdin (not a terminal).
  Outcome Cli(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    Environment env;
    env.get = [vars = vars_](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.euid = 1000;
    CliContext ctx(env, in, out, err);
    args.insert(args.begin(), "berth");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    int code = berth::cli::Run(static_cast<int>(argv.size()), argv.data(), ctx,
                               {{"folder", AddFolderCommands},
                                {"session", AddSessionCommands},
                                {"image", AddImageCommands},
                                {"user", AddUserCommands},
                                {"token", AddTokenCommands},
                                {"dotfile", AddDotfileCommands},
                                {"login", AddLoginCommand},
                                {"account", AddAccountCommands},
                                {"completion", AddCompletionCommand}});
    return {code, out.str(), err.str()};
  }

  // The JSON body of the last request the server got.
  nlohmann::json LastBody() { return nlohmann::json::parse(server_->requests().back().body); }

  std::string dir_;
  std::map<std::string, std::string> vars_;
  std::unique_ptr<TestHttpServer> server_;
};

}  // namespace berth::cli::testing

// In-process tests of the session, image, user, token and folder-sharing
// verbs against a scripted server: request shapes, exit codes (0/1/2 and
// `session exec`'s own), tables and -o json.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "api/exec_ndjson.h"
#include "cli/cli_testing.h"
#include "cli/exec_command.h"

namespace berth::cli {
namespace {

using nlohmann::json;
using testing::Error;
using testing::Json;
using testing::Outcome;
using testing::TestRequest;
using testing::TestResponse;

using CommandsTest = testing::CliTest;

json SessionJson(const std::string& name) {
  return {{"id", "sid-" + name},
          {"name", name},
          {"owner", "admin"},
          {"image", "python"},
          {"status", "running"},
          {"created_at", "2024-05-01T12:00:00Z"},
          {"mounts",
           {{{"folder", "data"},
             {"folder_id", "f1"},
             {"target", "/home/work/data"},
             {"permission", "rw"},
             {"automount", false}},
            {{"folder", ".local"},
             {"folder_id", "f2"},
             {"target", "/home/work/.local"},
             {"permission", "rw"},
             {"automount", true}}}},
          {"persistent_paths", {"/home/work/data", "/home/work/.local"}},
          {"resources", {{"cpu", 2}, {"memory_bytes", 2ull << 30}}}};
}

TEST_F(CommandsTest, HelpForEveryVerb) {
  const std::vector<std::vector<std::string>> verbs = {
      {"session", "create"}, {"session", "list"},       {"session", "info"},  {"session", "logs"},
      {"session", "delete"}, {"session", "exec"},       {"session", "shell"}, {"image", "list"},
      {"image", "build"},    {"image", "import"},       {"user", "create"},   {"user", "list"},
      {"user", "update"},    {"user", "delete"},        {"user", "token"},    {"token", "create"},
      {"token", "list"},     {"token", "revoke"},       {"folder", "share"},  {"folder", "unshare"},
      {"folder", "shares"},  {"folder", "invitations"}, {"folder", "accept"}, {"folder", "reject"},
      {"folder", "leave"},   {"whoami"},                {"logout"},           {"passwd"},
      {"completion"},        {"folder", "download"},    {"vfolder", "upload"}};
  for (auto args : verbs) {
    args.push_back("--help");
    Outcome o = Cli(args);
    EXPECT_EQ(o.code, 0) << args[0] << " " << args[1];
    EXPECT_NE(o.out.find("Usage:"), std::string::npos) << args[0] << " " << args[1];
  }
  for (const char* group : {"session", "image", "user", "token"}) {
    EXPECT_EQ(Cli({group}).code, 2) << group;  // a group without a verb
  }
}

TEST_F(CommandsTest, SessionCreateSendsMountsResourcesEnv) {
  Serve([](const TestRequest& r) {
    if (r.method == "POST" && r.path == "/api/v1/sessions") return Json(201, SessionJson("s1"));
    return Error(404, "not_found", "no route");
  });
  Outcome o = Cli({"session",  "create",      "--name",         "s1",      "--image",
                   "python",   "-m",          "data",           "--mount", "models:/mnt/models:ro",
                   "-m",       "out:results", "--no-automount", "--cpu",   "2",
                   "--memory", "2G",          "--env",          "A=1",     "--env",
                   "B=x=y",    "--gpus",      "1",              "--resource-group", "gpu"});
  ASSERT_EQ(o.code, 0) << o.err;
  json body = LastBody();
  EXPECT_EQ(body["name"], "s1");
  EXPECT_EQ(body["image"], "python");
  EXPECT_EQ(body["mounts"],
            json({{{"folder", "data"}},
                  {{"folder", "models"}, {"target", "/mnt/models"}, {"permission", "ro"}},
                  {{"folder", "out"}, {"target", "results"}}}));
  EXPECT_EQ(body["automount"], false);
  EXPECT_EQ(body["resources"], json({{"cpu", 2.0}, {"memory_bytes", 2ull << 30}, {"gpus", 1}}));
  EXPECT_EQ(body["resource_group"], "gpu");
  EXPECT_EQ(body["env"], json({{"A", "1"}, {"B", "x=y"}}));
  EXPECT_NE(o.out.find("Session s1 is running"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("data -> /home/work/data (rw)"), std::string::npos) << o.out;

  o = Cli({"session", "create", "-o", "json"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(json::parse(o.out)["name"], "s1");
  EXPECT_EQ(LastBody(), json({{"mounts", json::array()}}));  // no automount key: default true
}

TEST_F(CommandsTest, SessionCreateUsageErrors) {
  Serve([](const TestRequest&) { return Json(201, SessionJson("s1")); });
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"-m", "data::ro"},
           {"-m", ":x"},
           {"--memory", "lots"},
           {"--cpu", "0"},
           {"--cpu", "many"},
           {"--gpus", "-1"},
           {"--gpus", "65"},
           {"--env", "NOVALUE"},
           {"--name", "Bad_Name"},
       }) {
    args.insert(args.begin(), {"session", "create"});
    Outcome o = Cli(args);
    EXPECT_EQ(o.code, 2) << args[2] << " " << args[3];
    EXPECT_EQ(o.err.rfind("error: ", 0), 0u) << o.err;
  }
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(CommandsTest, SessionCreateServerErrorExitsOne) {
  Serve([](const TestRequest&) {
    return Error(403, "permission_denied", "folder 'shared' is read-only for you");
  });
  Outcome o = Cli({"session", "create", "-m", "shared:rw"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: folder 'shared' is read-only for you\n");
}

TEST_F(CommandsTest, SessionListInfoLogsDelete) {
  Serve([](const TestRequest& r) {
    if (r.path == "/api/v1/sessions") {
      return Json(200, {{"sessions", {SessionJson("s1"), SessionJson("s2")}}});
    }
    if (r.path == "/api/v1/sessions/s1" && r.method == "GET") return Json(200, SessionJson("s1"));
    if (r.path == "/api/v1/sessions/s2" && r.method == "GET") {
      json s = SessionJson("s2");  // a cluster session, queued
      s["status"] = "pending";
      s["status_reason"] = "Resources";
      s["node"] = nullptr;
      s["resource_group"] = "batch";
      return Json(200, s);
    }
    if (r.path == "/api/v1/sessions/s1/logs") return TestResponse{200, "text/plain", "line1\n"};
    if (r.path == "/api/v1/sessions/s1" && r.method == "DELETE") return TestResponse{204, "", ""};
    return Error(404, "session_not_found", "no session named 'x'");
  });
  Outcome o = Cli({"session", "list"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out.rfind("NAME  STATUS   IMAGE   OWNER", 0), 0u) << o.out;
  EXPECT_NE(o.out.find("s2    running  python  admin  2024-05-01 12:00:00  data,.local"),
            std::string::npos)
      << o.out;
  o = Cli({"session", "list", "-o", "json"});
  EXPECT_EQ(json::parse(o.out)["sessions"].size(), 2u);

  o = Cli({"session", "info", "s1"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("Status:     running"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Resources:  2 CPU, 2.0 GiB memory"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(".local  /home/work/.local  rw    yes"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Persistent: /home/work/data, /home/work/.local"), std::string::npos);
  EXPECT_EQ(o.out.find("Node:"), std::string::npos) << o.out;  // one host
  o = Cli({"session", "info", "s2"});
  EXPECT_NE(o.out.find("Status:     pending"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Reason:     Resources"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("Group:      batch"), std::string::npos) << o.out;
  o = Cli({"session", "info", "s1", "-o", "json"});
  EXPECT_EQ(json::parse(o.out)["mounts"].size(), 2u);

  o = Cli({"session", "logs", "s1"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "line1\n");

  o = Cli({"session", "delete", "x", "s1"});  // keeps going after a failure
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: x: no session named 'x'\n");
  EXPECT_EQ(o.out, "Deleted session s1\n");
  EXPECT_EQ(Cli({"session", "rm", "s1"}).code, 0);
}

// A streamed exec's body (api/exec_ndjson.h).
TestResponse Ndjson(const std::vector<std::string>& lines) {
  TestResponse r;
  r.content_type = "application/x-ndjson";
  r.chunked = true;
  for (const auto& l : lines) r.body += l;
  return r;
}

TEST_F(CommandsTest, ExecStreamsAndPropagatesExitCode) {
  using api::ExecStreamKind;
  Serve([](const TestRequest& r) {
    if (r.path != "/api/v1/sessions/s/exec") return Error(404, "not_found", "no session");
    if (r.headers.count("accept") == 0 || r.headers.at("accept") != "application/x-ndjson") {
      return Error(400, "bad_accept", "not streamed");
    }
    json b = json::parse(r.body);
    const json& cmd = b["command"];
    if (cmd == json({"sh", "-c", "exit 7"})) return Ndjson({api::ExecExitLine(7)});
    if (cmd == json({"cat"})) {
      std::string in = "<none>";
      if (b.contains("stdin_b64")) in = *api::Base64Decode(b["stdin_b64"].get<std::string>());
      return Ndjson({api::ExecOutputLine(ExecStreamKind::kStdout, in),
                     api::ExecOutputLine(ExecStreamKind::kStderr, "warn\n"),
                     api::ExecExitLine(0)});
    }
    if (cmd == json({"sleep", "100"})) return Ndjson({api::ExecTimeoutLine(124, 5000)});
    if (cmd == json({"gone"})) {
      return Ndjson({api::ExecErrorLine(NotFound("container was removed during exec"))});
    }
    if (cmd == json({"cut"})) return Ndjson({api::ExecOutputLine(ExecStreamKind::kStdout, "x")});
    return Ndjson({api::ExecOutputLine(ExecStreamKind::kStdout, cmd.dump()), api::ExecExitLine(0)});
  });
  Outcome o = Cli({"session", "exec", "s", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(o.code, 7) << o.err;
  EXPECT_EQ(o.err, "");

  // Piped stdin travels as bytes (stdin_b64), NUL and invalid UTF-8 included.
  std::string binary("piped\0\xff\xfe input\n", 15);
  o = Cli({"session", "exec", "s", "--", "cat"}, binary);
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, binary);
  EXPECT_EQ(o.err, "warn\n");
  EXPECT_FALSE(LastBody().contains("stdin"));
  o = Cli({"session", "exec", "-n", "s", "--", "cat"}, "piped input\n");
  EXPECT_EQ(o.out, "<none>");

  o = Cli({"session", "exec", "--timeout", "5", "s", "--", "sleep", "100"});
  EXPECT_EQ(o.code, 124);
  EXPECT_NE(o.err.find("timeout of 5 s"), std::string::npos) << o.err;
  EXPECT_EQ(LastBody()["timeout_s"], 5);
  // SPEC §6 order: NAME, then our options, then "--" and the command.
  o = Cli({"session", "exec", "s", "--timeout", "5", "--", "sleep", "100"});
  EXPECT_EQ(o.code, 124) << o.err;
  EXPECT_EQ(LastBody()["timeout_s"], 5);
  EXPECT_EQ(LastBody()["command"], json({"sleep", "100"}));
  o = Cli({"session", "exec", "s", "--timeout=5", "-n", "--", "sleep", "100"});
  EXPECT_EQ(o.code, 124) << o.err;
  EXPECT_EQ(Cli({"session", "exec", "s", "--timeout", "x", "--", "true"}).code, 2);
  EXPECT_EQ(Cli({"session", "exec", "s", "--bogus", "--", "true"}).code, 2);
  // A command of our own option's name is still reachable (no "--" after it).
  o = Cli({"session", "exec", "s", "--", "ls", "--", "x"});
  EXPECT_EQ(json::parse(o.out), json({"ls", "--", "x"}));

  // Options of the command are not ours once the command has started.
  o = Cli({"session", "exec", "s", "--", "ls", "-la", "--color", "/home/work"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(json::parse(o.out), json({"ls", "-la", "--color", "/home/work"}));

  EXPECT_EQ(Cli({"session", "exec", "s"}).code, 2);  // no command
  EXPECT_EQ(Cli({"session", "exec", "s", "--"}).code, 2);
  // Berth failed, not the command: 125.
  o = Cli({"session", "exec", "nope", "--", "true"});
  EXPECT_EQ(o.code, 125);
  EXPECT_EQ(o.err, "error: no session\n");
  o = Cli({"session", "exec", "s", "--", "gone"});
  EXPECT_EQ(o.code, 125);
  EXPECT_EQ(o.err, "error: container was removed during exec\n");
  o = Cli({"session", "exec", "s", "--", "cut"});  // no final line
  EXPECT_EQ(o.code, 125);
  EXPECT_EQ(o.out, "x");
}

TEST_F(CommandsTest, ExecRefusesStdinOverTheCap) {
  Serve([](const TestRequest&) { return Ndjson({api::ExecExitLine(0)}); });
  Outcome o = Cli({"session", "exec", "s", "--", "cat"}, std::string(kMaxExecStdin + 1, 'x'));
  EXPECT_EQ(o.code, 125);
  EXPECT_NE(o.err.find("larger than 16 MiB"), std::string::npos) << o.err;
}

TEST_F(CommandsTest, Images) {
  std::string imported;
  Serve([&](const TestRequest& r) {
    json img = {{"name", "python"},
                {"created_at", "2024-05-01T12:00:00Z"},
                {"size_bytes", 300ull << 20},
                {"source", "recipe"}};
    if (r.path == "/api/v1/images") return Json(200, {{"images", {img}}});
    if (r.path == "/api/v1/images/build") {
      if (json::parse(r.body)["recipe"] != "python") return Error(404, "not_found", "no recipe");
      return Json(201, img);
    }
    if (r.path == "/api/v1/images/import" && r.method == "PUT") {
      imported = r.body;
      img["name"] = r.query.at("name");
      return Json(201, img);
    }
    return Error(404, "not_found", "no route");
  });
  Outcome o = Cli({"image", "list"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("python  300.0 MiB  recipe"), std::string::npos) << o.out;
  EXPECT_EQ(json::parse(Cli({"image", "list", "-o", "json"}).out)["images"][0]["name"], "python");

  o = Cli({"image", "build", "python"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "Built image python (300.0 MiB)\n");
  EXPECT_EQ(Cli({"image", "build", "nope"}).code, 1);

  std::string tar(100000, 't');
  std::ofstream(dir_ + "/img.tar", std::ios::binary) << tar;
  o = Cli({"image", "import", "mine", dir_ + "/img.tar"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(imported, tar);
  EXPECT_EQ(o.out, "Imported image mine (300.0 MiB)\n");
  o = Cli({"image", "import", "mine", dir_ + "/missing.tar"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("missing.tar"), std::string::npos);
}

TEST_F(CommandsTest, Users) {
  Serve([](const TestRequest& r) {
    json u = {{"id", "u1"},
              {"name", "bob"},
              {"role", "user"},
              {"sudo_allowed", false},
              {"uid", 1000},
              {"gid", 1000},
              {"created_at", "2024-05-01T12:00:00Z"}};
    if (r.path == "/api/v1/users" && r.method == "POST") return Json(201, u);
    if (r.path == "/api/v1/users") return Json(200, {{"users", {u}}});
    if (r.path == "/api/v1/users/bob" && r.method == "PATCH") return Json(200, u);
    if (r.path == "/api/v1/users/bob" && r.method == "DELETE") return TestResponse{204, "", ""};
    if (r.path == "/api/v1/users/bob/tokens") return Json(201, {{"id", "t9"}, {"token", "SECRET"}});
    return Error(404, "user_not_found", "no user");
  });
  Outcome o = Cli({"user", "create", "bob", "--password-stdin", "--sudo-allowed"}, "pa ss\n");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(
      LastBody(),
      json({{"name", "bob"}, {"role", "user"}, {"sudo_allowed", true}, {"password", "pa ss"}}));
  Cli({"user", "create", "root2", "--superadmin"});
  EXPECT_EQ(LastBody(), json({{"name", "root2"}, {"role", "superadmin"}}));
  EXPECT_EQ(Cli({"user", "create", "x", "--password-stdin"}, "").code, 2);

  o = Cli({"user", "list"});
  EXPECT_NE(o.out.find("bob   user  no    1000  1000"), std::string::npos) << o.out;
  EXPECT_EQ(json::parse(Cli({"user", "list", "-o", "json"}).out)["users"][0]["name"], "bob");

  EXPECT_EQ(Cli({"user", "update", "bob"}).code, 2);  // nothing to change
  EXPECT_EQ(Cli({"user", "update", "bob", "--sudo-allowed", "--no-sudo-allowed"}).code, 2);
  EXPECT_EQ(Cli({"user", "update", "bob", "--role", "king"}).code, 2);
  o = Cli({"user", "update", "bob", "--no-sudo-allowed", "--role", "superadmin"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastBody(), json({{"sudo_allowed", false}, {"role", "superadmin"}}));
  EXPECT_EQ(server_->requests().back().method, "PATCH");
  o = Cli({"user", "update", "bob", "--max-sessions", "2", "--max-cpu", "1.5", "--max-memory",
           "4G", "--max-pids", "none"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastBody(), json({{"limits",
                               {{"max_sessions", 2},
                                {"max_cpu", 1.5},
                                {"max_memory_bytes", uint64_t{4} << 30},
                                {"max_pids", nullptr}}}}));
  EXPECT_EQ(Cli({"user", "update", "bob", "--max-sessions", "1.5"}).code, 2);
  EXPECT_EQ(Cli({"user", "update", "bob", "--max-pids", "0"}).code, 2);

  o = Cli({"user", "token", "bob"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, "SECRET\n");
  EXPECT_EQ(Cli({"user", "delete", "bob"}).code, 0);
  EXPECT_EQ(Cli({"user", "delete", "nobody"}).err, "error: no user\n");
}

TEST_F(CommandsTest, Tokens) {
  Serve([](const TestRequest& r) {
    if (r.path == "/api/v1/tokens" && r.method == "POST") {
      return Json(201, {{"id", "t1"}, {"token", "brt_secret"}});
    }
    if (r.path == "/api/v1/tokens") {
      return Json(200, {{"tokens",
                         {{{"id", "t1"},
                           {"label", "ci"},
                           {"created_at", "2024-05-01T12:00:00Z"},
                           {"last_used_at", nullptr}}}}});
    }
    if (r.path == "/api/v1/tokens/t1" && r.method == "DELETE") return TestResponse{204, "", ""};
    return Error(404, "token_not_found", "no token 'x'");
  });
  Outcome o = Cli({"token", "create", "--label", "ci"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "brt_secret\n");  // alone on stdout: TOKEN=$(berth token create)
  EXPECT_NE(o.err.find("id t1"), std::string::npos);
  EXPECT_EQ(LastBody(), json({{"label", "ci"}}));
  EXPECT_EQ(json::parse(Cli({"token", "create", "-o", "json"}).out)["token"], "brt_secret");

  o = Cli({"token", "list"});
  EXPECT_NE(o.out.find("t1  ci     2024-05-01 12:00:00  -"), std::string::npos) << o.out;
  EXPECT_EQ(json::parse(Cli({"token", "list", "-o", "json"}).out)["tokens"].size(), 1u);
  EXPECT_EQ(Cli({"token", "revoke", "t1"}).out, "Revoked token t1\n");
  EXPECT_EQ(Cli({"token", "revoke", "x"}).code, 1);
}

TEST_F(CommandsTest, FolderSharing) {
  Serve([](const TestRequest& r) {
    if (r.path == "/api/v1/folders/data/shares" && r.method == "POST") {
      json b = json::parse(r.body);
      return Json(201,
                  {{"user", b["user"]}, {"permission", b["permission"]}, {"status", "pending"}});
    }
    if (r.path == "/api/v1/folders/data/shares") {
      return Json(200,
                  {{"shares", {{{"user", "bob"}, {"permission", "ro"}, {"status", "accepted"}}}}});
    }
    if (r.path == "/api/v1/folders/data/shares/bob") return TestResponse{204, "", ""};
    if (r.path == "/api/v1/invitations") {
      return Json(200, {{"invitations",
                         {{{"id", "inv1"},
                           {"folder", "data"},
                           {"folder_id", "f1"},
                           {"owner", "alice"},
                           {"permission", "rw"},
                           {"created_at", "2024-05-01T12:00:00Z"}}}}});
    }
    if (r.path == "/api/v1/invitations/inv1/accept") return Json(200, {{"folder", "data"}});
    if (r.path == "/api/v1/invitations/inv1/reject") return TestResponse{204, "", ""};
    if (r.path == "/api/v1/folders/data/leave") return TestResponse{204, "", ""};
    return Error(404, "not_found", "no invitation");
  });
  Outcome o = Cli({"folder", "share", "data", "bob", "--permission", "ro"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastBody(), json({{"user", "bob"}, {"permission", "ro"}}));
  EXPECT_NE(o.out.find("accept"), std::string::npos);
  EXPECT_EQ(Cli({"folder", "share", "data", "bob"}).code, 2);  // --permission is required
  EXPECT_EQ(Cli({"folder", "share", "data", "bob", "--permission", "rx"}).code, 2);

  o = Cli({"folder", "shares", "data"});
  EXPECT_NE(o.out.find("bob   ro    accepted"), std::string::npos) << o.out;
  EXPECT_EQ(Cli({"folder", "unshare", "data", "bob"}).code, 0);
  EXPECT_EQ(server_->requests().back().method, "DELETE");

  o = Cli({"vfolder", "invitations"});
  EXPECT_NE(o.out.find("inv1  data    alice  rw"), std::string::npos) << o.out;
  EXPECT_EQ(json::parse(Cli({"folder", "invitations", "-o", "json"}).out)["invitations"].size(),
            1u);
  o = Cli({"folder", "accept", "inv1"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("folder data"), std::string::npos) << o.out;
  EXPECT_EQ(Cli({"folder", "reject", "inv1"}).code, 0);
  EXPECT_EQ(Cli({"folder", "reject", "inv2"}).err, "error: no invitation\n");
  EXPECT_EQ(Cli({"folder", "leave", "data"}).out, "Left shared folder data\n");
}

TEST_F(CommandsTest, Dotfiles) {
  Serve([](const TestRequest& r) {
    json d = {{"path", ".ssh/authorized_keys"},
              {"mode", "0600"},
              {"size", 4},
              {"updated_at", "2024-05-01T12:00:00Z"}};
    if (r.path == "/api/v1/dotfiles") return Json(200, {{"dotfiles", {d}}});
    if (r.method == "PUT") return Json(201, d);
    if (r.method == "GET" && r.path == "/api/v1/dotfiles/.bashrc") {
      return TestResponse{200, "application/octet-stream", "export A=1\n"};
    }
    if (r.method == "DELETE") return TestResponse{204, "", ""};
    return Error(404, "dotfile_not_found", "no dotfile");
  });
  Outcome o = Cli({"dotfile", "set", ".ssh/authorized_keys", "-", "--mode", "0600"}, "key\n");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(server_->requests().back().method, "PUT");
  EXPECT_EQ(server_->requests().back().target, "/api/v1/dotfiles/.ssh/authorized_keys?mode=0600");
  EXPECT_EQ(server_->requests().back().body, "key\n");
  o = Cli({"dotfile", "list"});
  EXPECT_NE(o.out.find(".ssh/authorized_keys  0600"), std::string::npos) << o.out;
  EXPECT_EQ(json::parse(Cli({"dotfile", "list", "-o", "json"}).out)["dotfiles"][0]["mode"], "0600");
  EXPECT_EQ(Cli({"dotfile", "get", ".bashrc"}).out, "export A=1\n");
  o = Cli({"dotfile", "get", ".nope"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("error: "), std::string::npos);
  EXPECT_EQ(Cli({"dotfile", "rm", ".bashrc"}).code, 0);
  EXPECT_EQ(server_->requests().back().method, "DELETE");
  EXPECT_EQ(Cli({"dotfile", "set", ".bashrc"}).code, 2);
  EXPECT_EQ(Cli({"dotfile", "set", ".bashrc", "/nonexistent/file"}).code, 1);
}

}  // namespace
}  // namespace berth::cli

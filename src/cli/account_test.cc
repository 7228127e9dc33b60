// In-process tests of the account verbs against a scripted server: password
// login (cookie → CSRF → token → sign-out), whoami, logout (revoke + forget),
// passwd (PATCH /me), `session list --all` and `completion`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/cli_testing.h"
#include "cli/completion.h"

namespace berth::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Error;
using testing::Json;
using testing::Outcome;
using testing::ReadFile;
using testing::TestRequest;
using testing::TestResponse;

using AccountTest = testing::CliTest;

std::string Header(const TestRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

// A server with one user alice/pw that speaks the web sign-in flow.
TestResponse FakeAuth(const TestRequest& r) {
  bool cookie = Header(r, "cookie") == "berth_session=s3cr3t";
  if (r.method == "POST" && r.path == "/api/v1/auth/login") {
    json b = json::parse(r.body);
    if (b["user"] != "alice" || b["password"] != "pw") {
      return Error(401, "bad_credentials", "wrong user name or password");
    }
    TestResponse res = Json(200, {{"name", "alice"}, {"role", "user"}});
    res.headers = {{"Set-Cookie", "berth_session=s3cr3t; Path=/; HttpOnly; SameSite=Strict"}};
    return res;
  }
  if (!Header(r, "authorization").empty() && cookie) return Error(400, "bad", "both");
  if (r.method == "GET" && r.path == "/api/v1/me" && cookie) {
    return Json(200, {{"name", "alice"}, {"role", "user"}, {"csrf_token", "csrf1"}});
  }
  if (r.method == "POST" && r.path == "/api/v1/tokens" && cookie) {
    if (Header(r, "x-csrf-token") != "csrf1") return Error(403, "csrf_failed", "no csrf");
    return Json(201, {{"id", "tid-1"}, {"token", "brt_minted"}});
  }
  if (r.method == "POST" && r.path == "/api/v1/auth/logout" && cookie) {
    return TestResponse{204, "", ""};
  }
  return Error(401, "unauthenticated", "unexpected " + r.method + " " + r.path);
}

TEST_F(AccountTest, LoginWithPasswordMintsAndSavesAToken) {
  Serve(FakeAuth);
  vars_.erase("BERTH_TOKEN");
  Outcome o = Cli({"login", "--user", "alice"}, "pw\n");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(ReadFile(dir_ + "/.config/berth/token"), "brt_minted\n");
  EXPECT_EQ(ReadFile(dir_ + "/.config/berth/token_id"), "tid-1\n");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/.config/berth/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[2].path, "/api/v1/tokens");
  EXPECT_EQ(json::parse(reqs[2].body)["label"].get<std::string>().rfind("cli@", 0), 0u);
  EXPECT_EQ(reqs[3].path, "/api/v1/auth/logout");  // the web session is signed out
  EXPECT_EQ(Header(reqs[3], "x-csrf-token"), "csrf1");
  EXPECT_EQ(o.out.find("brt_minted"), std::string::npos);  // the token is not printed
}

TEST_F(AccountTest, LoginWithAWrongPasswordFails) {
  Serve(FakeAuth);
  Outcome o = Cli({"login", "--user", "alice"}, "nope\n");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: wrong user name or password\n");
  EXPECT_FALSE(fs::exists(dir_ + "/.config/berth/token"));
  EXPECT_EQ(Cli({"login", "--user", "alice"}, "").code, 2);  // no password at all
  EXPECT_EQ(Cli({"login", "--user", "alice", "--web"}).code, 2);
}

TEST_F(AccountTest, WhoamiPrintsNameAndRole) {
  Serve([](const TestRequest& r) {
    if (r.path != "/api/v1/me") return Error(404, "not_found", "no");
    return Json(200, {{"name", "alice"}, {"role", "user"}, {"sudo_allowed", false}});
  });
  Outcome o = Cli({"whoami"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "alice (user)\n");
  o = Cli({"whoami", "-o", "json"});
  EXPECT_EQ(json::parse(o.out)["sudo_allowed"], false);
}

TEST_F(AccountTest, LogoutRevokesTheMintedTokenAndForgetsIt) {
  Serve([](const TestRequest& r) {
    if (r.method == "DELETE" && r.path == "/api/v1/tokens/tid-1" &&
        Header(r, "authorization") == "Bearer brt_saved") {
      return TestResponse{204, "", ""};
    }
    return Error(404, "not_found", "no");
  });
  vars_.erase("BERTH_TOKEN");
  fs::create_directories(dir_ + "/.config/berth");
  std::ofstream(dir_ + "/.config/berth/token") << "brt_saved\n";
  std::ofstream(dir_ + "/.config/berth/token_id") << "tid-1\n";
  Outcome o = Cli({"logout"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("Revoked token tid-1"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(dir_ + "/.config/berth/token"));
  EXPECT_FALSE(fs::exists(dir_ + "/.config/berth/token_id"));
  o = Cli({"logout"});  // again: nothing to do
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("Not logged in"), std::string::npos);
}

TEST_F(AccountTest, PasswdSendsOldAndNewPassword) {
  Serve([](const TestRequest& r) {
    if (r.method != "PATCH" || r.path != "/api/v1/me") return Error(404, "not_found", "no");
    json b = json::parse(r.body);
    if (b["old_password"] != "old") return Error(403, "bad_credentials", "wrong old password");
    return Json(200, {{"name", "alice"}, {"role", "user"}});
  });
  Outcome o = Cli({"passwd"}, "old\nnew-pw\n");
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(LastBody(), json({{"old_password", "old"}, {"password", "new-pw"}}));
  o = Cli({"passwd"}, "bad\nnew-pw\n");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: wrong old password\n");
  EXPECT_EQ(Cli({"passwd"}, "old\n\n").code, 2);  // empty new password
}

TEST_F(AccountTest, SessionListAllNeedsASuperadmin) {
  std::string role = "superadmin";
  Serve([&role](const TestRequest& r) {
    if (r.path == "/api/v1/me") return Json(200, {{"name", "root"}, {"role", role}});
    if (r.path == "/api/v1/sessions" && r.query.count("all") && r.query.at("all") == "true") {
      return Json(200, {{"sessions", {{{"name", "s1"}, {"owner", "bob"}, {"status", "running"}}}}});
    }
    return Error(404, "not_found", "no");
  });
  Outcome o = Cli({"session", "list", "--all"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("OWNER"), std::string::npos);
  EXPECT_NE(o.out.find("bob"), std::string::npos);
  role = "user";
  o = Cli({"session", "list", "--all"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("needs a superadmin"), std::string::npos) << o.err;
}

TEST_F(AccountTest, CompletionScriptsComeFromTheCommandTable) {
  Outcome o = Cli({"completion", "bash"});
  ASSERT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("complete -o default -F _berth berth"), std::string::npos);
  EXPECT_NE(o.out.find("\"folder\") echo \""), std::string::npos);
  EXPECT_NE(o.out.find("\"vfolder\") echo \"folder\""), std::string::npos);  // an alias
  EXPECT_NE(o.out.find("--continue"), std::string::npos);
  EXPECT_NE(o.out.find("whoami"), std::string::npos);
  o = Cli({"completion", "zsh"});
  ASSERT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("bashcompinit"), std::string::npos);
  EXPECT_EQ(Cli({"completion", "fish"}).code, 2);
}

// Sources the script in bash and asks for completions, as a shell would.
std::string Complete(const std::string& script_path, const std::string& line) {
  std::string cmd = "bash -c 'source " + script_path + " && COMP_WORDS=(" + line +
                    ") && COMP_CWORD=$((${#COMP_WORDS[@]}-1)) && "
                    "_berth && echo \"${COMPREPLY[*]}\"'";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST_F(AccountTest, BashCompletionCompletesVerbsAndFlags) {
  Outcome o = Cli({"completion", "bash"});
  ASSERT_EQ(o.code, 0);
  std::string path = dir_ + "/berth.bash";
  std::ofstream(path) << o.out;
  EXPECT_EQ(Complete(path, "berth fol"), "folder\n");
  EXPECT_EQ(Complete(path, "berth vfolder down"), "download\n");
  EXPECT_EQ(Complete(path, "berth session list --a"), "--all\n");
  EXPECT_EQ(Complete(path, "berth folder download data --con"), "--continue\n");
  EXPECT_EQ(Complete(path, "berth who"), "whoami\n");
  EXPECT_EQ(Complete(path, "berth completion \"\""), "bash zsh\n");  // a positional's choices
  EXPECT_EQ(Complete(path, "berth folder list -o \"\""), "table json\n");  // a flag's choices
  EXPECT_EQ(Complete(path, "berth folder list -o j"), "json\n");
}

}  // namespace
}  // namespace berth::cli

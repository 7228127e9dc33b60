// End-to-end tests of the CLI in-process: Run() against TestHttpServer, a
// scripted stand-in for berthd (the real one is driven by
// tests/integration/).
#include "cli/app.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_testing.h"
#include "cli/test_http_server.h"

namespace berth::cli {
namespace {

namespace fs = std::filesystem;
namespace cli = berth::cli;
using nlohmann::json;
using testing::Error;
using testing::Json;
using testing::Outcome;
using testing::ReadFile;
using testing::TestHttpServer;
using testing::TestRequest;
using testing::TestResponse;

json FolderJson(const std::string& name) {
  return {{"id", "id-" + name},
          {"name", name},
          {"volume", "local"},
          {"owner", "admin"},
          {"permission", "rw"},
          {"status", "ready"},
          {"created_at", "2024-05-01T12:00:00Z"},
          {"automount", name[0] == '.'},
          {"quota_bytes", nullptr}};
}

// A tar archive in memory, entries {name, content} ("x/" = directory).
std::string MakeTar(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const auto& [name, content] : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    bool dir = name.back() == '/';
    archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, dir ? 0755 : 04755);  // set-id bits must be dropped
    archive_entry_set_size(e, dir ? 0 : static_cast<la_int64_t>(content.size()));
    archive_write_header(a, e);
    if (!dir) archive_write_data(a, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

using AppTest = testing::CliTest;

TEST_F(AppTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Cli({}).code, 2);
  EXPECT_EQ(Cli({"folder"}).code, 2);
  EXPECT_EQ(Cli({"folder", "frobnicate"}).code, 2);
  EXPECT_EQ(Cli({"folder", "info"}).code, 2);  // NAME missing
  Outcome o = Cli({"folder", "create", "x", "--quota", "10X"});
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.err.find("error: "), std::string::npos) << o.err;
  EXPECT_EQ(Cli({"folder", "list", "-o", "yaml"}).code, 2);
  EXPECT_EQ(Cli({"--endpoint", "ftp://x", "folder", "list"}).code, 2);
}

TEST_F(AppTest, HelpAndVersionExitZero) {
  Outcome o = Cli({"--version"});
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("berth " BERTH_VERSION), std::string::npos);
  for (const char* verb : {"create", "list", "info", "rename", "delete", "restore", "purge", "ls",
                           "mkdir", "upload", "download", "cat", "mv", "rm"}) {
    o = Cli({"folder", verb, "--help"});
    EXPECT_EQ(o.code, 0) << verb;
    EXPECT_NE(o.out.find("Usage:"), std::string::npos) << verb;
  }
  EXPECT_EQ(Cli({"vfolder", "--help"}).code, 0);
  EXPECT_EQ(Cli({"login", "--help"}).code, 0);
}

TEST_F(AppTest, ServerDownExitsOne) {
  vars_["BERTH_ENDPOINT"] = "http://127.0.0.1:1";
  Outcome o = Cli({"folder", "list"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err.rfind("error: cannot connect to http://127.0.0.1:1", 0), 0u) << o.err;
}

TEST_F(AppTest, ListTableAndJson) {
  Serve([](const TestRequest& r) {
    if (r.path == "/api/v1/folders") {
      return Json(200, {{"folders", {FolderJson("data"), FolderJson(".local")}}});
    }
    return Error(404, "not_found", "no route");
  });
  Outcome o = Cli({"vfolder", "list"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("NAME"), std::string::npos);
  EXPECT_NE(o.out.find("data    id-data"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find(".local  id-.local"), std::string::npos) << o.out;
  EXPECT_EQ(server_->requests().back().headers["authorization"], "Bearer tok");

  o = Cli({"folder", "list", "--trash", "-o", "json"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(json::parse(o.out)["folders"].size(), 2u);
  EXPECT_EQ(server_->requests().back().query.at("status"), "trash");
}

TEST_F(AppTest, ServerErrorIsPrinted) {
  Serve([](const TestRequest&) { return Error(404, "folder_not_found", "no folder named 'x'"); });
  Outcome o = Cli({"folder", "info", "x"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: no folder named 'x'\n");
  EXPECT_EQ(o.out, "");
}

TEST_F(AppTest, TokenFallsBackToAdminToken) {
  Serve([](const TestRequest&) { return Json(200, {{"folders", json::array()}}); });
  vars_.erase("BERTH_TOKEN");
  fs::create_directories(dir_ + "/data");
  std::ofstream(dir_ + "/data/admin.token") << "admin-secret\n";
  EXPECT_EQ(Cli({"folder", "list"}).out, "No folders.\n");
  EXPECT_EQ(server_->requests().back().headers["authorization"], "Bearer admin-secret");
  Cli({"--token", "flag-tok", "folder", "list"});
  EXPECT_EQ(server_->requests().back().headers["authorization"], "Bearer flag-tok");
}

TEST_F(AppTest, CreateSendsQuotaBytes) {
  Serve([](const TestRequest& r) { return Json(201, FolderJson(json::parse(r.body)["name"])); });
  Outcome o = Cli({"folder", "create", "data", "--quota", "10G", "--volume", "fast"});
  EXPECT_EQ(o.code, 0) << o.err;
  json body = json::parse(server_->requests().back().body);
  EXPECT_EQ(body["quota_bytes"], 10ull << 30);
  EXPECT_EQ(body["volume"], "fast");
  EXPECT_EQ(server_->requests().back().method, "POST");
}

TEST_F(AppTest, QuotaAndCloneVerbs) {
  Serve([](const TestRequest& r) {
    json f = FolderJson(r.method == "POST" ? std::string(json::parse(r.body)["name"]) : "data");
    if (r.method == "PATCH") f["quota_bytes"] = json::parse(r.body)["quota_bytes"];
    return Json(r.method == "POST" ? 201 : 200, f);
  });
  Outcome o = Cli({"folder", "quota", "data", "2G"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(server_->requests().back().method, "PATCH");
  EXPECT_EQ(server_->requests().back().target, "/api/v1/folders/data");
  EXPECT_EQ(json::parse(server_->requests().back().body)["quota_bytes"], 2ull << 30);
  EXPECT_NE(o.out.find("quota 2"), std::string::npos) << o.out;
  o = Cli({"folder", "quota", "data", "none"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_TRUE(json::parse(server_->requests().back().body)["quota_bytes"].is_null());
  EXPECT_EQ(Cli({"folder", "quota", "data", "lots"}).code, 2);
  o = Cli({"folder", "clone", "data", "copy"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(server_->requests().back().target, "/api/v1/folders/data/clone");
  EXPECT_EQ(json::parse(server_->requests().back().body)["name"], "copy");
  EXPECT_NE(o.out.find("as copy"), std::string::npos) << o.out;
}

TEST_F(AppTest, LsFollowsPagesAndEncodesPaths) {
  const std::string weird = "dir with space/#hash?q=1%25+plus/caf\xc3\xa9";
  Serve([&](const TestRequest& r) {
    if (r.query.at("path") != weird)
      return Error(400, "bad", "path mangled: " + r.query.at("path"));
    json entry = {{"type", "file"}, {"size", 1}, {"mtime", 0}, {"mode", 0644}};
    if (!r.query.count("after")) {
      entry["name"] = "a";
      return Json(200, {{"path", weird}, {"entries", {entry}}, {"next", "a"}});
    }
    entry["name"] = "b";
    return Json(200, {{"path", weird}, {"entries", {entry}}, {"next", nullptr}});
  });
  Outcome o = Cli({"folder", "ls", "data", "/" + weird + "/"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("  a\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  b\n"), std::string::npos) << o.out;
  EXPECT_EQ(server_->requests().size(), 2u);
  EXPECT_EQ(server_->requests()[1].query.at("after"), "a");

  o = Cli({"folder", "ls", "data", weird, "-o", "json"});
  json j = json::parse(o.out);
  EXPECT_EQ(j["entries"].size(), 2u);
  EXPECT_TRUE(j["next"].is_null());
}

TEST_F(AppTest, UploadStreamsFileAndTree) {
  std::map<std::string, std::string> files;
  std::vector<std::string> dirs;
  Serve([&](const TestRequest& r) {
    if (r.path == "/api/v1/folders/data/files/content" && r.method == "PUT") {
      if (r.query.at("overwrite") != "false") return Error(400, "bad", "overwrite");
      files[r.query.at("path")] = r.body;
      return Json(201, {{"name", "x"}, {"type", "file"}});
    }
    if (r.path == "/api/v1/folders/data/files/mkdir") {
      json b = json::parse(r.body);
      dirs.push_back(b["path"]);
      return Json(201, {{"name", "x"}, {"type", "dir"}});
    }
    return Error(404, "not_found", "no route");
  });
  std::string big(5 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  std::ofstream(dir_ + "/big.bin", std::ios::binary) << big;
  fs::create_directories(dir_ + "/tree/sub");
  std::ofstream(dir_ + "/tree/sub/f.txt") << "f";
  std::ofstream(dir_ + "/tree/top.txt") << "top";
  fs::create_symlink("/etc/passwd", dir_ + "/tree/link");

  Outcome o = Cli({"folder", "upload", "data", dir_ + "/big.bin", "--dst", "in"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(files["in/big.bin"], big);
  EXPECT_EQ(dirs, std::vector<std::string>{"in"});

  o = Cli({"folder", "upload", "data", dir_ + "/tree"});
  EXPECT_EQ(o.code, 1);  // a directory needs -r
  EXPECT_NE(o.err.find("use -r"), std::string::npos);

  o = Cli({"folder", "upload", "data", "-r", dir_ + "/tree"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(files["tree/top.txt"], "top");
  EXPECT_EQ(files["tree/sub/f.txt"], "f");
  EXPECT_EQ(files.count("tree/link"), 0u);
  EXPECT_NE(o.err.find("skipping symlink"), std::string::npos);
  EXPECT_NE(std::find(dirs.begin(), dirs.end(), "tree/sub"), dirs.end());
}

TEST_F(AppTest, UploadConflictSuggestsOverwrite) {
  Serve([](const TestRequest&) { return Error(409, "already_exists", "'f' already exists"); });
  std::ofstream(dir_ + "/f") << "f";
  Outcome o = Cli({"folder", "upload", "data", dir_ + "/f"});
  EXPECT_EQ(o.code, 1);
  EXPECT_NE(o.err.find("'f' already exists (use --overwrite to replace it)"), std::string::npos)
      << o.err;
}

TEST_F(AppTest, DownloadFileAndCat) {
  std::string content(3 << 20, 'z');
  content += "end";
  Serve([&](const TestRequest& r) {
    if (r.path == "/api/v1/folders/data/files") return Error(400, "not_a_directory", "not a dir");
    if (r.query.at("path") != "d/f.bin") return Error(404, "not_found", "no such file");
    return TestResponse{200, "application/octet-stream", content, /*chunked=*/true};
  });
  Outcome o = Cli({"folder", "download", "data", "/d/f.bin", "--dest", dir_ + "/got.bin"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(ReadFile(dir_ + "/got.bin"), content);

  fs::create_directories(dir_ + "/into");
  o = Cli({"folder", "download", "data", "d/f.bin", "-o", dir_ + "/into"});  // old spelling
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.err.find("warning: -o/--output for the destination is deprecated"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(Cli({"folder", "download", "data", "d/f.bin", "-o", "x", "--dest", "y"}).code, 2);
  EXPECT_EQ(ReadFile(dir_ + "/into/f.bin"), content);

  o = Cli({"folder", "cat", "data", "d/f.bin"});
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, content);

  o = Cli({"folder", "download", "data", "missing", "--dest", dir_ + "/m"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: missing: no such file\n");
  EXPECT_FALSE(fs::exists(dir_ + "/m"));
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".berth-part"), std::string::npos);
  }
}

TEST_F(AppTest, DownloadDirectoryExtractsTar) {
  std::string tar = MakeTar(
      {{"photos/", ""}, {"photos/2024/", ""}, {"photos/2024/a.jpg", "AAA"}, {"photos/b.txt", "B"}});
  Serve([&](const TestRequest& r) {
    if (r.path == "/api/v1/folders/data/files") {
      return Json(200, {{"path", "photos"}, {"entries", json::array()}, {"next", nullptr}});
    }
    if (r.query.count("format") == 0 || r.query.at("format") != "tar") {
      return Error(400, "bad", "want tar");
    }
    return TestResponse{200, "application/x-tar", tar, false};
  });
  Outcome o = Cli({"folder", "download", "data", "photos", "--dest", dir_});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(ReadFile(dir_ + "/photos/2024/a.jpg"), "AAA");
  EXPECT_EQ(ReadFile(dir_ + "/photos/b.txt"), "B");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/photos/b.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07000, 0u);  // set-id bits dropped
}

// A hostile or broken server must not make the CLI write outside -o.
TEST_F(AppTest, DownloadRefusesEscapingTarEntries) {
  for (const char* evil_name : {"../escaped.txt", "/tmp/berth-cli-abs-escape.txt"}) {
    const std::string evil = evil_name;
    std::string tar = MakeTar({{"d/", ""}, {"d/ok.txt", "ok"}, {evil, "evil"}});
    Serve([&](const TestRequest& r) {
      if (r.path == "/api/v1/folders/data/files") {
        return Json(200, {{"path", "d"}, {"entries", json::array()}, {"next", nullptr}});
      }
      return TestResponse{200, "application/x-tar", tar, false};
    });
    fs::create_directories(dir_ + "/out");
    Outcome o = Cli({"folder", "download", "data", "d", "--dest", dir_ + "/out"});
    EXPECT_EQ(o.code, 1) << evil;
    EXPECT_FALSE(fs::exists(dir_ + "/escaped.txt"));
    EXPECT_FALSE(fs::exists(dir_ + "/out/escaped.txt"));
    EXPECT_FALSE(fs::exists("/tmp/berth-cli-abs-escape.txt"));
  }
}

TEST_F(AppTest, RmKeepsGoingAndReportsEachFailure) {
  Serve([](const TestRequest& r) {
    if (r.query.at("path") == "bad") return Error(404, "not_found", "'bad' does not exist");
    if (r.query.at("recursive") != "true") {
      return Error(409, "directory_not_empty", "directory 'd' is not empty");
    }
    return TestResponse{204, "", ""};
  });
  Outcome o = Cli({"folder", "rm", "data", "bad", "good", "-r"});
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: bad: 'bad' does not exist\n");
  EXPECT_EQ(server_->requests().size(), 2u);
  o = Cli({"folder", "rm", "data", "d"});
  EXPECT_EQ(o.err, "error: d: directory 'd' is not empty (use -r to delete it)\n");
  EXPECT_EQ(Cli({"folder", "rm", "data", "/"}).code, 2);
}

TEST_F(AppTest, LoginStoresToken) {
  Serve([](const TestRequest& r) {
    if (r.headers.count("authorization") == 0 ||
        r.headers.at("authorization") != "Bearer good-token") {
      return Error(401, "unauthenticated", "invalid API token");
    }
    return Json(200, {{"name", "alice"}, {"role", "user"}});
  });
  vars_.erase("BERTH_TOKEN");
  Outcome o = Cli({"login"}, "bad-token\n");
  EXPECT_EQ(o.code, 1);
  EXPECT_EQ(o.err, "error: invalid API token\n");
  EXPECT_FALSE(fs::exists(dir_ + "/.config/berth/token"));

  o = Cli({"login"}, "  good-token \n");
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("as alice"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_ + "/.config/berth/token"), "good-token\n");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/.config/berth/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AppTest, LoginWebPrintsAOneTimeLinkNotTheToken) {
  Serve([](const TestRequest& r) {
    if (r.method != "POST" || r.target != "/api/v1/auth/login-codes") {
      return Error(404, "no_such_endpoint", "no");
    }
    return Json(201, {{"code", "c0de"}, {"url", "http://elsewhere/login?code=c0de"}});
  });
  Outcome o = Cli({"login", "--web"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_NE(o.out.find("/login?code=c0de\n"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("token"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace berth::cli

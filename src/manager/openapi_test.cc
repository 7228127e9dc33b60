// Keeps docs/openapi.yaml true: the set of (method, path pattern) the server
// registers through RegisterApi must equal the set the OpenAPI file
// documents. A route added without documentation, or documentation left
// behind by a removed route, fails here with the difference listed.
// Operations marked `x-berth-planned: true` (in the SPEC, not built yet) may
// be missing; once registered, the marker must go.
//
// Handlers are never invoked: the services are real objects over an
// in-memory store and an empty temp dir, built only so that RegisterApi has
// something to bind to (and so registers the optional user and session
// routes too).
#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "http/router.h"
#include "images/image_store.h"
#include "manager/app_service.h"
#include "manager/rest/api_routes.h"
#include "manager/audit_log.h"
#include "manager/auth_service.h"
#include "manager/dotfile_service.h"
#include "manager/download_links.h"
#include "manager/event_bus.h"
#include "manager/folder_service.h"
#include "manager/session_service.h"
#include "manager/share_service.h"
#include "manager/snapshot_service.h"
#include "manager/user_service.h"
#include "store/sqlite_store.h"

namespace berth::manager {
namespace {

// The OpenAPI server URL: documented paths are relative to it, except the
// few routes outside the API prefix (GET /login), which are documented at
// their full path with a path-level `servers: [{url: /}]`.
constexpr std::string_view kApiPrefix = "/api/v1";

using Endpoint = std::pair<std::string, std::string>;  // (METHOD, path pattern)

std::string Describe(const std::set<Endpoint>& endpoints) {
  std::string out;
  for (const auto& [method, path] : endpoints) out += "  " + method + " " + path + "\n";
  return out;
}

std::string DocPath(const std::vector<std::string>& segments) {
  std::string path;
  // A tail capture "{path...}" (http/router.h) is documented as "{path}".
  for (const auto& s : segments) {
    path += "/" + (s.ends_with("...}") ? s.substr(0, s.size() - 4) + "}" : s);
  }
  if (path.empty()) path = "/";
  if (path.starts_with(kApiPrefix) &&
      (path.size() == kApiPrefix.size() || path[kApiPrefix.size()] == '/')) {
    path.erase(0, kApiPrefix.size());
    if (path.empty()) path = "/";
  }
  return path;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// What docs/openapi.yaml says about one operation.
struct Documented {
  // `x-berth-planned: true`: in the SPEC, not registered yet.
  bool planned = false;
};

// A minimal reader for the one shape our OpenAPI file has: under the
// top-level `paths:` key, path items are `  /path:` lines, operations
// `    get:` (post, put, patch, delete) lines below them, and an operation's
// own keys are indented by six spaces.
std::map<Endpoint, Documented> DocumentedEndpoints(const std::string& yaml_path,
                                                   std::string* error) {
  std::ifstream in(yaml_path);
  if (!in) {
    *error = "cannot read " + yaml_path;
    return {};
  }
  static const std::regex kTopKey(R"(^[A-Za-z_][A-Za-z0-9_-]*:.*$)");
  static const std::regex kPathKey(R"(^  (/[^:\s]*):\s*$)");
  static const std::regex kOtherPathLevel(R"(^  [^\s#].*$)");
  static const std::regex kMethod(R"(^    (get|post|put|patch|delete):\s*$)");
  static const std::regex kOtherOperationLevel(R"(^    [^\s#].*$)");
  static const std::regex kPlanned(R"(^      x-berth-planned:\s*true\s*$)");
  std::map<Endpoint, Documented> out;
  bool in_paths = false;
  std::string path;
  Documented* op = nullptr;  // the operation being read
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, kTopKey)) {
      in_paths = line.rfind("paths:", 0) == 0;
      path.clear();
      op = nullptr;
      continue;
    }
    if (!in_paths) continue;
    if (std::regex_match(line, m, kPathKey)) {
      path = m[1].str();
      op = nullptr;
    } else if (std::regex_match(line, kOtherPathLevel)) {
      path.clear();
      op = nullptr;
    } else if (!path.empty() && std::regex_match(line, m, kMethod)) {
      auto [it, inserted] = out.try_emplace(Endpoint{Upper(m[1].str()), path});
      if (!inserted) *error += "documented twice: " + Upper(m[1].str()) + " " + path + "\n";
      op = &it->second;
    } else if (std::regex_match(line, kOtherOperationLevel)) {
      op = nullptr;  // e.g. a path-level `parameters:`
    } else if (op && std::regex_match(line, kPlanned)) {
      op->planned = true;
    }
  }
  if (out.empty() && error->empty()) *error = "no paths found in " + yaml_path;
  return out;
}

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/openapi-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;

    auto store = store::OpenSqliteStore(":memory:");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    images::ImageStoreOptions image_options;
    image_options.root = dir_ + "/images";
    auto images = images::ImageStore::Open(image_options);
    ASSERT_TRUE(images.ok()) << images.status().ToString();
    images_ = std::move(*images);

    auth_ = std::make_unique<AuthService>(*store_, &audit_);
    FolderServiceDeps fdeps;
    fdeps.store = store_.get();
    folders_ = std::make_unique<FolderService>(std::move(fdeps));
    SessionServiceDeps sdeps;
    sdeps.store = store_.get();
    sdeps.folders = folders_.get();
    sdeps.images = images_.get();
    sdeps.events = &events_;
    sessions_ = std::make_unique<SessionService>(std::move(sdeps));

    users_ = std::make_unique<UserService>(*store_, *auth_, audit_);
    shares_ = std::make_unique<ShareService>(*store_, *folders_, audit_);
    snapshots_ = std::make_unique<SnapshotService>(*folders_, nullptr);
    dotfiles_ = std::make_unique<DotfileService>(*store_);

    ApiContext ctx;
    ctx.auth = auth_.get();
    ctx.authz = &folders_->authorizer();
    ctx.folders = folders_.get();
    ctx.links = &links_;
    ctx.users = users_.get();
    ctx.shares = shares_.get();
    ctx.snapshots = snapshots_.get();
    ctx.dotfiles = dotfiles_.get();
    ctx.sessions = sessions_.get();
    ctx.images = images_.get();
    ctx.events = &events_;
    apps_ = std::make_unique<AppService>(AppServiceDeps{store_.get(), auth_.get(),
                                                        &folders_->authorizer(), sessions_.get(),
                                                        images_.get(), &app_registry_});
    ctx.apps = apps_.get();
    RegisterApi(router_, ctx);
  }

  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::set<Endpoint> Registered(std::string* duplicates) const {
    std::set<Endpoint> out;
    for (const http::Route& r : router_.routes()) {
      Endpoint e{r.method, DocPath(r.segments)};
      if (!out.insert(e).second) *duplicates += "  " + e.first + " " + e.second + "\n";
    }
    return out;
  }

  std::string dir_;
  AuditLog audit_{""};  // disabled
  DownloadLinks links_{"openapi-test-key"};
  EventBus events_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<images::ImageStore> images_;
  std::unique_ptr<AuthService> auth_;
  std::unique_ptr<FolderService> folders_;
  std::unique_ptr<SessionService> sessions_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<ShareService> shares_;
  std::unique_ptr<SnapshotService> snapshots_;
  std::unique_ptr<DotfileService> dotfiles_;
  apps::AppRegistry app_registry_{nullptr};  // never asked: no app runs here
  std::unique_ptr<AppService> apps_;
  http::Router router_;
};

TEST_F(OpenApiTest, EveryRegisteredRouteIsDocumentedAndNothingElse) {
  std::string error;
  const std::string yaml = std::string(BERTH_SOURCE_DIR) + "/docs/openapi.yaml";
  std::map<Endpoint, Documented> documented = DocumentedEndpoints(yaml, &error);
  ASSERT_TRUE(error.empty()) << error;

  std::string duplicates;
  std::set<Endpoint> registered = Registered(&duplicates);
  EXPECT_TRUE(duplicates.empty()) << "routes registered twice:\n" << duplicates;
  // The session routes are part of the all-in-one server; make sure the
  // fixture really registered them rather than comparing a partial API.
  EXPECT_TRUE(registered.count({"POST", "/sessions"})) << "session routes were not registered";
  EXPECT_TRUE(registered.count({"GET", "/users"})) << "user routes were not registered";
  EXPECT_TRUE(registered.count({"GET", "/sessions/{name}/apps"})) << "app routes were not registered";

  std::set<Endpoint> undocumented, stale, landed;
  for (const auto& e : registered) {
    auto it = documented.find(e);
    if (it == documented.end()) {
      undocumented.insert(e);
    } else if (it->second.planned) {
      landed.insert(e);
    }
  }
  for (const auto& [e, doc] : documented) {
    if (!doc.planned && !registered.count(e)) stale.insert(e);
  }
  EXPECT_TRUE(undocumented.empty())
      << "registered by the server but missing from docs/openapi.yaml (paths there are relative "
         "to /api/v1):\n"
      << Describe(undocumented);
  EXPECT_TRUE(stale.empty()) << "in docs/openapi.yaml but not registered by the server:\n"
                             << Describe(stale);
  EXPECT_TRUE(landed.empty())
      << "registered now, but still marked `x-berth-planned: true` in docs/openapi.yaml; check "
         "the operation against the handler and remove the marker:\n"
      << Describe(landed);
}

// The reader must see what a person sees: path-level keys that are not
// operations, a planned operation, and a `get:` outside `paths:`.
TEST(OpenApiReaderTest, ReadsOnlyOperationsUnderPaths) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/openapi-reader-XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream out(tmpl);
    out << "openapi: 3.0.3\n"
           "paths:\n"
           "  /folders:\n"
           "    get:\n"
           "      summary: x\n"
           "    post:\n"
           "      x-berth-planned: true\n"
           "      summary: y\n"
           "  /folders/{name}:\n"
           "    parameters:\n"
           "      - $ref: '#/components/parameters/FolderRef'\n"
           "      x-berth-planned: true\n"
           "    delete:\n"
           "      summary: z\n"
           "components:\n"
           "  /notapath:\n"
           "    get:\n";
  }
  std::string error;
  auto eps = DocumentedEndpoints(tmpl, &error);
  std::filesystem::remove(tmpl);
  EXPECT_TRUE(error.empty()) << error;
  std::map<Endpoint, bool> planned;
  for (const auto& [e, doc] : eps) planned[e] = doc.planned;
  EXPECT_EQ(planned, (std::map<Endpoint, bool>{{{"GET", "/folders"}, false},
                                               {{"POST", "/folders"}, true},
                                               {{"DELETE", "/folders/{name}"}, false}}));
}

}  // namespace
}  // namespace berth::manager

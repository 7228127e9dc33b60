#include "agent/mount_plan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

namespace berth::agent {
namespace {

std::vector<FolderRef> Folders() {
  return {
      {"data", "id-data", "/vol/data", "rw", "ready"},
      {"models", "id-models", "/vol/models", "rw", "ready"},
      {"shared-ro", "id-sro", "/vol/sro", "ro", "ready"},
      {"old", "id-old", "/vol/old", "rw", "trash"},
      {".local", "id-local", "/vol/local", "rw", "ready"},
      {".linuxbrew", "id-brew", "/vol/brew", "rw", "ready"},
      {".trashed-dot", "id-td", "/vol/td", "rw", "trash"},
  };
}

MountRequest M(const char* spec) {
  auto r = ParseMountSpec(spec);
  EXPECT_TRUE(r.ok()) << spec;
  return *r;
}

TEST(ParseMountSpecTest, Table) {
  struct Case {
    const char* spec;
    bool ok;
    const char* folder;
    const char* target;
    const char* perm;
  } cases[] = {
      {"data", true, "data", "", ""},
      {"data:ro", true, "data", "", "ro"},
      {"data:rw", true, "data", "", "rw"},
      {"data:/mnt/x", true, "data", "/mnt/x", ""},
      {"data:sub/dir", true, "data", "sub/dir", ""},
      {"data:/mnt/x:ro", true, "data", "/mnt/x", "ro"},
      {"data:./ro", true, "data", "./ro", ""},
      {"data::ro", true, "data", "", "ro"},
      {"", false, "", "", ""},
      {":x", false, "", "", ""},
      {"data:", false, "", "", ""},
      {"data:/x:rx", false, "", "", ""},
      {"data:/x:ro:extra", false, "", "", ""},
  };
  for (const auto& c : cases) {
    auto r = ParseMountSpec(c.spec);
    ASSERT_EQ(r.ok(), c.ok) << c.spec;
    if (!c.ok) {
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.spec;
      continue;
    }
    EXPECT_EQ(r->folder, c.folder) << c.spec;
    EXPECT_EQ(r->target, c.target) << c.spec;
    EXPECT_EQ(r->permission, c.perm) << c.spec;
  }
}

// The cases live in tests/data/mount_targets.json, which the web UI's copy
// of the rule (web/src/lib/mounts.ts) runs too, so the two cannot drift.
struct TargetCase {
  std::string folder;
  std::string target;
  std::string want;    // empty: refused
  std::string reason;  // when refused
  std::string rule;    // when refused: which rule
  std::string tree;    // when rule is "tree"
};

// Expands "{TEXT*N}" into TEXT repeated N times (see the table's "about").
std::string Expand(const std::string& s) {
  static const std::regex kRepeat(R"(\{([^{}*]+)\*([0-9]+)\})");
  std::string out;
  auto begin = std::sregex_iterator(s.begin(), s.end(), kRepeat);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += s.substr(last, it->position() - last);
    for (int i = std::stoi((*it)[2]); i > 0; --i) out += (*it)[1].str();
    last = it->position() + it->length();
  }
  return out + s.substr(last);
}

std::vector<TargetCase> LoadTargetCases() {
  const std::string path = std::string(BERTH_SOURCE_DIR) + "/tests/data/mount_targets.json";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<TargetCase> out;
  if (!in) return out;
  const nlohmann::json table = nlohmann::json::parse(in);
  for (const auto& c : table.at("cases")) {
    out.push_back({Expand(c.at("folder")), Expand(c.at("target")), Expand(c.value("want", "")),
                   c.value("error", ""), c.value("rule", ""), c.value("tree", "")});
  }
  return out;
}

// What agent::ResolveTarget says when `rule` refuses a target.
std::string RuleMessage(const TargetCase& c) {
  static const std::map<std::string, std::string> kMessages = {
      {"nul", "contains a NUL or newline"},
      {"too_long", "is too long"},
      {"dotdot", "must not contain '..'"},
      {"component_too_long", "has a component longer than 255 bytes"},
      {"reserved", "is a reserved path"},
  };
  if (c.rule == "tree") return "lies in " + c.tree + ", which is reserved";
  auto it = kMessages.find(c.rule);
  return it == kMessages.end() ? "unknown rule '" + c.rule + "'" : it->second;
}

TEST(ResolveTargetTest, SharedTable) {
  const auto cases = LoadTargetCases();
  EXPECT_GE(cases.size(), 100u);
  for (const auto& c : cases) {
    const std::string what = c.folder.substr(0, 40) + " + '" + c.target.substr(0, 40) + "'";
    auto r = ResolveTarget(c.folder, c.target);
    if (c.want.empty()) {
      ASSERT_FALSE(r.ok()) << what << " -> " << *r;
      EXPECT_EQ(r.status().reason(), c.reason) << what;
      EXPECT_NE(r.status().message().find(RuleMessage(c)), std::string::npos)
          << what << ": " << r.status().message();
    } else {
      ASSERT_TRUE(r.ok()) << what << ": " << r.status().ToString();
      EXPECT_EQ(*r, c.want) << what;
    }
  }
}

struct PlanCase {
  const char* what;
  std::vector<const char*> mounts;
  bool automount;
  Code code;           // kOk: success
  const char* reason;  // expected reason on failure
};

TEST(PlanMountsTest, ErrorTable) {
  const PlanCase cases[] = {
      {"unknown folder", {"nope"}, true, Code::kNotFound, "folder_not_found"},
      {"folder in trash", {"old"}, true, Code::kInvalidArgument, "folder_in_trash"},
      {"rw on ro folder", {"shared-ro:rw"}, true, Code::kPermissionDenied, "folder_read_only"},
      {"rw on ro folder, custom target",
       {"shared-ro:/mnt/s:rw"},
       true,
       Code::kPermissionDenied,
       "folder_read_only"},
      {"dotdot", {"data:../x"}, true, Code::kInvalidArgument, "invalid_mount_target"},
      {"forbidden", {"data:/etc/x"}, true, Code::kInvalidArgument, "invalid_mount_target"},
      {"forbidden home", {"data:/home/work"}, true, Code::kInvalidArgument, "invalid_mount_target"},
      {"two folders one target",
       {"data:/mnt/x", "models:/mnt/x"},
       true,
       Code::kInvalidArgument,
       "mount_target_conflict"},
      {"two folders one default-ish target",
       {"data:models", "models"},
       true,
       Code::kInvalidArgument,
       "mount_target_conflict"},
      {"same folder ro and rw",
       {"data:ro", "data:rw"},
       true,
       Code::kInvalidArgument,
       "mount_target_conflict"},
      {"nested below",
       {"data:/mnt/x", "models:/mnt/x/y"},
       true,
       Code::kInvalidArgument,
       "mount_target_nested"},
      {"nested above",
       {"models:/mnt/x/y", "data:/mnt/x"},
       true,
       Code::kInvalidArgument,
       "mount_target_nested"},
      {"nested relative",
       {"data", "models:data/models"},
       true,
       Code::kInvalidArgument,
       "mount_target_nested"},
      {"same folder nested in itself",
       {"data:/mnt/a", "data:/mnt/a/b"},
       true,
       Code::kInvalidArgument,
       "mount_target_nested"},
      {"collides with automount",
       {"data:.local"},
       true,
       Code::kInvalidArgument,
       "automount_collision"},
      {"collides with linuxbrew prefix",
       {"data:/home/linuxbrew/.linuxbrew"},
       true,
       Code::kInvalidArgument,
       "automount_collision"},
      {"inside an automount target",
       {"data:.local/lib"},
       true,
       Code::kInvalidArgument,
       "automount_collision"},
      {"around an automount target",
       {"data:/home/linuxbrew"},
       true,
       Code::kInvalidArgument,
       "automount_collision"},
      {"nested user mounts without automount",
       {"data:/mnt/q", "models:/mnt/q/r"},
       false,
       Code::kInvalidArgument,
       "mount_target_nested"},
  };
  for (const auto& c : cases) {
    MountPlanInput in;
    in.folders = Folders();
    in.automount = c.automount;
    for (const char* m : c.mounts) in.requests.push_back(M(m));
    auto r = PlanMounts(in);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), c.code) << c.what << ": " << r.status().ToString();
    EXPECT_EQ(r.status().reason(), c.reason) << c.what << ": " << r.status().ToString();
    EXPECT_FALSE(r.status().message().empty()) << c.what;
  }
}

std::string Describe(const MountPlan& p) {
  std::string out;
  for (const auto& m : p.mounts)
    out +=
        m.target + "=" + m.folder + (m.read_only ? ":ro" : ":rw") + (m.automount ? "+a" : "") + " ";
  return out;
}

TEST(PlanMountsTest, SuccessTable) {
  struct Case {
    const char* what;
    std::vector<const char*> mounts;
    bool automount;
    const char* want;  // Describe() of the plan
  } cases[] = {
      {"nothing, no automount", {}, false, ""},
      {"automount only",
       {},
       true,
       "/home/linuxbrew/.linuxbrew=.linuxbrew:rw+a /home/work/.linuxbrew=.linuxbrew:rw+a "
       "/home/work/.local=.local:rw+a "},
      {"two folders default targets",
       {"data", "models"},
       false,
       "/home/work/data=data:rw /home/work/models=models:rw "},
      {"ro folder defaults to ro", {"shared-ro"}, false, "/home/work/shared-ro=shared-ro:ro "},
      {"explicit ro", {"data:ro"}, false, "/home/work/data=data:ro "},
      {"absolute and relative",
       {"data:/mnt/d", "models:m/x:ro"},
       false,
       "/home/work/m/x=models:ro /mnt/d=data:rw "},
      {"same folder twice merged",
       {"data", "data:/home/work/data"},
       false,
       "/home/work/data=data:rw "},
      {"merged, explicit permission wins", {"data", "data:ro"}, false, "/home/work/data=data:ro "},
      {"same folder at two targets",
       {"data", "data:/mnt/again:ro"},
       false,
       "/home/work/data=data:rw /mnt/again=data:ro "},
      {"dot folder asked explicitly merges with automount",
       {".local"},
       true,
       "/home/linuxbrew/.linuxbrew=.linuxbrew:rw+a /home/work/.linuxbrew=.linuxbrew:rw+a "
       "/home/work/.local=.local:rw+a "},
      {"dot folder without automount", {".local"}, false, "/home/work/.local=.local:rw "},
      {"siblings are not nested",
       {"data:/mnt/ab", "models:/mnt/a"},
       false,
       "/mnt/a=models:rw /mnt/ab=data:rw "},
  };
  for (const auto& c : cases) {
    MountPlanInput in;
    in.folders = Folders();
    in.automount = c.automount;
    for (const char* m : c.mounts) in.requests.push_back(M(m));
    auto r = PlanMounts(in);
    ASSERT_TRUE(r.ok()) << c.what << ": " << r.status().ToString();
    EXPECT_EQ(Describe(*r), c.want) << c.what;
    EXPECT_EQ(r->persistent_paths.size(), r->mounts.size()) << c.what;
  }
}

TEST(PlanMountsTest, PathAdditions) {
  MountPlanInput in;
  in.folders = Folders();
  auto r = PlanMounts(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->path_prepend,
            (std::vector<std::string>{"/home/work/.local/bin", "/home/linuxbrew/.linuxbrew/bin",
                                      "/home/linuxbrew/.linuxbrew/sbin",
                                      "/home/work/.linuxbrew/bin"}));
  EXPECT_EQ(r->brew_prefix, "/home/linuxbrew/.linuxbrew");
  EXPECT_EQ(r->persistent_paths,
            (std::vector<std::string>{"/home/linuxbrew/.linuxbrew", "/home/work/.linuxbrew",
                                      "/home/work/.local"}));
  in.automount = false;
  r = PlanMounts(in);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->path_prepend.empty());
  EXPECT_TRUE(r->brew_prefix.empty());
  EXPECT_TRUE(r->persistent_paths.empty());
  // .linuxbrew asked for by hand without automount: its home target is the prefix.
  in.requests = {{".linuxbrew", "", ""}};
  r = PlanMounts(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->brew_prefix, "/home/work/.linuxbrew");
  EXPECT_EQ(r->path_prepend,
            (std::vector<std::string>{"/home/work/.linuxbrew/bin", "/home/work/.linuxbrew/sbin"}));
}

TEST(PlanMountsTest, TrashedDotFolderIsNotAutomounted) {
  MountPlanInput in;
  in.folders = Folders();
  auto r = PlanMounts(in);
  ASSERT_TRUE(r.ok());
  for (const auto& m : r->mounts) EXPECT_NE(m.folder, ".trashed-dot");
}

TEST(PlanMountsTest, HostPathsComeFromFolders) {
  MountPlanInput in;
  in.folders = Folders();
  in.automount = false;
  in.requests = {M("data:/mnt/d")};
  auto r = PlanMounts(in);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->mounts.size(), 1u);
  EXPECT_EQ(r->mounts[0].host_path, "/vol/data");
}

}  // namespace
}  // namespace berth::agent

// Recipe: how to build an image root fs with mmdebstrap (SPEC §3 "Images").
// Recipes are TOML files kept in the repo under recipes/<name>.toml:
//
//   description   = "..."                    free text
//   suite         = "bookworm"               required
//   variant       = "apt"                    mmdebstrap --variant (default apt)
//   mirror        = "http://deb.debian.org/debian"
//   components    = ["main"]
//   extra_sources = ["deb URL SUITE COMP"]   more sources.list lines
//   packages      = ["python3", ...]         --include
//   customize     = ["sh snippet using $1"]  extra --customize-hook commands,
//                                            run after Berth's own ($1 = root)
//   [user]  name, uid, gid, home, shell      the session user (work/1000)
//   [pip]   allow_user_install = true        drop PEP 668's marker (see
//                                            recipes/python.toml)
//   [[app]] name, display_name, port, command  a web app (images/app_spec.h)
//
// Pure data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "images/app_spec.h"

namespace berth::images {

struct Recipe {
  std::string name;  // from the file name
  std::string description;
  std::string suite;
  std::string variant = "apt";
  std::string mirror = "http://deb.debian.org/debian";
  std::vector<std::string> components = {"main"};
  std::vector<std::string> extra_sources;
  std::vector<std::string> packages;
  std::vector<std::string> customize;
  std::string user_name = "work";
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  std::string home = "/home/work";
  std::string shell = "/bin/bash";
  bool pip_allow_user_install = true;
  std::vector<AppSpec> apps;
};

// Parses recipe TOML text. InvalidArgument (reason "invalid_recipe") names
// the offending key.
Result<Recipe> ParseRecipe(const std::string& name, const std::string& toml_text);

// mmdebstrap's argv (explicit, no shell) building `recipe` into `target`.
// `mirror_override`, when set, replaces the deb.debian.org host part of every
// source (for offline mirrors / apt caches).
std::vector<std::string> MmdebstrapArgv(const Recipe& recipe, const std::string& target,
                                        const std::string& mirror_override = {});

// The --customize-hook commands Berth adds to every recipe, in order:
// the bash snippet printing persistent paths, pip's PEP 668 setting, the
// session user, the /.berth mount point. mmdebstrap runs each with sh and
// passes the root directory as $1.
std::vector<std::string> CustomizeHooks(const Recipe& recipe);

// Shown once per interactive bash (sourced from /etc/bash.bashrc).
extern const char kBashSnippet[];

// Image and recipe names: [a-z0-9][a-z0-9._-]{0,63}.
bool IsValidImageName(const std::string& name);

}  // namespace berth::images

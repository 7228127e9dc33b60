// DotfileService: a user's own dotfiles (SPEC §3 "Dotfiles", §5
// /dotfiles): list, read, create or replace, delete, each for the caller
// only (no one else's dotfiles are reachable, superadmins included). The
// rules (path, mode, 64 KiB a file, 1 MiB a user) are in dotfile_rules.h.
// Sessions receive the owner's dotfiles through SessionDotfiles. Thread-safe;
// two concurrent PUTs of one user may together pass the per-user cap by at
// most one file (the check and the write are not one transaction).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/dotfiles.h"
#include "common/result.h"
#include "manager/principal.h"
#include "store/store.h"

namespace berth::manager {

struct PutDotfileResult {
  store::DotfileRecord dotfile;
  bool created = false;  // false: an existing one was replaced
};

class DotfileService {
 public:
  explicit DotfileService(store::Store& store) : store_(store) {}

  Result<std::vector<store::DotfileRecord>> List(const Principal& p);
  Result<store::DotfileRecord> Get(const Principal& p, std::string_view path);
  // `mode`: the ?mode= text, empty for the default.
  Result<PutDotfileResult> Put(const Principal& p, std::string_view path, std::string_view mode,
                               std::string content);
  Status Delete(const Principal& p, std::string_view path);

 private:
  store::Store& store_;
};

// What a new session of `user_id` gets written into its scratch home
// (SessionService, before it hands the spec to the agent).
Result<std::vector<agent::Dotfile>> SessionDotfiles(store::Store& store,
                                                    const std::string& user_id);

}  // namespace berth::manager

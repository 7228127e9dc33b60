#include "agent/mount_plan.h"

#include <algorithm>
#include <map>

#include "common/fs_util.h"

namespace berth::agent {
namespace {

// Exactly these targets are refused: mounting over them would hide the
// scratch home or directories the image needs to work.
const char* const kForbiddenTargets[] = {"/",    "/home", "/home/work", "/tmp", "/var",
                                         "/opt", "/srv",  "/root",      "/mnt", "/media"};
// These and everything below them are refused: system trees whose contents
// must come from the image or the runtime (and /.berth holds our init).
const char* const kForbiddenTrees[] = {"/proc", "/sys",   "/dev", "/etc",  "/bin", "/sbin",
                                       "/lib",  "/lib64", "/usr", "/boot", "/run", "/.berth"};

Status BadTarget(const std::string& target, const std::string& why) {
  return InvalidArgument("mount target '" + target + "' " + why, "invalid_mount_target");
}

struct Slot {
  PlannedMount mount;
  bool explicit_permission = false;
};

}  // namespace

bool IsWithin(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          path[root.size()] == '/');
}

Result<MountRequest> ParseMountSpec(std::string_view spec) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t colon = spec.find(':', start);
    parts.emplace_back(spec.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  auto bad = [&](const std::string& why) {
    return InvalidArgument("invalid mount '" + std::string(spec) + "': " + why, "invalid_mount");
  };
  if (parts.size() > 3) return bad("expected folder[:target][:ro|rw]");
  MountRequest r;
  r.folder = parts[0];
  if (r.folder.empty()) return bad("folder name is empty");
  auto is_perm = [](const std::string& s) { return s == "ro" || s == "rw"; };
  if (parts.size() == 2) {
    if (is_perm(parts[1])) {
      r.permission = parts[1];
    } else {
      r.target = parts[1];
      if (r.target.empty()) return bad("target is empty");
    }
  } else if (parts.size() == 3) {
    r.target = parts[1];
    if (!is_perm(parts[2])) return bad("permission must be ro or rw");
    r.permission = parts[2];
  }
  return r;
}

Result<std::string> ResolveTarget(const std::string& folder, const std::string& target) {
  std::string raw = target.empty() ? folder : target;
  if (raw.find('\0') != std::string::npos || raw.find('\n') != std::string::npos)
    return BadTarget(raw, "contains a NUL or newline");
  if (raw.size() > 4096) return BadTarget(raw.substr(0, 64) + "...", "is too long");
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string::npos) j = raw.size();
    std::string_view comp(raw.data() + i, j - i);
    if (comp == "..") return BadTarget(raw, "must not contain '..'");
    if (comp.size() > 255) return BadTarget(raw, "has a component longer than 255 bytes");
    i = j + 1;
  }
  std::string abs = CleanPath(raw[0] == '/' ? raw : std::string(kHome) + "/" + raw);
  for (const char* t : kForbiddenTargets)
    if (abs == t) return BadTarget(abs, "is a reserved path");
  for (const char* t : kForbiddenTrees)
    if (IsWithin(abs, t))
      return BadTarget(abs, std::string("lies in ") + t + ", which is reserved");
  return abs;
}

Result<MountPlan> PlanMounts(const MountPlanInput& input) {
  std::map<std::string, const FolderRef*> by_name;
  for (const auto& f : input.folders) by_name.emplace(f.name, &f);

  // 1. User requests, merged by target.
  std::map<std::string, Slot> slots;  // target -> mount
  for (const auto& req : input.requests) {
    auto it = by_name.find(req.folder);
    if (it == by_name.end())
      return NotFound("folder '" + req.folder + "' not found", "folder_not_found");
    const FolderRef& f = *it->second;
    if (f.status != "ready")
      return InvalidArgument("folder '" + f.name + "' is in the trash", "folder_in_trash");
    if (req.permission == "rw" && f.permission != "rw")
      return PermissionDenied("folder '" + f.name + "' is read-only for you", "folder_read_only");
    BERTH_ASSIGN_OR_RETURN(std::string target, ResolveTarget(f.name, req.target));
    Slot s;
    s.mount = {f.name, f.host_path, target,
               req.permission.empty() ? f.permission != "rw" : req.permission == "ro", false};
    s.explicit_permission = !req.permission.empty();
    auto [pos, inserted] = slots.emplace(target, s);
    if (inserted) continue;
    Slot& old = pos->second;
    if (old.mount.folder != f.name)
      return InvalidArgument(
          "folders '" + old.mount.folder + "' and '" + f.name + "' are both mounted at " + target,
          "mount_target_conflict");
    // Same folder, same target: merge. Conflicting explicit permissions are
    // a mistake worth reporting rather than guessing.
    if (old.explicit_permission && s.explicit_permission &&
        old.mount.read_only != s.mount.read_only)
      return InvalidArgument("folder '" + f.name + "' asked both ro and rw at " + target,
                             "mount_target_conflict");
    if (s.explicit_permission) old = s;
  }

  // 2. Automounts: owner's ready dot-folders.
  if (input.automount) {
    for (const auto& f : input.folders) {
      if (f.name.empty() || f.name[0] != '.' || f.status != "ready" || f.permission != "rw")
        continue;
      std::vector<std::string> targets = {std::string(kHome) + "/" + f.name};
      if (f.name == ".linuxbrew") targets.push_back(kLinuxbrewPrefix);
      for (const auto& t : targets) {
        auto it = slots.find(t);
        if (it != slots.end()) {
          if (it->second.mount.folder != f.name)
            return InvalidArgument("mount target " + t + " of folder '" + it->second.mount.folder +
                                       "' collides with automount folder '" + f.name + "'",
                                   "automount_collision");
          it->second.mount.automount = true;  // the user asked for it too: merged
          continue;
        }
        slots.emplace(t, Slot{{f.name, f.host_path, t, false, true}, false});
      }
    }
  }

  // 3. No target inside another. Sorted order puts a parent right before
  // its descendants, so comparing against every earlier target is enough;
  // n <= ~70, quadratic is fine and obviously correct.
  std::vector<const Slot*> ordered;
  for (const auto& [t, s] : slots) ordered.push_back(&s);
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const PlannedMount& outer = ordered[j]->mount;
      const PlannedMount& inner = ordered[i]->mount;
      if (!IsWithin(inner.target, outer.target)) continue;
      if (outer.automount != inner.automount) {
        const PlannedMount& a = outer.automount ? outer : inner;
        return InvalidArgument("mount target " + inner.target + " nests with the target " +
                                   outer.target + " of automount folder '" + a.folder + "'",
                               "automount_collision");
      }
      return InvalidArgument(
          "mount target " + inner.target + " lies inside mount target " + outer.target,
          "mount_target_nested");
    }
  }

  MountPlan plan;
  for (const Slot* s : ordered) {
    plan.mounts.push_back(s->mount);
    plan.persistent_paths.push_back(s->mount.target);
  }
  // 4. PATH: the user's pip --user scripts, then Homebrew's prefix.
  auto mounted = [&](const std::string& folder, const std::string& target) {
    auto it = slots.find(target);
    return it != slots.end() && it->second.mount.folder == folder;
  };
  if (mounted(".local", std::string(kHome) + "/.local"))
    plan.path_prepend.push_back(std::string(kHome) + "/.local/bin");
  // SPEC §3 "Shells": the prefix's bin and sbin, then the folder's bin at
  // its home target (the same files; a script that hard-codes either path
  // finds its siblings by name).
  const std::string home_brew = std::string(kHome) + "/.linuxbrew";
  const bool at_prefix = mounted(".linuxbrew", kLinuxbrewPrefix);
  const bool at_home = mounted(".linuxbrew", home_brew);
  plan.brew_prefix = at_prefix ? kLinuxbrewPrefix : at_home ? home_brew : "";
  if (!plan.brew_prefix.empty()) {
    plan.path_prepend.push_back(plan.brew_prefix + "/bin");
    plan.path_prepend.push_back(plan.brew_prefix + "/sbin");
    if (at_prefix && at_home) plan.path_prepend.push_back(home_brew + "/bin");
  }
  return plan;
}

}  // namespace berth::agent

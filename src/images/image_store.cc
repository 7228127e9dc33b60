#include "images/image_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "common/clock.h"
#include "common/digest.h"
#include "common/file_lock.h"
#include "common/fs_util.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "common/unique_fd.h"
#include "images/layer_import.h"
#include "images/recipe.h"

namespace berth::images {
namespace {

namespace fs = std::filesystem;

uint64_t TreeSize(const std::string& root) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) total += st.st_size;
  }
  return total;
}

// An exclusive flock on <root>/.lock-<name>, released on destruction.
Result<FileLock> NameLock(const std::string& root, const std::string& name) {
  return FileLock::Acquire(root + "/.lock-" + name);
}

// Unmounts anything a killed mmdebstrap left mounted, then removes `dir`.
Status RemoveBuildDir(const std::string& dir) {
  for (const auto& mp : MountPointsUnder(dir)) ::umount2(mp.c_str(), MNT_DETACH);
  return RemoveTree(dir);
}

void RemoveStaleBuilds(const std::string& root, const std::string& name) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec)) {
    std::string f = e.path().filename();
    if (f.rfind(".build-" + name + "-", 0) == 0 || f.rfind(".old-" + name + "-", 0) == 0)
      (void)RemoveBuildDir(e.path());
  }
}

// Imported images may lack the session user; sessions run as uid/gid 1000
// anyway, but a passwd entry gives `id`, `whoami` and $HOME sensible values.
Status EnsureSessionUser(const std::string& rootfs, uint32_t uid, uint32_t gid) {
  auto passwd = ReadFile(rootfs + "/etc/passwd");
  if (!passwd.ok()) return Status::Ok();  // no passwd at all: leave the image alone
  std::string needle = ":" + std::to_string(uid) + ":";
  bool has = false;
  size_t pos = 0;
  while (pos < passwd->size()) {
    size_t nl = passwd->find('\n', pos);
    if (nl == std::string::npos) nl = passwd->size();
    std::string line = passwd->substr(pos, nl - pos);
    auto first = line.find(':');
    if (first != std::string::npos) {
      auto second = line.find(':', first + 1);
      if (second != std::string::npos && line.compare(second, needle.size(), needle) == 0)
        has = true;
    }
    pos = nl + 1;
  }
  if (has) return Status::Ok();
  std::string p = *passwd;
  if (!p.empty() && p.back() != '\n') p += '\n';
  std::string shell = ::access((rootfs + "/bin/bash").c_str(), F_OK) == 0 ? "/bin/bash" : "/bin/sh";
  p += "work:x:" + std::to_string(uid) + ":" + std::to_string(gid) + ":Berth:/home/work:" + shell +
       "\n";
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(rootfs + "/etc/passwd", p, 0644));
  auto group = ReadFile(rootfs + "/etc/group");
  std::string g = group.ok() ? *group : "";
  if (g.find(":" + std::to_string(gid) + ":") == std::string::npos) {
    if (!g.empty() && g.back() != '\n') g += '\n';
    g += "work:x:" + std::to_string(gid) + ":\n";
    BERTH_RETURN_IF_ERROR(WriteFileAtomic(rootfs + "/etc/group", g, 0644));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ImageStore>> ImageStore::Open(ImageStoreOptions options) {
  if (options.root.empty()) return InvalidArgument("ImageStoreOptions.root is required");
  options.root = CleanPath(options.root);
  BERTH_RETURN_IF_ERROR(MkdirAll(options.root, 0755));
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(options)));
}

Result<ImageInfo> ImageStore::Get(const std::string& name) const {
  if (!IsValidImageName(name))
    return InvalidArgument("invalid image name '" + name + "'", "invalid_image_name");
  const std::string dir = options_.root + "/" + name;
  auto manifest = ReadImageManifest(dir);
  if (!manifest.ok()) {
    if (manifest.status().code() == Code::kNotFound)
      return NotFound("image " + name + " not found", "image_not_found");
    return manifest.status();
  }
  ImageInfo info = std::move(*manifest);
  info.name = name;
  info.rootfs = dir + "/rootfs";
  return info;
}

Result<std::vector<ImageInfo>> ImageStore::List() const {
  std::vector<ImageInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.root, ec)) {
    std::string name = e.path().filename();
    if (!IsValidImageName(name) || !e.is_directory()) continue;
    auto info = Get(name);
    if (info.ok()) out.push_back(std::move(*info));
  }
  if (ec) return Internal("list " + options_.root + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<ImageInfo> ImageStore::Publish(const std::string& tmp_dir, ImageInfo info, bool replace) {
  info.size_bytes = TreeSize(tmp_dir + "/rootfs");
  info.created_at = NowRfc3339();
  BERTH_RETURN_IF_ERROR(WriteImageManifest(tmp_dir, info));
  const std::string dest = options_.root + "/" + info.name;
  std::string old;
  if (::access(dest.c_str(), F_OK) == 0) {
    if (!replace) return AlreadyExists("image " + info.name + " already exists", "image_exists");
    old = options_.root + "/.old-" + info.name + "-" + RandomHex(4);
    if (::rename(dest.c_str(), old.c_str()) != 0) return ErrnoStatus("rename " + dest, errno);
  }
  if (::rename(tmp_dir.c_str(), dest.c_str()) != 0) {
    int e = errno;
    if (!old.empty()) ::rename(old.c_str(), dest.c_str());
    return ErrnoStatus("rename " + tmp_dir, e);
  }
  if (!old.empty()) (void)RemoveBuildDir(old);
  return Get(info.name);
}

Result<std::string> ImageStore::RecipeText(const std::string& recipe_name) const {
  if (!IsValidImageName(recipe_name))
    return InvalidArgument("invalid recipe name '" + recipe_name + "'", "invalid_image_name");
  auto text = ReadFile(options_.recipes_dir + "/" + recipe_name + ".toml");
  if (!text.ok() && text.status().code() == Code::kNotFound) {
    return NotFound("no recipe " + recipe_name + " in " + options_.recipes_dir,
                    "recipe_not_found");
  }
  return text;
}

Result<std::string> ImageStore::RecipeDigest(const std::string& recipe_name) const {
  BERTH_ASSIGN_OR_RETURN(std::string text, RecipeText(recipe_name));
  return "sha256:" + Sha256Hex(text);
}

Result<ImageInfo> ImageStore::Build(const std::string& recipe_name, const BuildOptions& options) {
  auto text = RecipeText(recipe_name);
  if (!text.ok()) return text.status();
  BERTH_ASSIGN_OR_RETURN(Recipe recipe, ParseRecipe(recipe_name, *text));
  BERTH_ASSIGN_OR_RETURN(FileLock lock, NameLock(options_.root, recipe_name));
  if (!options.replace && ::access((options_.root + "/" + recipe_name).c_str(), F_OK) == 0)
    return AlreadyExists("image " + recipe_name + " already exists", "image_exists");
  RemoveStaleBuilds(options_.root, recipe_name);

  const std::string tmp = options_.root + "/.build-" + recipe_name + "-" + RandomHex(4);
  if (::mkdir(tmp.c_str(), 0755) != 0) return ErrnoStatus("mkdir " + tmp, errno);
  const std::string log_path = options.log_path.empty()
                                   ? options_.root + "/" + recipe_name + ".build.log"
                                   : options.log_path;
  UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (!log) {
    (void)RemoveBuildDir(tmp);
    return ErrnoStatus("open " + log_path, errno);
  }
  SubprocessOptions o;
  o.argv = MmdebstrapArgv(recipe, tmp + "/rootfs", options_.mirror_override);
  o.argv[0] = options_.mmdebstrap_path;
  o.stdout_fd = log.get();
  o.stderr_fd = log.get();
  o.timeout = options_.build_timeout;
  // mmdebstrap cleans up its own mounts on SIGTERM; SIGKILL follows later.
  o.on_timeout = [](pid_t pid) { ::kill(-pid, SIGTERM); };
  auto r = RunSubprocess(o);
  if (!r.ok() || !r->ok()) {
    (void)RemoveBuildDir(tmp);
    std::string why = r.ok() ? (r->timed_out ? "timed out" : "exit " + std::to_string(r->exit_code))
                             : r.status().message();
    return Internal(
        "mmdebstrap for image " + recipe_name + " failed (" + why + "); see " + log_path,
        "image_build_failed");
  }
  ImageInfo info;
  info.name = recipe_name;
  info.digest = "sha256:" + Sha256Hex(*text);
  info.source = "recipe:" + recipe_name;
  info.description = recipe.description;
  info.uid = recipe.uid;
  info.gid = recipe.gid;
  info.apps = recipe.apps;
  auto published = Publish(tmp, std::move(info), options.replace);
  if (!published.ok()) (void)RemoveBuildDir(tmp);
  return published;
}

Result<ImageInfo> ImageStore::Import(const std::string& name, const std::string& tarball,
                                     bool replace) {
  if (!IsValidImageName(name))
    return InvalidArgument("invalid image name '" + name + "'", "invalid_image_name");
  if (::access(tarball.c_str(), R_OK) != 0) return NotFound("cannot read " + tarball);
  BERTH_ASSIGN_OR_RETURN(FileLock lock, NameLock(options_.root, name));
  if (!replace && ::access((options_.root + "/" + name).c_str(), F_OK) == 0)
    return AlreadyExists("image " + name + " already exists", "image_exists");
  RemoveStaleBuilds(options_.root, name);
  const std::string tmp = options_.root + "/.build-" + name + "-" + RandomHex(4);
  auto fail = [&](Status s) -> Result<ImageInfo> {
    (void)RemoveBuildDir(tmp);
    return s;
  };
  if (::mkdir(tmp.c_str(), 0755) != 0) return ErrnoStatus("mkdir " + tmp, errno);
  if (::mkdir((tmp + "/rootfs").c_str(), 0755) != 0 ||
      ::mkdir((tmp + "/unpack").c_str(), 0700) != 0)
    return fail(ErrnoStatus("mkdir in " + tmp, errno));
  auto imported = ImportImageArchive(tarball, tmp + "/unpack", tmp + "/rootfs");
  if (!imported.ok()) return fail(imported.status());
  Status s = RemoveTree(tmp + "/unpack");
  if (s.ok()) s = EnsureSessionUser(tmp + "/rootfs", 1000, 1000);
  if (s.ok()) s = MkdirAll(tmp + "/rootfs/.berth", 0755);
  if (!s.ok()) return fail(s);
  ImageInfo info;
  info.name = name;
  info.digest = imported->digest;
  info.source = "import:" + fs::path(tarball).filename().string();
  info.env = imported->env;
  auto published = Publish(tmp, std::move(info), replace);
  if (!published.ok()) return fail(published.status());
  return published;
}

Status ImageStore::Remove(const std::string& name) {
  if (!IsValidImageName(name))
    return InvalidArgument("invalid image name '" + name + "'", "invalid_image_name");
  BERTH_ASSIGN_OR_RETURN(FileLock lock, NameLock(options_.root, name));
  const std::string dir = options_.root + "/" + name;
  if (::access(dir.c_str(), F_OK) != 0)
    return NotFound("image " + name + " not found", "image_not_found");
  const std::string old = options_.root + "/.old-" + name + "-" + RandomHex(4);
  if (::rename(dir.c_str(), old.c_str()) != 0) return ErrnoStatus("rename " + dir, errno);
  return RemoveBuildDir(old);
}

}  // namespace berth::images

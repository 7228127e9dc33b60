#include "images/layer_import.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "common/digest.h"
#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth::images {
namespace {

using nlohmann::json;

struct ArchiveReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ReadPtr = std::unique_ptr<archive, ArchiveReadDeleter>;
using WritePtr = std::unique_ptr<archive, ArchiveWriteDeleter>;

// libarchive's message for the last error on `a`. It can have none (NULL),
// and appending NULL to a std::string is a crash: a malformed pax header
// did that (fuzz/layer_import_fuzzer).
std::string ArchiveMessage(archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown archive error";
}

Result<ReadPtr> OpenArchive(const std::string& path) {
  ReadPtr a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    return InvalidArgument("cannot open archive " + path + ": " + ArchiveMessage(a.get()),
                           "invalid_image_archive");
  return a;
}

// "./a//b/" -> "a/b"; error on "..", empty -> "" (the root itself).
Result<std::string> CleanEntryPath(const char* raw) {
  if (raw == nullptr)
    return InvalidArgument("archive entry without a name", "invalid_image_archive");
  std::string p = raw;
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  std::string cleaned = CleanPath(p);
  if (cleaned == ".") return std::string();
  size_t i = 0;
  while (i <= cleaned.size()) {
    size_t j = cleaned.find('/', i);
    if (j == std::string::npos) j = cleaned.size();
    if (cleaned.compare(i, j - i, "..") == 0 && j - i == 2)
      return InvalidArgument(std::string("archive entry escapes the root: ") + raw,
                             "invalid_image_archive");
    i = j + 1;
  }
  return cleaned;
}

Status CopyData(archive* in, archive* out) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int r = archive_read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r != ARCHIVE_OK) return Internal(std::string("read archive: ") + ArchiveMessage(in));
    if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
      return Internal(std::string("write: ") + ArchiveMessage(out));
  }
}

// Extracts every entry of `path` beneath `dest`; `on_entry` may rewrite or
// skip (return false) entries. `dest` must not contain symlinks.
template <typename Fn>
Status Extract(const std::string& path, const std::string& dest, int flags, Fn on_entry) {
  BERTH_ASSIGN_OR_RETURN(ReadPtr in, OpenArchive(path));
  WritePtr out(archive_write_disk_new());
  archive_write_disk_set_options(out.get(), flags);
  archive_write_disk_set_standard_lookup(out.get());
  archive_entry* entry;
  for (;;) {
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return InvalidArgument("bad archive " + path + ": " + ArchiveMessage(in.get()),
                             "invalid_image_archive");
    BERTH_ASSIGN_OR_RETURN(std::string rel, CleanEntryPath(archive_entry_pathname(entry)));
    bool keep = true;
    BERTH_ASSIGN_OR_RETURN(keep, on_entry(rel, entry));
    if (!keep || rel.empty()) continue;
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFCHR || type == AE_IFBLK) continue;  // the runtime provides /dev
    archive_entry_set_pathname(entry, (dest + "/" + rel).c_str());
    if (const char* hl = archive_entry_hardlink(entry)) {
      BERTH_ASSIGN_OR_RETURN(std::string target, CleanEntryPath(hl));
      archive_entry_set_hardlink(entry, (dest + "/" + target).c_str());
    }
    r = archive_write_header(out.get(), entry);
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return InvalidArgument("cannot extract " + rel + ": " + ArchiveMessage(out.get()),
                             "invalid_image_archive");
    if (archive_entry_size(entry) > 0) BERTH_RETURN_IF_ERROR(CopyData(in.get(), out.get()));
    if (archive_write_finish_entry(out.get()) != ARCHIVE_OK)
      return Internal("finish " + rel + ": " + ArchiveMessage(out.get()));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    return Internal(std::string("close: ") + ArchiveMessage(out.get()));
  return Status::Ok();
}

std::string Dirname(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

std::string Basename(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

// A path named inside the archive ("blobs/sha256/..", "<id>/layer.tar"),
// resolved beneath the unpacked work dir.
Result<std::string> Inside(const std::string& work, const std::string& rel) {
  BERTH_ASSIGN_OR_RETURN(std::string clean, CleanEntryPath(rel.c_str()));
  if (clean.empty())
    return InvalidArgument("empty path in image manifest", "invalid_image_archive");
  return work + "/" + clean;
}

// Manifest values are attacker input: a wrong JSON type is a refusal, never
// a nlohmann exception (fuzz/image_import_fuzzer found those).
Result<std::string> ManifestString(const json& j, const char* what) {
  if (!j.is_string())
    return InvalidArgument(std::string(what) + " in the image manifest is not a string",
                           "invalid_image_archive");
  return j.get<std::string>();
}

// `obj[key]` as a list; an absent key is an empty list.
Result<json> ManifestList(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return json::array();
  if (!it->is_array())
    return InvalidArgument(std::string(key) + " in the image manifest is not a list",
                           "invalid_image_archive");
  return *it;
}

// True when directory `rel` (relative to `rootfs`) resolves beneath it with
// no symlink on the way. Whiteouts and type replacements act on host paths;
// a symlink planted by a lower layer ("d -> /etc") must never redirect them
// out of the root.
bool DirIsPlainBeneath(const std::string& rootfs, const std::string& rel) {
  if (rel.empty()) return true;
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return false;
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof(how))));
  return fd.valid();
}

}  // namespace

Status ApplyLayer(const std::string& layer_path, const std::string& rootfs) {
  std::set<std::string> written;  // paths this layer created (kept by opaque markers)
  const int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                    ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK |
                    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
  return Extract(
      layer_path, rootfs, flags, [&](const std::string& rel, archive_entry* entry) -> Result<bool> {
        const std::string base = Basename(rel);
        const std::string dir = Dirname(rel);
        const std::string host_dir = dir.empty() ? rootfs : rootfs + "/" + dir;
        const bool plain_parent = DirIsPlainBeneath(rootfs, dir);
        if (base.rfind(".wh.", 0) == 0 && !plain_parent)
          return InvalidArgument("whiteout through a symlink: " + rel, "invalid_image_archive");
        if (base == ".wh..wh..opq") {
          std::error_code ec;
          for (const auto& child : std::filesystem::directory_iterator(host_dir, ec)) {
            std::string child_rel =
                (dir.empty() ? "" : dir + "/") + child.path().filename().string();
            if (!written.count(child_rel)) BERTH_RETURN_IF_ERROR(RemoveTree(child.path()));
          }
          return false;
        }
        if (base.rfind(".wh.", 0) == 0) {
          std::string victim = base.substr(4);
          if (victim.empty() || victim == "." || victim == "..")
            return InvalidArgument("bad whiteout " + rel, "invalid_image_archive");
          BERTH_RETURN_IF_ERROR(RemoveTree(host_dir + "/" + victim));
          return false;
        }
        // A non-directory replacing a directory (or the reverse) from a lower
        // layer: remove the old one first; libarchive only unlinks files.
        struct stat st;
        std::string host = rootfs + "/" + rel;
        if (!rel.empty() && plain_parent && ::lstat(host.c_str(), &st) == 0) {
          bool entry_dir = archive_entry_filetype(entry) == AE_IFDIR;
          if (S_ISDIR(st.st_mode) != entry_dir) BERTH_RETURN_IF_ERROR(RemoveTree(host));
        }
        written.insert(rel);
        return true;
      });
}

Result<ImportedImage> ImportImageArchive(const std::string& tarball, const std::string& work_dir,
                                         const std::string& rootfs) {
  ImportedImage out;
  BERTH_ASSIGN_OR_RETURN(std::string hex, Sha256FileHex(tarball));
  out.digest = "sha256:" + hex;
  // Entry paths were cleaned and prefixed with work_dir by Extract, so they
  // are absolute on purpose (no SECURE_NOABSOLUTEPATHS).
  const int flags = ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
  BERTH_RETURN_IF_ERROR(
      Extract(tarball, work_dir, flags, [](const std::string&, archive_entry* e) -> Result<bool> {
        mode_t t = archive_entry_filetype(e);
        return t == AE_IFREG || t == AE_IFDIR;  // no links in the outer archive
      }));

  std::vector<std::string> layers;
  std::string config_path;
  auto parse = [](const std::string& path) -> Result<json> {
    BERTH_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return InvalidArgument(path + " is not JSON", "invalid_image_archive");
    return j;
  };
  auto blob = [&](const json& desc) -> Result<std::string> {
    if (!desc.is_object() || !desc.contains("digest"))
      return InvalidArgument("bad descriptor in OCI manifest", "invalid_image_archive");
    BERTH_ASSIGN_OR_RETURN(std::string digest, ManifestString(desc["digest"], "digest"));
    auto colon = digest.find(':');
    if (colon == std::string::npos)
      return InvalidArgument("bad digest in OCI manifest", "invalid_image_archive");
    return Inside(work_dir, "blobs/" + digest.substr(0, colon) + "/" + digest.substr(colon + 1));
  };
  if (::access((work_dir + "/manifest.json").c_str(), F_OK) == 0) {
    BERTH_ASSIGN_OR_RETURN(json m, parse(work_dir + "/manifest.json"));
    if (!m.is_array() || m.empty() || !m[0].is_object())
      return InvalidArgument("manifest.json has no image", "invalid_image_archive");
    BERTH_ASSIGN_OR_RETURN(json ls, ManifestList(m[0], "Layers"));
    for (const auto& l : ls) {
      BERTH_ASSIGN_OR_RETURN(std::string rel, ManifestString(l, "a layer path"));
      BERTH_ASSIGN_OR_RETURN(std::string p, Inside(work_dir, rel));
      layers.push_back(p);
    }
    if (m[0].contains("Config")) {
      BERTH_ASSIGN_OR_RETURN(std::string rel, ManifestString(m[0]["Config"], "Config"));
      BERTH_ASSIGN_OR_RETURN(config_path, Inside(work_dir, rel));
    }
  } else if (::access((work_dir + "/index.json").c_str(), F_OK) == 0) {
    BERTH_ASSIGN_OR_RETURN(json index, parse(work_dir + "/index.json"));
    if (!index.is_object())
      return InvalidArgument("index.json is not an object", "invalid_image_archive");
    BERTH_ASSIGN_OR_RETURN(json manifests, ManifestList(index, "manifests"));
    if (manifests.empty())
      return InvalidArgument("index.json lists no manifest", "invalid_image_archive");
    BERTH_ASSIGN_OR_RETURN(std::string mpath, blob(manifests[0]));
    BERTH_ASSIGN_OR_RETURN(json manifest, parse(mpath));
    if (!manifest.is_object())
      return InvalidArgument("the OCI manifest is not an object", "invalid_image_archive");
    if (manifest.contains("manifests"))  // a nested index: take its first entry
      return InvalidArgument("multi-platform OCI index is not supported; save one platform",
                             "invalid_image_archive");
    BERTH_ASSIGN_OR_RETURN(json ls, ManifestList(manifest, "layers"));
    for (const auto& l : ls) {
      BERTH_ASSIGN_OR_RETURN(std::string p, blob(l));
      layers.push_back(p);
    }
    if (manifest.contains("config")) {
      BERTH_ASSIGN_OR_RETURN(config_path, blob(manifest["config"]));
    }
  } else {
    return InvalidArgument("not a docker save or OCI archive (no manifest.json or index.json)",
                           "invalid_image_archive");
  }
  if (layers.empty()) return InvalidArgument("image has no layers", "invalid_image_archive");
  for (const auto& layer : layers) BERTH_RETURN_IF_ERROR(ApplyLayer(layer, rootfs));
  out.layers = layers.size();
  if (!config_path.empty()) {
    auto config = parse(config_path);
    if (config.ok() && config->contains("config") && (*config)["config"].is_object()) {
      const json& c = (*config)["config"];
      if (c.contains("Env") && c["Env"].is_array())
        for (const auto& e : c["Env"])
          if (e.is_string()) out.env.push_back(e);
      if (c.contains("User") && c["User"].is_string()) out.user = c["User"];
    }
  }
  return out;
}

}  // namespace berth::images

#include "runtime/docker_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "common/digest.h"
#include "common/fs_util.h"
#include "common/percent_encode.h"
#include "images/image_manifest.h"

namespace berth::runtime {
namespace {

using nlohmann::json;

constexpr size_t kChunkBytes = 1 << 20;

// Docker repository path components: [a-z0-9]+ separated by [._-].
std::string RepoComponent(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "image" : out;
}

std::string Dirname(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

std::string Basename(const std::string& p) {
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

json ParseJson(const std::string& text) { return json::parse(text, nullptr, false); }

// Streams a tar of `rootfs` to POST /images/create as repo:tag.
Status ImportImage(const DockerClient& client, const std::string& rootfs, const std::string& repo,
                   const std::string& tag, std::chrono::milliseconds import_timeout) {
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<RootfsTar> tar, RootfsTar::Open(rootfs));
  const std::string target = "/images/create?fromSrc=-&repo=" + PercentEncode(repo) +
                             "&tag=" + PercentEncode(tag) +
                             "&message=" + PercentEncode("berth import of " + rootfs);
  BERTH_ASSIGN_OR_RETURN(HttpResponse r, client.StreamRequest(
                                             "POST", target, "application/x-tar",
                                             [&](std::string* chunk) { return tar->Next(chunk); },
                                             import_timeout));
  if (r.status != 200)
    return DockerError("import image " + repo + ":" + tag + " from " + rootfs, r);
  // 200 is sent before the work is done: errors come as {"error": ...}
  // lines in the body.
  size_t pos = 0;
  while (pos < r.body.size()) {
    size_t nl = r.body.find('\n', pos);
    if (nl == std::string::npos) nl = r.body.size();
    json line = ParseJson(r.body.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.is_object() && line.contains("error"))
      return Internal("import image " + repo + ":" + tag + " from " + rootfs + ": " +
                      line["error"].dump());
  }
  return Status::Ok();
}

}  // namespace

Result<DockerImageRef> ImageRefForRootfs(const std::string& rootfs_in) {
  const std::string rootfs = CleanPath(rootfs_in);
  struct stat st;
  if (rootfs.empty() || rootfs[0] != '/' || ::stat(rootfs.c_str(), &st) != 0 ||
      !S_ISDIR(st.st_mode))
    return FailedPrecondition("image rootfs " + rootfs_in + " is not a directory");
  const std::string image_dir = Dirname(rootfs);
  DockerImageRef ref;
  std::string meta;  // the manifest's bytes, also when they do not parse
  auto manifest = images::ReadImageManifest(image_dir, &meta);
  if (manifest.ok() || !meta.empty()) {
    std::string name = manifest.ok() ? manifest->name : "";
    ref.repo = "berth/" + RepoComponent(name.empty() ? Basename(image_dir) : name);
    ref.tag = Sha256Hex(meta + '\0' + rootfs).substr(0, 16);
  } else {
    ref.repo = "berth/" + RepoComponent(Basename(image_dir));
    ref.tag =
        Sha256Hex(rootfs + '\0' + std::to_string(st.st_ctim.tv_sec) + "." +
                  std::to_string(st.st_ctim.tv_nsec) + "/" + std::to_string(st.st_mtim.tv_sec) +
                  "." + std::to_string(st.st_mtim.tv_nsec))
            .substr(0, 16);
  }
  return ref;
}

struct RootfsTar::Rep {
  std::string root;
  archive* disk = nullptr;
  archive* out = nullptr;
  archive_entry_linkresolver* links = nullptr;
  archive_entry* entry = nullptr;
  std::string buffer;  // tar bytes written by libarchive, not yet handed out
  bool in_data = false;
  bool done = false;

  ~Rep() {
    if (entry != nullptr) archive_entry_free(entry);
    if (links != nullptr) archive_entry_linkresolver_free(links);
    if (out != nullptr) archive_write_free(out);
    if (disk != nullptr) archive_read_free(disk);
  }

  static la_ssize_t Write(archive*, void* self, const void* data, size_t n) {
    static_cast<Rep*>(self)->buffer.append(static_cast<const char*>(data), n);
    return static_cast<la_ssize_t>(n);
  }

  Status DiskError(const std::string& what) const {
    const char* e = archive_error_string(disk);
    return Internal("tar of " + root + ": " + what + ": " + (e ? e : "unknown error"));
  }
  Status OutError(const std::string& what) const {
    const char* e = archive_error_string(out);
    return Internal("tar of " + root + ": " + what + ": " + (e ? e : "unknown error"));
  }

  // Reads the next entry's header and writes it; sets in_data if its
  // contents follow. Sets done at the end of the tree.
  Status NextEntry() {
    archive_entry_clear(entry);
    int r = archive_read_next_header2(disk, entry);
    if (r == ARCHIVE_EOF) {
      if (archive_write_close(out) != ARCHIVE_OK) return OutError("finish");
      done = true;
      return Status::Ok();
    }
    if (r < ARCHIVE_WARN) return DiskError("read");
    if (archive_read_disk_descend(disk) < ARCHIVE_WARN) return DiskError("descend");
    std::string path = archive_entry_pathname(entry);
    if (path.compare(0, root.size(), root) != 0) return Internal("tar: unexpected path " + path);
    path.erase(0, root.size());
    while (!path.empty() && path[0] == '/') path.erase(0, 1);
    if (path.empty()) return Status::Ok();  // the root itself
    archive_entry_copy_pathname(entry, path.c_str());
    archive_entry* e = entry;
    archive_entry* unused = nullptr;
    archive_entry_linkify(links, &e, &unused);
    if (e == nullptr) return Status::Ok();
    r = archive_write_header(out, e);
    if (r == ARCHIVE_FAILED) return Status::Ok();  // e.g. a socket: tar cannot hold it
    if (r < ARCHIVE_WARN) return OutError("write header of " + path);
    in_data = archive_entry_filetype(e) == AE_IFREG && archive_entry_hardlink(e) == nullptr &&
              archive_entry_size(e) > 0;
    return Status::Ok();
  }

  // Copies one block of the current file; clears in_data at its end.
  Status CopyData() {
    char block[64 << 10];
    la_ssize_t n = archive_read_data(disk, block, sizeof(block));
    if (n < 0) return DiskError("read data");
    if (n == 0) {
      in_data = false;
      return Status::Ok();
    }
    if (archive_write_data(out, block, static_cast<size_t>(n)) < 0) return OutError("write data");
    return Status::Ok();
  }
};

RootfsTar::RootfsTar(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
RootfsTar::~RootfsTar() = default;

Result<std::unique_ptr<RootfsTar>> RootfsTar::Open(const std::string& rootfs) {
  auto rep = std::make_unique<Rep>();
  rep->root = CleanPath(rootfs);
  rep->disk = archive_read_disk_new();
  rep->out = archive_write_new();
  rep->links = archive_entry_linkresolver_new();
  rep->entry = archive_entry_new();
  if (!rep->disk || !rep->out || !rep->links || !rep->entry)
    return Internal("libarchive: no memory");
  // Physical walk (never follow symlinks), stay on one file system, numeric
  // owners only (no uname/gname lookup: Docker applies uid/gid numbers).
  archive_read_disk_set_symlink_physical(rep->disk);
  archive_read_disk_set_behavior(rep->disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS |
                                                ARCHIVE_READDISK_NO_ACL |
                                                ARCHIVE_READDISK_NO_FFLAGS);
  if (archive_read_disk_open(rep->disk, rep->root.c_str()) != ARCHIVE_OK)
    return rep->DiskError("open");
  archive_write_set_format_pax_restricted(rep->out);
  archive_write_set_bytes_in_last_block(rep->out, 1);
  archive_entry_linkresolver_set_strategy(rep->links, archive_format(rep->out));
  if (archive_write_open(rep->out, rep.get(), nullptr, &Rep::Write, nullptr) != ARCHIVE_OK)
    return rep->OutError("open");
  return std::unique_ptr<RootfsTar>(new RootfsTar(std::move(rep)));
}

Result<bool> RootfsTar::Next(std::string* chunk) {
  Rep& r = *rep_;
  while (r.buffer.size() < kChunkBytes && !r.done) {
    BERTH_RETURN_IF_ERROR(r.in_data ? r.CopyData() : r.NextEntry());
  }
  chunk->swap(r.buffer);
  r.buffer.clear();
  return !r.done;
}

Result<std::string> EnsureDockerImage(const DockerClient& client, const std::string& rootfs,
                                      std::chrono::milliseconds request_timeout,
                                      std::chrono::milliseconds import_timeout) {
  BERTH_ASSIGN_OR_RETURN(DockerImageRef ref, ImageRefForRootfs(rootfs));
  BERTH_ASSIGN_OR_RETURN(HttpResponse r, client.Request("GET", "/images/" + ref.ref() + "/json",
                                                        "", request_timeout));
  if (r.status == 200) return ref.ref();
  if (r.status != 404) return DockerError("inspect image " + ref.ref(), r);
  BERTH_RETURN_IF_ERROR(ImportImage(client, CleanPath(rootfs), ref.repo, ref.tag, import_timeout));

  // Older tags of this image (the image was rebuilt): remove them unless a
  // container still uses them (Docker refuses then; that is fine).
  json filters = {{"reference", {ref.repo}}};
  auto list = client.Request("GET", "/images/json?filters=" + PercentEncode(filters.dump()), "",
                              request_timeout);
  if (list.ok() && list->status == 200) {
    json images = ParseJson(list->body);
    if (images.is_array()) {
      for (const auto& img : images) {
        if (!img.contains("RepoTags") || !img["RepoTags"].is_array()) continue;
        for (const auto& t : img["RepoTags"]) {
          if (!t.is_string() || t.get<std::string>() == ref.ref()) continue;
          if (t.get<std::string>().rfind(ref.repo + ":", 0) != 0) continue;
          (void)client.Request("DELETE", "/images/" + t.get<std::string>(), "",
                                request_timeout);
        }
      }
    }
  }
  return ref.ref();
}

}  // namespace berth::runtime

// The file verbs of `berth folder ...` (SPEC §6): ls, mkdir, upload,
// download, cat, mv, rm on the files inside a folder, with file transfer
// (streamed uploads of files and directory trees, downloads as files or
// tar streams unpacked locally). Multi-path verbs (mkdir, upload, download,
// rm) keep going after a failed path, report each failure, and exit 1 at the
// end. Registered by AddFolderCommands (folder_commands.cc).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "api/json.h"
#include "cli/app.h"
#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/progress.h"
#include "cli/size.h"
#include "cli/url.h"
#include "common/unique_fd.h"

namespace berth::cli {

namespace fs = std::filesystem;

namespace {

struct LsOptions {
  std::string folder, path, output;
};

Status ListFiles(CliContext& ctx, const LsOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(api::FileList list,
                         c->ListAllFiles(o.folder, NormalizeFolderPath(o.path)));
  if (o.output == "json") {
    nlohmann::json j = list;
    return PrintJson(ctx, j.dump());
  }
  if (list.entries.empty()) return Status::Ok();
  ctx.out << FilesTable(list.entries);
  return Status::Ok();
}

struct MkdirOptions {
  std::string folder;
  std::vector<std::string> paths;
  bool parents = false;
};

Status MakeDirs(CliContext& ctx, const MkdirOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  bool failed = false;
  for (const std::string& p : o.paths) {
    Result<api::FileEntry> r = c->Mkdir(o.folder, NormalizeFolderPath(p), o.parents, nullptr);
    if (!r.ok()) {
      PrintError(ctx, p + ": " + r.status().message());
      failed = true;
    }
  }
  return failed ? AlreadyReported() : Status::Ok();
}

// The name a local path contributes at the destination: "a/b/" → "b",
// "." → the current directory's name.
std::string LocalBaseName(const std::string& local) {
  fs::path p = fs::absolute(fs::path(local)).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

struct UploadOptions {
  std::string folder;
  std::vector<std::string> locals;
  std::string dst;
  bool recursive = false;
  bool overwrite = false;
};

class Uploader {
 public:
  Uploader(CliContext& ctx, BerthClient& c, const UploadOptions& o) : ctx_(ctx), c_(c), o_(o) {}

  Status Run() {
    std::string dst = NormalizeFolderPath(o_.dst);
    if (!dst.empty()) {
      // --dst names a directory; create it (and its parents) if missing.
      Result<api::FileEntry> r = c_.Mkdir(o_.folder, dst, /*parents=*/true, nullptr);
      if (!r.ok()) return r.status();
    }
    for (const std::string& local : o_.locals) {
      struct stat st;
      if (::stat(local.c_str(), &st) != 0) {
        Fail(local, std::strerror(errno));
        continue;
      }
      std::string remote = JoinFolderPath(dst, LocalBaseName(local));
      if (S_ISDIR(st.st_mode)) {
        if (!o_.recursive) {
          Fail(local, "is a directory (use -r to upload it with its contents)");
          continue;
        }
        UploadTree(local, remote);
      } else if (S_ISREG(st.st_mode)) {
        if (UploadFile(local, remote)) {
          ctx_.out << "Uploaded " << local << " to " << o_.folder << ":" << remote << " ("
                   << FormatSize(static_cast<uint64_t>(st.st_size)) << ")\n";
        }
      } else {
        Fail(local, "not a regular file or directory");
      }
    }
    return failed_ ? AlreadyReported() : Status::Ok();
  }

 private:
  void Fail(const std::string& what, const std::string& message) {
    if (total_) total_->Clear();
    PrintError(ctx_, what + ": " + message);
    failed_ = true;
  }

  // Uploads one regular file; false (reported) on failure.
  bool UploadFile(const std::string& local, const std::string& remote) {
    UniqueFd fd(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (!fd || ::fstat(fd.get(), &st) != 0) {
      Fail(local, std::strerror(errno));
      if (total_) total_->FileDone(0);  // attempted: the count still reaches the total
      return false;
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    // Inside a tree the overall line replaces the per-file bar.
    Progress progress(ctx_.err, ctx_.stderr_is_tty && total_ == nullptr, local, size);
    Result<api::FileEntry> r = c_.Upload(
        o_.folder, remote, fd.get(), size, o_.overwrite,
        [this, &progress](uint64_t done, uint64_t) {
          progress.Update(done);
          if (total_) total_->Update(done);
        },
        nullptr);
    progress.Finish();
    if (total_) total_->FileDone(size);
    if (!r.ok()) {
      std::string msg = r.status().message();
      if (r.status().code() == Code::kAlreadyExists && !o_.overwrite) {
        msg += " (use --overwrite to replace it)";
      }
      Fail(local, msg);
      return false;
    }
    files_ += 1;
    bytes_ += size;
    return true;
  }

  // Uploads a directory tree: directories first (mkdir -p), then files, in
  // walk order. Symlinks and special files are skipped with a warning.
  void UploadTree(const std::string& local_root, const std::string& remote_root) {
    uint64_t files_before = files_, bytes_before = bytes_;
    auto [files, bytes] = CountTree(local_root);
    TotalProgress total(ctx_.err, ctx_.stderr_is_tty, files, bytes);
    total_ = &total;
    UploadTreeEntries(local_root, remote_root);
    total.Finish();
    total_ = nullptr;
    ctx_.out << "Uploaded " << local_root << " to " << o_.folder << ":" << remote_root << " ("
             << files_ - files_before << " files, " << FormatSize(bytes_ - bytes_before) << ")\n";
  }

  // The regular files under `root` (symlinks not followed) and their bytes.
  static std::pair<uint64_t, uint64_t> CountTree(const std::string& root) {
    uint64_t files = 0, bytes = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code sec;
      fs::file_status st = it->symlink_status(sec);
      if (!fs::is_regular_file(st)) continue;
      files += 1;
      bytes += it->file_size(sec);
    }
    return {files, bytes};
  }

  void UploadTreeEntries(const std::string& local_root, const std::string& remote_root) {
    Result<api::FileEntry> r = c_.Mkdir(o_.folder, remote_root, /*parents=*/true, nullptr);
    if (!r.ok()) return Fail(local_root, r.status().message());
    std::error_code ec;
    fs::recursive_directory_iterator it(local_root, ec), end;
    if (ec) return Fail(local_root, ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) {
        Fail(local_root, ec.message());
        break;
      }
      const fs::directory_entry& e = *it;
      std::string rel = fs::relative(e.path(), local_root, ec).generic_string();
      std::string remote = JoinFolderPath(remote_root, rel);
      std::error_code sec;
      fs::file_status st = e.symlink_status(sec);
      if (fs::is_symlink(st)) {
        if (total_) total_->Clear();
        ctx_.err << "warning: skipping symlink " << e.path().string() << "\n";
      } else if (fs::is_directory(st)) {
        Result<api::FileEntry> m = c_.Mkdir(o_.folder, remote, /*parents=*/true, nullptr);
        if (!m.ok()) {
          Fail(e.path().string(), m.status().message());
          it.disable_recursion_pending();
        }
      } else if (fs::is_regular_file(st)) {
        UploadFile(e.path().string(), remote);
      } else {
        if (total_) total_->Clear();
        ctx_.err << "warning: skipping " << e.path().string() << " (not a regular file)\n";
      }
    }
  }

  CliContext& ctx_;
  BerthClient& c_;
  const UploadOptions& o_;
  bool failed_ = false;
  uint64_t files_ = 0;
  uint64_t bytes_ = 0;
  TotalProgress* total_ = nullptr;  // set while a tree uploads
};

Status UploadFiles(CliContext& ctx, const UploadOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  return Uploader(ctx, *c, o).Run();
}

struct CatOptions {
  std::string folder, path;
};

Status Cat(CliContext& ctx, const CatOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string path = NormalizeFolderPath(o.path);
  // A directory would come back as a zip archive: refuse instead.
  if (path.empty()) return InvalidArgument(o.path + ": is a directory");
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                         c->OpenContent(o.folder, path, /*tar=*/false));
  std::string type = FindHeader(stream->headers(), "Content-Type");
  if (type.rfind("application/zip", 0) == 0 && c->IsDirectory(o.folder, path)) {
    return InvalidArgument(o.path + ": is a directory");
  }
  std::vector<char> buf(256 * 1024);
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(size_t n, stream->Read(buf.data(), buf.size()));
    if (n == 0) break;
    ctx.out.write(buf.data(), static_cast<std::streamsize>(n));
    if (!ctx.out) return Internal("writing to stdout failed");
  }
  ctx.out.flush();
  return Status::Ok();
}

struct MoveOptions {
  std::string folder, src, dst, output;
};

Status MoveFile(CliContext& ctx, const MoveOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::FileEntry e, c->Move(o.folder, NormalizeFolderPath(o.src),
                                                   NormalizeFolderPath(o.dst), &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Moved " << NormalizeFolderPath(o.src) << " to " << NormalizeFolderPath(o.dst) << "\n";
  return Status::Ok();
}

struct RmOptions {
  std::string folder;
  std::vector<std::string> paths;
  bool recursive = false;
};

Status RemoveFiles(CliContext& ctx, const RmOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  bool failed = false;
  for (const std::string& p : o.paths) {
    std::string path = NormalizeFolderPath(p);
    Status st = path.empty() ? UsageError(
                                   "refusing to delete the folder root (use `berth folder "
                                   "delete " +
                                   o.folder + "` to delete the folder)")
                             : c->Remove(o.folder, path, o.recursive);
    if (IsUsageError(st)) return st;
    if (!st.ok()) {
      std::string msg = st.message();
      if (!o.recursive && st.reason() == "directory_not_empty") msg += " (use -r to delete it)";
      PrintError(ctx, p + ": " + msg);
      failed = true;
    }
  }
  return failed ? AlreadyReported() : Status::Ok();
}

}  // namespace

void AddFolderFileVerbs(CLI::App* g, CliContext& ctx) {
  CLI::App* cmd;
  {
    auto o = Verb<LsOptions>(g, ctx, "ls", "List the files of a folder directory", ListFiles, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("PATH", o->path, "Directory inside the folder (default: its root)");
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<MkdirOptions>(g, ctx, "mkdir", "Create directories in a folder", MakeDirs, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("PATH", o->paths, "Directories to create")->required();
    cmd->add_flag("-p,--parents", o->parents, "Create missing parents; no error if it exists");
  }
  {
    auto o = Verb<UploadOptions>(g, ctx, "upload",
                                 "Upload local files (and with -r directories, with one overall "
                                 "progress line on a terminal)",
                                 UploadFiles, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("LOCAL", o->locals, "Local files or directories")->required();
    cmd->add_option("--dst", o->dst, "Directory inside the folder (default: its root)");
    cmd->add_flag("-r,--recursive", o->recursive, "Upload directories with their contents");
    cmd->add_flag("--overwrite", o->overwrite, "Replace files that already exist");
  }
  AddFolderDownloadVerb(g, ctx);
  {
    auto o = Verb<CatOptions>(g, ctx, "cat", "Print a file of a folder on stdout", Cat, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("PATH", o->path, "File inside the folder")->required();
  }
  {
    auto o = Verb<MoveOptions>(g, ctx, "mv", "Move or rename a file or directory in a folder",
                               MoveFile, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("SRC", o->src, "Path to move")->required();
    cmd->add_option("DST", o->dst, "New path (must not exist)")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o =
        Verb<RmOptions>(g, ctx, "rm", "Delete files or directories in a folder", RemoveFiles, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("PATH", o->paths, "Paths to delete")->required();
    cmd->add_flag("-r,--recursive", o->recursive, "Delete directories with their contents");
  }
}

}  // namespace berth::cli

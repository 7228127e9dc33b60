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
#include "cli/tar_extract.h"
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
    PrintError(ctx_, what + ": " + message);
    failed_ = true;
  }

  // Uploads one regular file; false (reported) on failure.
  bool UploadFile(const std::string& local, const std::string& remote) {
    UniqueFd fd(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (!fd || ::fstat(fd.get(), &st) != 0) {
      Fail(local, std::strerror(errno));
      return false;
    }
    uint64_t size = static_cast<uint64_t>(st.st_size);
    Progress progress(ctx_.err, ctx_.stderr_is_tty, local, size);
    Result<api::FileEntry> r = c_.Upload(
        o_.folder, remote, fd.get(), size, o_.overwrite,
        [&progress](uint64_t done, uint64_t) { progress.Update(done); }, nullptr);
    progress.Finish();
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
        ctx_.err << "warning: skipping " << e.path().string() << " (not a regular file)\n";
      }
    }
    ctx_.out << "Uploaded " << local_root << " to " << o_.folder << ":" << remote_root << " ("
             << files_ - files_before << " files, " << FormatSize(bytes_ - bytes_before) << ")\n";
  }

  CliContext& ctx_;
  BerthClient& c_;
  const UploadOptions& o_;
  bool failed_ = false;
  uint64_t files_ = 0;
  uint64_t bytes_ = 0;
};

Status UploadFiles(CliContext& ctx, const UploadOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  return Uploader(ctx, *c, o).Run();
}

// Copies a download stream to `fd`, updating `progress`.
Status CopyStream(ResponseStream& stream, int fd, Progress* progress) {
  std::vector<char> buf(256 * 1024);
  uint64_t done = 0;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(size_t n, stream.Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
    size_t off = 0;
    while (off < n) {
      ssize_t w = ::write(fd, buf.data() + off, n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoStatus("writing the download", errno);
      off += static_cast<size_t>(w);
    }
    done += n;
    if (progress) progress->Update(done);
  }
}

// Whether `path` is a directory, judged by whether it can be listed. ""
// (the folder root) always is.
bool IsRemoteDir(BerthClient& c, const std::string& folder, const std::string& path) {
  if (path.empty()) return true;
  return c.ListFiles(folder, path, 1, "").ok();
}

struct DownloadOptions {
  std::string folder;
  std::vector<std::string> paths;
  std::string dest;
};

class Downloader {
 public:
  Downloader(CliContext& ctx, BerthClient& c, const DownloadOptions& o) : ctx_(ctx), c_(c), o_(o) {}

  Status Run() {
    std::string dest = o_.dest.empty() ? "." : o_.dest;
    bool dest_is_dir = fs::is_directory(dest);
    if (o_.paths.size() > 1 && !dest_is_dir) {
      if (fs::exists(dest)) return UsageError("-o " + dest + ": not a directory (several paths)");
      std::error_code ec;
      fs::create_directories(dest, ec);
      if (ec) return Status(Code::kInternal, "creating " + dest + ": " + ec.message());
      dest_is_dir = true;
    }
    for (const std::string& p : o_.paths) {
      std::string path = NormalizeFolderPath(p);
      std::string name = path.empty() ? o_.folder : BaseName(path);
      std::string target = dest_is_dir ? (fs::path(dest) / name).string() : dest;
      Status st = IsRemoteDir(c_, o_.folder, path) ? DownloadDir(path, name, target)
                                                   : DownloadFile(path, target);
      if (!st.ok()) {
        PrintError(ctx_, p + ": " + st.message());
        failed_ = true;
      }
    }
    return failed_ ? AlreadyReported() : Status::Ok();
  }

 private:
  // Downloads into a temp file beside `target` and renames it into place,
  // so an interrupted download never leaves a partial file at `target`.
  Status DownloadFile(const std::string& path, const std::string& target) {
    BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                           c_.OpenContent(o_.folder, path, /*tar=*/false));
    if (target == "-") {
      ctx_.out.flush();
      return CopyStream(*stream, 1, nullptr);
    }
    fs::path t(target);
    std::string tmp = (t.parent_path().empty() ? fs::path(".") : t.parent_path()).string() + "/." +
                      t.filename().string() + ".berth-part-" + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) return ErrnoStatus("creating " + tmp, errno);
    Progress progress(ctx_.err, ctx_.stderr_is_tty, path, stream->content_length().value_or(0));
    Status st = CopyStream(*stream, fd.get(), &progress);
    progress.Finish();
    if (st.ok() && ::close(fd.release()) != 0) st = ErrnoStatus("writing " + tmp, errno);
    if (st.ok() && ::rename(tmp.c_str(), target.c_str()) != 0) {
      st = ErrnoStatus("renaming the download to " + target, errno);
    }
    if (!st.ok()) {
      ::unlink(tmp.c_str());
      return st;
    }
    struct stat sb;
    uint64_t size = ::stat(target.c_str(), &sb) == 0 ? static_cast<uint64_t>(sb.st_size) : 0;
    ctx_.out << "Downloaded " << o_.folder << ":" << path << " to " << target << " ("
             << FormatSize(size) << ")\n";
    return Status::Ok();
  }

  // Streams the directory as tar and extracts it into `target`.
  Status DownloadDir(const std::string& path, const std::string& name, const std::string& target) {
    if (target == "-") return UsageError("cannot write a directory to stdout");
    BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                           c_.OpenContent(o_.folder, path, /*tar=*/true));
    std::error_code ec;
    fs::create_directories(target, ec);
    if (ec) return Status(Code::kInternal, "creating " + target + ": " + ec.message());
    Progress progress(ctx_.err, ctx_.stderr_is_tty, path.empty() ? o_.folder : path,
                      /*total=*/0);
    uint64_t done = 0;
    ReadFn read = [&](char* buf, size_t cap) -> Result<size_t> {
      Result<size_t> n = stream->Read(buf, cap);
      if (n.ok()) progress.Update(done += *n);
      return n;
    };
    // The server prefixes entries with the directory's name, except for the
    // folder root (no prefix): strip the prefix so contents land in `target`.
    Result<ExtractStats> stats = ExtractTar(read, target, path.empty() ? "" : name);
    progress.Finish();
    if (!stats.ok()) return stats.status();
    ctx_.out << "Downloaded " << o_.folder << ":" << (path.empty() ? "/" : path) << " to " << target
             << " (" << stats->files << " files, " << FormatSize(stats->bytes) << ")\n";
    return Status::Ok();
  }

  CliContext& ctx_;
  BerthClient& c_;
  const DownloadOptions& o_;
  bool failed_ = false;
};

Status DownloadFiles(CliContext& ctx, const DownloadOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  return Downloader(ctx, *c, o).Run();
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
  if (type.rfind("application/zip", 0) == 0 && IsRemoteDir(*c, o.folder, path)) {
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
    auto o = Verb<UploadOptions>(g, ctx, "upload", "Upload local files (and with -r directories)",
                                 UploadFiles, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("LOCAL", o->locals, "Local files or directories")->required();
    cmd->add_option("--dst", o->dst, "Directory inside the folder (default: its root)");
    cmd->add_flag("-r,--recursive", o->recursive, "Upload directories with their contents");
    cmd->add_flag("--overwrite", o->overwrite, "Replace files that already exist");
  }
  {
    auto o = Verb<DownloadOptions>(
        g, ctx, "download", "Download files or directories (recursively)", DownloadFiles, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("PATH", o->paths, "Paths inside the folder ('/' is the whole folder)")
        ->required();
    cmd->add_option("-o,--output", o->dest,
                    "Destination: a directory, or a file name for one file ('-' = stdout); "
                    "default: the current directory");
  }
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

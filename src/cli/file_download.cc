// `berth folder download NAME PATH... [--dest DEST] [--continue]` (SPEC §6):
// files are streamed into ".NAME.berth-part" beside the destination and
// renamed into place when complete; a failed download keeps that partial
// file, and --continue resumes it (or a partial file at the destination
// itself) with "Range: bytes=N-", checking the 206's Content-Range. A server
// that answers 200 instead gets a full download (with a note). Directories
// come as a tar stream unpacked locally (recursively). `-o DEST` is the old
// spelling of --dest and still works, with a warning.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>

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

// Copies a download stream to `fd`, updating `progress` with `done` (bytes
// already there before this stream) plus the bytes copied.
Status CopyStream(ResponseStream& stream, int fd, Progress* progress, uint64_t done = 0) {
  std::vector<char> buf(256 * 1024);
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

// "bytes START-END/TOTAL" or "bytes */TOTAL" (START = -1 then).
struct ContentRange {
  int64_t start = -1;
  uint64_t total = 0;
};
std::optional<ContentRange> ParseContentRange(const std::string& v) {
  ContentRange r;
  unsigned long long a = 0, b = 0, t = 0;
  if (std::sscanf(v.c_str(), "bytes %llu-%llu/%llu", &a, &b, &t) == 3) {
    r.start = static_cast<int64_t>(a);
    r.total = t;
    return r;
  }
  if (std::sscanf(v.c_str(), "bytes */%llu", &t) == 1) {
    r.total = t;
    return r;
  }
  return std::nullopt;
}

std::optional<uint64_t> RegularFileSize(const std::string& path) {
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0 || !S_ISREG(sb.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(sb.st_size);
}

struct DownloadOptions {
  std::string folder;
  std::vector<std::string> paths;
  std::string dest, old_dest;
  bool resume = false;
};

class Downloader {
 public:
  Downloader(CliContext& ctx, BerthClient& c, const DownloadOptions& o, std::string dest)
      : ctx_(ctx), c_(c), o_(o), dest_(std::move(dest)) {}

  Status Run() {
    bool dest_is_dir = fs::is_directory(dest_);
    if (o_.paths.size() > 1 && !dest_is_dir) {
      if (fs::exists(dest_))
        return UsageError("--dest " + dest_ + ": not a directory (several paths)");
      std::error_code ec;
      fs::create_directories(dest_, ec);
      if (ec) return Status(Code::kInternal, "creating " + dest_ + ": " + ec.message());
      dest_is_dir = true;
    }
    for (const std::string& p : o_.paths) {
      std::string path = NormalizeFolderPath(p);
      std::string name = path.empty() ? o_.folder : BaseName(path);
      std::string target = dest_is_dir ? (fs::path(dest_) / name).string() : dest_;
      Status st = c_.IsDirectory(o_.folder, path) ? DownloadDir(path, name, target)
                                                  : DownloadFile(path, target);
      if (!st.ok()) {
        PrintError(ctx_, p + ": " + st.message());
        failed_ = true;
      }
    }
    return failed_ ? AlreadyReported() : Status::Ok();
  }

 private:
  static std::string PartPath(const std::string& target) {
    fs::path t(target);
    return (t.parent_path().empty() ? fs::path(".") : t.parent_path()).string() + "/." +
           t.filename().string() + ".berth-part";
  }

  Status DownloadFile(const std::string& path, const std::string& target) {
    if (target == "-") {
      BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                             c_.OpenContent(o_.folder, path, /*tar=*/false));
      ctx_.out.flush();
      return CopyStream(*stream, 1, nullptr);
    }
    std::string part = PartPath(target);
    if (o_.resume) {
      // Resume the kept partial file, else a partial file at the target.
      for (const std::string& file : {part, target}) {
        std::optional<uint64_t> have = RegularFileSize(file);
        if (have && *have > 0) return Resume(path, target, file, *have);
      }
    }
    BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                           c_.OpenContent(o_.folder, path, /*tar=*/false));
    return WriteWhole(path, target, part, *stream);
  }

  // Resumes `file` (the part file or the target), which has `have` bytes.
  Status Resume(const std::string& path, const std::string& target, const std::string& file,
                uint64_t have) {
    BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream,
                           c_.OpenContentFrom(o_.folder, path, have));
    std::optional<ContentRange> range =
        ParseContentRange(FindHeader(stream->headers(), "Content-Range"));
    if (stream->status() == 416) {
      if (range && range->total == have) {
        BERTH_RETURN_IF_ERROR(PlaceFile(file, target));
        ctx_.out << target << " is already complete (" << FormatSize(have) << ")\n";
        return Status::Ok();
      }
      ctx_.err << "note: " << file << " is larger than " << o_.folder << ":" << path
               << "; downloading it again\n";
      BERTH_ASSIGN_OR_RETURN(stream, c_.OpenContent(o_.folder, path, /*tar=*/false));
      return WriteWhole(path, target, PartPath(target), *stream);
    }
    if (stream->status() == 200) {
      ctx_.err << "note: the server sent the whole file instead of the rest; downloading it "
                  "again\n";
      return WriteWhole(path, target, PartPath(target), *stream);
    }
    if (stream->status() != 206 || !range || range->start != static_cast<int64_t>(have)) {
      return Internal("the server answered the resume with status " +
                      std::to_string(stream->status()) + " and Content-Range '" +
                      FindHeader(stream->headers(), "Content-Range") +
                      "' (expected 206 from byte " + std::to_string(have) + ")");
    }
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!fd) return ErrnoStatus("opening " + file, errno);
    Progress progress(ctx_.err, ctx_.stderr_is_tty, path, range->total);
    Status st = CopyStream(*stream, fd.get(), &progress, have);
    progress.Finish();
    if (st.ok() && ::close(fd.release()) != 0) st = ErrnoStatus("writing " + file, errno);
    if (st.ok()) st = PlaceFile(file, target);
    if (!st.ok()) return Kept(file, st);
    ctx_.out << "Resumed " << o_.folder << ":" << path << " to " << target << " (from "
             << FormatSize(have) << " to " << FormatSize(RegularFileSize(target).value_or(0))
             << ")\n";
    return Status::Ok();
  }

  // Writes a whole file's stream into `part`, then renames it to `target`.
  Status WriteWhole(const std::string& path, const std::string& target, const std::string& part,
                    ResponseStream& stream) {
    UniqueFd fd(::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd) return ErrnoStatus("creating " + part, errno);
    Progress progress(ctx_.err, ctx_.stderr_is_tty, path, stream.content_length().value_or(0));
    Status st = CopyStream(stream, fd.get(), &progress);
    progress.Finish();
    if (st.ok() && ::close(fd.release()) != 0) st = ErrnoStatus("writing " + part, errno);
    if (st.ok()) st = PlaceFile(part, target);
    if (!st.ok()) return Kept(part, st);
    ctx_.out << "Downloaded " << o_.folder << ":" << path << " to " << target << " ("
             << FormatSize(RegularFileSize(target).value_or(0)) << ")\n";
    return Status::Ok();
  }

  static Status PlaceFile(const std::string& file, const std::string& target) {
    if (file == target || ::rename(file.c_str(), target.c_str()) == 0) return Status::Ok();
    return ErrnoStatus("renaming the download to " + target, errno);
  }

  // A failed transfer: keep what arrived (for --continue), or drop an empty file.
  static Status Kept(const std::string& file, const Status& st) {
    std::optional<uint64_t> size = RegularFileSize(file);
    if (!size || *size == 0) {
      ::unlink(file.c_str());
      return st;
    }
    return Status(st.code(),
                  st.message() + " (kept " + FormatSize(*size) + " in " + file +
                      "; run the same command with --continue to resume)",
                  st.reason());
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
  std::string dest_;
  bool failed_ = false;
};

Status DownloadFiles(CliContext& ctx, const DownloadOptions& o) {
  if (!o.dest.empty() && !o.old_dest.empty()) return UsageError("give --dest or -o, not both");
  std::string dest = o.dest;
  if (!o.old_dest.empty()) {
    ctx.err << "warning: -o/--output for the destination is deprecated (elsewhere -o is the "
               "output format); use --dest\n";
    dest = o.old_dest;
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  return Downloader(ctx, *c, o, dest.empty() ? "." : dest).Run();
}

}  // namespace

void AddFolderDownloadVerb(CLI::App* g, CliContext& ctx) {
  CLI::App* cmd;
  auto o = Verb<DownloadOptions>(
      g, ctx, "download",
      "Download files or directories (recursively). A file arrives in .NAME.berth-part beside "
      "its destination and is renamed when complete; an interrupted download keeps that "
      "partial file for --continue",
      DownloadFiles, &cmd);
  cmd->add_option("NAME", o->folder, "Folder name or id")->required();
  cmd->add_option("PATH", o->paths, "Paths inside the folder ('/' is the whole folder)")
      ->required();
  cmd->add_option("--dest", o->dest,
                  "Destination: a directory, or a file name for one file ('-' = stdout); "
                  "default: the current directory");
  cmd->add_option("-o,--output", o->old_dest, "Old spelling of --dest (deprecated)");
  cmd->add_flag("--continue", o->resume,
                "Resume a partial file (the kept .NAME.berth-part, or the destination itself) "
                "with an HTTP Range request; a complete file is left as it is. Directories are "
                "downloaded again");
}

}  // namespace berth::cli

#include "cli/tar_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "common/unique_fd.h"

namespace berth::cli {

namespace {

struct Source {
  const ReadFn* read = nullptr;
  std::vector<char> buf = std::vector<char>(256 * 1024);
  Status error;
};

la_ssize_t ReadCallback(struct archive* a, void* data, const void** out) {
  auto* src = static_cast<Source*>(data);
  Result<size_t> n = (*src->read)(src->buf.data(), src->buf.size());
  if (!n.ok()) {
    src->error = n.status();
    archive_set_error(a, EIO, "%s", n.status().message().c_str());
    return -1;
  }
  *out = src->buf.data();
  return static_cast<la_ssize_t>(*n);
}

// "./a/b" → "a/b"; "a/b/" → "a/b".
std::string CleanName(std::string name) {
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  while (!name.empty() && name.back() == '/') name.pop_back();
  if (name == ".") name.clear();
  return name;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriterDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};

// Restores the working directory when it goes out of scope.
class CwdGuard {
 public:
  CwdGuard() : saved_(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {}
  ~CwdGuard() {
    if (saved_) (void)::fchdir(saved_.get());
  }
  bool ok() const { return saved_.valid(); }

 private:
  UniqueFd saved_;
};

}  // namespace

Result<ExtractStats> ExtractTar(const ReadFn& read, const std::string& dest_dir,
                                const std::string& top_name) {
  std::unique_ptr<struct archive, ArchiveDeleter> in(archive_read_new());
  archive_read_support_format_tar(in.get());
  archive_read_support_filter_none(in.get());
  Source src;
  src.read = &read;
  if (archive_read_open(in.get(), &src, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
    if (!src.error.ok()) return src.error;
    return Internal(std::string("reading the archive: ") + archive_error_string(in.get()));
  }

  std::unique_ptr<struct archive, WriterDeleter> out(archive_write_disk_new());
  archive_write_disk_set_options(
      out.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                     ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);

  CwdGuard cwd;
  if (!cwd.ok()) return ErrnoStatus("opening the working directory", errno);
  UniqueFd dest(::open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dest || ::fchdir(dest.get()) != 0) return ErrnoStatus("opening " + dest_dir, errno);

  ExtractStats stats;
  bool first = true;
  std::string strip;  // prefix to remove from every name ("top/")
  for (;;) {
    struct archive_entry* entry;
    int r = archive_read_next_header(in.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      if (!src.error.ok()) return src.error;
      return Internal(std::string("reading the archive: ") + archive_error_string(in.get()));
    }
    std::string name = CleanName(archive_entry_pathname(entry));
    mode_t type = archive_entry_filetype(entry);
    if (first) {
      first = false;
      if (!top_name.empty() && name == top_name && type == AE_IFDIR) strip = top_name + "/";
    }
    if (!strip.empty()) {
      if (name + "/" == strip) continue;  // the top directory itself: dest_dir
      if (name.rfind(strip, 0) == 0) name.erase(0, strip.size());
    }
    if (name.empty()) continue;  // "./"
    const char* hardlink = archive_entry_hardlink(entry);
    if (hardlink == nullptr && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) continue;
    archive_entry_set_pathname(entry, name.c_str());
    if (hardlink != nullptr) {
      std::string target = CleanName(hardlink);
      if (!strip.empty() && target.rfind(strip, 0) == 0) target.erase(0, strip.size());
      archive_entry_set_hardlink(entry, target.c_str());
    }
    archive_entry_set_perm(entry, archive_entry_perm(entry) & 0777);
    r = archive_write_header(out.get(), entry);
    if (r < ARCHIVE_WARN) {
      return InvalidArgument("cannot extract '" + name + "': " + archive_error_string(out.get()));
    }
    if (type == AE_IFDIR) {
      ++stats.dirs;
    } else if (type == AE_IFREG && hardlink == nullptr) {
      ++stats.files;
      const void* block;
      size_t size;
      la_int64_t offset;
      for (;;) {
        r = archive_read_data_block(in.get(), &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
          if (!src.error.ok()) return src.error;
          return Internal(std::string("reading the archive: ") + archive_error_string(in.get()));
        }
        if (archive_write_data_block(out.get(), block, size, offset) < ARCHIVE_WARN) {
          return Internal("writing '" + name + "': " + archive_error_string(out.get()));
        }
        stats.bytes += size;
      }
    }
    if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN) {
      return Internal("writing '" + name + "': " + archive_error_string(out.get()));
    }
  }
  // Applies deferred directory times and permissions.
  if (archive_write_close(out.get()) != ARCHIVE_OK) {
    return Internal(std::string("finishing the extraction: ") + archive_error_string(out.get()));
  }
  return stats;
}

}  // namespace berth::cli

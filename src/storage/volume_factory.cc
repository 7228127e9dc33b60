#include "storage/volume_factory.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "storage/btrfs_ioctl.h"
#include "storage/btrfs_volume.h"
#include "storage/local_volume.h"

namespace berth::storage {
namespace {

// Whether FICLONE works in `dir`: two scratch files, one reflinked to the
// other, both gone afterwards.
bool ReflinkWorks(const std::string& dir) {
  UniqueFd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) return false;
  UniqueFd a(::openat(d.get(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  UniqueFd b(::openat(d.get(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!a || !b) return false;
  if (::write(a.get(), "x", 1) != 1) return false;
  return ::ioctl(b.get(), FICLONE, a.get()) == 0;
}

bool IsVolumeNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Result<std::unique_ptr<Volume>> OpenVolume(VolumeOptions options, VolumeKind kind) {
  if (options.root.empty() || options.root.front() != '/') {
    return InvalidArgument("volume '" + options.name + "': root must be an absolute path: '" +
                           options.root + "'");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.root, ec);
  if (ec) return Internal("create volume root " + options.root + ": " + ec.message());
  std::unique_ptr<Volume> v;
  if (kind == VolumeKind::kDetect && btrfs::IsBtrfs(options.root)) {
    v = std::make_unique<BtrfsVolume>(std::move(options));
  } else {
    bool reflink = kind == VolumeKind::kDetect && ReflinkWorks(options.root);
    v = std::make_unique<LocalVolume>(std::move(options), reflink);
  }
  BERTH_RETURN_IF_ERROR(v->Init());
  return v;
}

Result<std::pair<std::string, std::string>> ParseVolumeFlag(const std::string& flag) {
  size_t eq = flag.find('=');
  std::string name = flag.substr(0, eq);
  bool name_ok = eq != std::string::npos && !name.empty() && name.size() <= 64 &&
                 name != "." && name != ".." && name.front() != '-';
  for (char c : name) name_ok = name_ok && IsVolumeNameChar(c);
  if (!name_ok) {
    return InvalidArgument("--volume '" + flag +
                           "': expected NAME=PATH with NAME of [A-Za-z0-9._-], at most 64");
  }
  std::string path = flag.substr(eq + 1);
  if (path.empty() || path.front() != '/') {
    return InvalidArgument("--volume '" + flag + "': PATH must be absolute");
  }
  return std::make_pair(name, path);
}

}  // namespace berth::storage

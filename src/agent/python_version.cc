#include "agent/python_version.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <regex>

#include "agent/mount_plan.h"
#include "common/unique_fd.h"

namespace berth::agent {
namespace {

UniqueFd OpenInRoot(int root, const char* rel, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return UniqueFd(static_cast<int>(::syscall(SYS_openat2, root, rel, &how, sizeof(how))));
}

// "python3.11" → 11; -1 otherwise.
int MinorOf(const std::string& name) {
  static const std::regex kName("python3\\.([0-9]{1,3})");
  std::smatch m;
  if (!std::regex_match(name, m, kName)) return -1;
  return std::stoi(m[1]);
}

}  // namespace

std::optional<std::string> DetectPython3Version(const std::string& rootfs) {
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return std::nullopt;
  if (UniqueFd bin = OpenInRoot(root.get(), "usr/bin", O_PATH | O_DIRECTORY)) {
    char target[256];
    ssize_t n = ::readlinkat(bin.get(), "python3", target, sizeof(target) - 1);
    if (n > 0) {
      target[n] = '\0';
      std::string t = target;
      int minor = MinorOf(t.substr(t.rfind('/') + 1));
      if (minor >= 0) return "3." + std::to_string(minor);
    }
  }
  UniqueFd lib = OpenInRoot(root.get(), "usr/lib", O_RDONLY | O_DIRECTORY);
  if (!lib) return std::nullopt;
  int best = -1;
  int dup = ::fcntl(lib.get(), F_DUPFD_CLOEXEC, 0);
  DIR* d = dup < 0 ? nullptr : ::fdopendir(dup);
  if (d == nullptr) {
    if (dup >= 0) ::close(dup);
    return std::nullopt;
  }
  while (dirent* e = ::readdir(d)) {
    int minor = MinorOf(e->d_name);
    if (minor <= best) continue;
    std::string os_py = std::string(e->d_name) + "/os.py";
    if (::faccessat(lib.get(), os_py.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0) best = minor;
  }
  ::closedir(d);
  if (best < 0) return std::nullopt;
  return "3." + std::to_string(best);
}

std::string PerVersionUserBase(const std::string& version) {
  return std::string(kHome) + "/.local/py" + version;
}

}  // namespace berth::agent

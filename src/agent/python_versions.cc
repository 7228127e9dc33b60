#include "agent/python_versions.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "agent/mount_plan.h"
#include "common/unique_fd.h"

namespace berth::agent {
namespace {

// `rel` (relative) opened beneath the directory `root` as if it were "/".
UniqueFd OpenBeneath(const std::string& root, const std::string& rel, int flags) {
  UniqueFd r(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!r) return UniqueFd();
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return UniqueFd(static_cast<int>(::syscall(SYS_openat2, r.get(), rel.c_str(), &how, sizeof(how))));
}

// The minor version of "python3.N" (N: 1-3 digits), or -1.
int MinorOf(const std::string& name) {
  const std::string head = "python3.";
  if (!name.starts_with(head) || name.size() == head.size() || name.size() > head.size() + 3)
    return -1;
  int minor = 0;
  for (size_t i = head.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    minor = minor * 10 + (name[i] - '0');
  }
  return minor;
}

}  // namespace

std::string ImagePythonVersion(const std::string& rootfs) {
  for (const char* dir : {"usr/bin", "usr/local/bin"}) {
    UniqueFd d = OpenBeneath(rootfs, dir, O_PATH | O_DIRECTORY);
    if (!d) continue;
    char target[256];
    ssize_t n = ::readlinkat(d.get(), "python3", target, sizeof(target) - 1);
    if (n <= 0) continue;
    std::string t(target, static_cast<size_t>(n));
    t = t.substr(t.find_last_of('/') + 1);  // npos + 1 == 0
    if (int minor = MinorOf(t); minor >= 0) return "3." + std::to_string(minor);
  }
  return "";
}

std::vector<std::string> UserSitePythonVersions(const std::string& local_dir) {
  UniqueFd lib = OpenBeneath(local_dir, "lib", O_RDONLY | O_DIRECTORY);
  if (!lib) return {};
  std::vector<int> minors;
  int dup = ::fcntl(lib.get(), F_DUPFD_CLOEXEC, 0);
  DIR* d = dup < 0 ? nullptr : ::fdopendir(dup);
  if (d == nullptr) {
    if (dup >= 0) ::close(dup);
    return {};
  }
  while (dirent* e = ::readdir(d)) {
    int minor = MinorOf(e->d_name);
    if (minor < 0) continue;
    struct stat st;
    const std::string site = std::string(e->d_name) + "/site-packages";
    if (::fstatat(lib.get(), site.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      minors.push_back(minor);
  }
  ::closedir(d);
  std::sort(minors.begin(), minors.end());
  std::vector<std::string> out;
  for (int m : minors) out.push_back("3." + std::to_string(m));
  return out;
}

std::string PythonVersionNotice(const std::string& session_version,
                                const std::vector<std::string>& local_versions) {
  if (session_version.empty()) return "";
  std::vector<std::string> others;
  for (const auto& v : local_versions)
    if (v != session_version) others.push_back(v);
  if (others.empty()) return "";
  std::string list, dirs;
  for (size_t i = 0; i < others.size(); ++i) {
    const char* sep = i == 0 ? "" : (i + 1 == others.size() ? " and " : ", ");
    list += sep + others[i];
    dirs += std::string(i == 0 ? "" : ", ") + "lib/python" + others[i];
  }
  const std::string them = others.size() == 1 ? "Python " + list : "Pythons " + list;
  return "berth: this session runs Python " + session_version +
         ", but /home/work/.local holds packages of " + them + " (" + dirs +
         ").\n"
         "  Python " +
         session_version +
         " does not see them (install them again with `pip install --user`), and\n"
         "  scripts in /home/work/.local/bin may belong to " +
         them + ".\n";
}

std::string PerVersionUserBase(const std::string& version) {
  return std::string(kHome) + "/.local/py" + version;
}

}  // namespace berth::agent

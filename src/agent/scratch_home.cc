#include "agent/scratch_home.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth::agent {
namespace {

constexpr uint64_t kMaxSkeletonBytes = 64 << 20;

Status CopyFileAt(int src_dir, const std::string& name, int dst_dir, mode_t mode,
                  uint64_t* budget) {
  UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return ErrnoStatus("open skeleton file " + name, errno);
  UniqueFd out(::openat(dst_dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        mode & 0777));
  if (!out) return ErrnoStatus("create " + name, errno);
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(in.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read " + name, errno);
    }
    if (n == 0) break;
    if (static_cast<uint64_t>(n) > *budget) return ResourceExhausted("image skeleton is too large");
    *budget -= static_cast<uint64_t>(n);
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(out.get(), buf + off, static_cast<size_t>(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write " + name, errno);
      }
      off += w;
    }
  }
  return Status::Ok();
}

Status CopyTree(int src_dir, int dst_dir, uid_t uid, gid_t gid, uint64_t* budget, int depth) {
  if (depth > 32) return Status::Ok();
  int dup = ::fcntl(src_dir, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return ErrnoStatus("dup", errno);
  DIR* d = ::fdopendir(dup);
  if (d == nullptr) {
    ::close(dup);
    return ErrnoStatus("opendir skeleton", errno);
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  for (const auto& name : names) {
    struct stat st;
    if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode)) {
      BERTH_RETURN_IF_ERROR(CopyFileAt(src_dir, name, dst_dir, st.st_mode, budget));
    } else if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst_dir, name.c_str(), st.st_mode & 0777) != 0)
        return ErrnoStatus("mkdir " + name, errno);
      UniqueFd s(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd t(::openat(dst_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s || !t) return ErrnoStatus("open dir " + name, errno);
      BERTH_RETURN_IF_ERROR(CopyTree(s.get(), t.get(), uid, gid, budget, depth + 1));
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlinkat(src_dir, name.c_str(), target, sizeof(target) - 1);
      if (n < 0) continue;
      target[n] = '\0';
      if (::symlinkat(target, dst_dir, name.c_str()) != 0)
        return ErrnoStatus("symlink " + name, errno);
    } else {
      continue;  // devices, FIFOs, sockets
    }
    if (::fchownat(dst_dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
      return ErrnoStatus("chown " + name, errno);
  }
  return Status::Ok();
}

}  // namespace

std::string NoticeText(const std::string& session_name,
                       const std::vector<std::string>& persistent_paths) {
  std::string t = "This is the scratch home of Berth session " + session_name +
                  ".\n\n"
                  "Everything under /home/work is deleted together with the session, EXCEPT the\n"
                  "storage folders mounted at these paths, which persist:\n\n";
  if (persistent_paths.empty()) t += "  (none: no folder is mounted in this session)\n";
  for (const auto& p : persistent_paths) t += "  " + p + "\n";
  t += "\nThe same list is in $BERTH_PERSISTENT_PATHS. Keep your work in those folders.\n"
       "Packages installed with `pip install --user` persist when the .local folder\n"
       "is mounted (it is automounted if you have one).\n";
  return t;
}

Status CreateScratchHome(const std::string& rootfs, const std::string& skeleton,
                         const std::string& home, uid_t uid, gid_t gid, const std::string& notice) {
  if (::mkdir(home.c_str(), 0755) != 0) return ErrnoStatus("mkdir " + home, errno);
  auto fail = [&](Status s) {
    (void)RemoveTree(home);
    return s;
  };
  UniqueFd dst(::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dst) return fail(ErrnoStatus("open " + home, errno));
  UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return fail(ErrnoStatus("open image rootfs " + rootfs, errno));
  std::string rel = skeleton;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (!rel.empty()) {
    open_how how{};
    how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    UniqueFd skel(
        static_cast<int>(::syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof(how))));
    if (skel) {
      uint64_t budget = kMaxSkeletonBytes;
      Status s = CopyTree(skel.get(), dst.get(), uid, gid, &budget, 0);
      if (!s.ok()) return fail(s);
    } else if (errno != ENOENT && errno != ENOTDIR) {
      return fail(ErrnoStatus("open skeleton " + skeleton, errno));
    }
  }
  Status s = WriteFileAtomic(home + "/" + kNoticeFileName, notice, 0644, /*durable=*/false);
  if (s.ok() && ::chown((home + "/" + kNoticeFileName).c_str(), uid, gid) != 0)
    s = ErrnoStatus("chown notice", errno);
  if (s.ok() && ::fchown(dst.get(), uid, gid) != 0) s = ErrnoStatus("chown " + home, errno);
  if (!s.ok()) return fail(s);
  return Status::Ok();
}

}  // namespace berth::agent

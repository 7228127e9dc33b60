#include "runtime/userns_mounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <tuple>

#include "common/fs_util.h"

namespace berth::runtime {

namespace {

Status CheckInRange(uint32_t uid, uint32_t gid, const IdRange& range) {
  if (uid < range.size && gid < range.size) return Status::Ok();
  return InvalidArgument("session uid/gid " + std::to_string(uid) + "/" + std::to_string(gid) +
                         " is outside the user namespace (size " + std::to_string(range.size) +
                         ")");
}

}  // namespace

Result<std::vector<BindMount>> StageIdmappedBinds(const std::vector<BindMount>& mounts,
                                                  uint32_t uid, uint32_t gid,
                                                  const IdRange& range, const std::string& dir,
                                                  UsernsCache& namespaces) {
  BERTH_RETURN_IF_ERROR(CheckInRange(uid, gid, range));
  BERTH_RETURN_IF_ERROR(MkdirAll(dir, 0711));
  std::vector<BindMount> out;
  for (size_t i = 0; i < mounts.size(); ++i) {
    BindMount m = mounts[i];
    struct stat st;
    if (::stat(m.source.c_str(), &st) != 0) return ErrnoStatus("stat " + m.source, errno);
    // A root-owned source (the sudoers file) stays root's inside; allowed
    // read-only only, as root inside would write to it as disk uid 0.
    if ((st.st_uid == 0 || st.st_gid == 0) && !m.read_only)
      return InvalidArgument("writable mount source " + m.source + " is owned by host root");
    const uint32_t inside_uid = st.st_uid == 0 ? 0 : uid;
    const uint32_t inside_gid = st.st_gid == 0 ? 0 : gid;
    BERTH_ASSIGN_OR_RETURN(UniqueFd ns,
                           namespaces.Get(FolderMap(range, st.st_uid, inside_uid),
                                          FolderMap(range, st.st_gid, inside_gid)));
    const std::string staged = dir + "/" + std::to_string(i);
    BERTH_RETURN_IF_ERROR(MakeMountPoint(staged, S_ISDIR(st.st_mode), 0755));
    BERTH_RETURN_IF_ERROR(IdmappedBind(m.source, staged, ns.get(),
                                       {.read_only = m.read_only, .allow_setuid = false}));
    m.source = staged;
    out.push_back(std::move(m));
  }
  return out;
}

Result<StagedMounts> StageUsernsMounts(const ContainerSpec& spec, const IdRange& range,
                                       const std::string& staging_dir, UsernsCache& namespaces) {
  BERTH_RETURN_IF_ERROR(CheckInRange(spec.uid, spec.gid, range));
  StagedMounts out;
  out.lower = staging_dir + "/lower";
  BERTH_RETURN_IF_ERROR(MkdirAll(staging_dir, 0711));
  BERTH_RETURN_IF_ERROR(MakeMountPoint(out.lower, true, 0755));
  {
    const IdMap shift = ShiftMap(range);
    BERTH_ASSIGN_OR_RETURN(UniqueFd ns, namespaces.Get(shift, shift));
    BERTH_RETURN_IF_ERROR(
        IdmappedBind(spec.rootfs, out.lower, ns.get(), {.read_only = true, .allow_setuid = true}));
  }
  BERTH_ASSIGN_OR_RETURN(out.mounts, StageIdmappedBinds(spec.mounts, spec.uid, spec.gid, range,
                                                        staging_dir + "/mnt", namespaces));
  return out;
}

Status MakeTraversable(const std::string& dir) {
  std::string path = CleanPath(dir);
  while (!path.empty()) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("stat " + path, errno);
    if ((st.st_mode & S_IXOTH) == 0 && ::chmod(path.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0)
      return ErrnoStatus("chmod o+x " + path, errno);
    if (path == "/") break;
    size_t slash = path.rfind('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
  return Status::Ok();
}

}  // namespace berth::runtime

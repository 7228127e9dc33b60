#include "manager/volume_set.h"

#include <spdlog/spdlog.h>

#include "storage/volume_factory.h"

namespace berth::manager {

Result<VolumeSet> OpenVolumes(const DaemonConfig& cfg) {
  VolumeSet set;
  auto add = [&](const std::string& name, const std::string& path,
                 storage::VolumeKind kind) -> Status {
    if (set.by_name.count(name)) {
      return InvalidArgument("volume '" + name + "' is configured twice");
    }
    auto v = storage::OpenVolume({name, path, cfg.container_uid, cfg.container_gid}, kind);
    if (!v.ok()) return Status(v.status().code(), "volume '" + name + "': " + v.status().message());
    spdlog::info("volume {} at {}: {}", name, path, (*v)->kind());
    set.by_name[name] = v->get();
    set.roots.push_back((*v)->root());
    set.owned.push_back(std::move(*v));
    return Status::Ok();
  };
  bool local_configured = false;
  for (const auto& v : cfg.volumes) local_configured = local_configured || v.name == "local";
  if (!local_configured) {
    BERTH_RETURN_IF_ERROR(add("local", cfg.data_dir + "/volumes/local", storage::VolumeKind::kLocal));
  }
  for (const auto& v : cfg.volumes) {
    BERTH_RETURN_IF_ERROR(add(v.name, v.path, storage::VolumeKind::kDetect));
  }
  return set;
}

}  // namespace berth::manager

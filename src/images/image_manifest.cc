#include "images/image_manifest.h"

#include <nlohmann/json.hpp>

#include "common/fs_util.h"

namespace berth::images {

using nlohmann::json;

std::string FormatImageManifest(const ImageInfo& i) {
  json j = {{"name", i.name},
            {"created_at", i.created_at},
            {"size_bytes", i.size_bytes},
            {"digest", i.digest},
            {"source", i.source},
            {"description", i.description},
            {"skeleton", i.skeleton},
            {"uid", i.uid},
            {"gid", i.gid},
            {"env", i.env}};
  json apps = json::array();
  for (const auto& a : i.apps) {
    apps.push_back({{"name", a.name},
                    {"display_name", a.display_name},
                    {"port", a.port},
                    {"command", a.command}});
  }
  j["apps"] = std::move(apps);
  return j.dump(2) + "\n";
}

Result<ImageInfo> ParseImageManifest(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Internal("image manifest is not a JSON object");
  try {
    ImageInfo i;
    i.name = j.value("name", "");
    i.created_at = j.value("created_at", "");
    i.size_bytes = j.value("size_bytes", uint64_t{0});
    i.digest = j.value("digest", "");
    i.source = j.value("source", "");
    i.description = j.value("description", "");
    i.skeleton = j.value("skeleton", "/etc/skel");
    i.uid = j.value("uid", 1000u);
    i.gid = j.value("gid", 1000u);
    i.env = j.value("env", std::vector<std::string>{});
    for (const auto& a : j.value("apps", json::array())) {
      AppSpec app;
      app.name = a.value("name", "");
      app.display_name = a.value("display_name", "");
      app.port = a.value("port", uint16_t{0});
      app.command = a.value("command", "");
      if (ValidateApp(app).ok()) i.apps.push_back(std::move(app));
    }
    return i;
  } catch (const json::exception& e) {
    return Internal(std::string("image manifest has a field of the wrong type: ") + e.what());
  }
}

Status WriteImageManifest(const std::string& image_dir, const ImageInfo& info) {
  return WriteFileAtomic(image_dir + "/" + kImageManifestFile, FormatImageManifest(info));
}

Result<ImageInfo> ReadImageManifest(const std::string& image_dir, std::string* text) {
  const std::string path = image_dir + "/" + kImageManifestFile;
  BERTH_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  if (text != nullptr) *text = bytes;
  auto info = ParseImageManifest(bytes);
  if (!info.ok()) return Internal(path + " is corrupt: " + info.status().message());
  return info;
}

}  // namespace berth::images

#include "runtime/docker_layer.h"

#include <fcntl.h>

#include <nlohmann/json.hpp>

#include "common/tree_remove.h"
#include "common/unique_fd.h"

namespace berth::runtime {

using nlohmann::json;

Status EmptyWritableLayer(const DockerClient& client, const std::string& name,
                          std::chrono::milliseconds timeout) {
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client.Request("GET", "/containers/" + name + "/json", "", timeout));
  if (r.status != 200) return Status::Ok();
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  const json* upper = nullptr;
  if (j.is_object() && j.contains("GraphDriver") && j["GraphDriver"].is_object() &&
      j["GraphDriver"].value("Name", "") == "overlay2" && j["GraphDriver"].contains("Data") &&
      j["GraphDriver"]["Data"].is_object() && j["GraphDriver"]["Data"].contains("UpperDir")) {
    upper = &j["GraphDriver"]["Data"]["UpperDir"];
  }
  if (upper == nullptr || !upper->is_string()) return Status::Ok();
  const std::string dir = upper->get<std::string>();
  if (dir.empty() || dir[0] != '/' || !dir.ends_with("/diff")) return Status::Ok();
  // Stop the processes first and wait until they are gone.
  (void)client.Request("POST", "/containers/" + name + "/kill?signal=KILL", "", timeout);
  (void)client.Request("POST", "/containers/" + name + "/wait?condition=not-running", "", timeout);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return Status::Ok();  // a dockerd elsewhere, or not overlay after all
  return RemoveTreeContentsAt(fd.get());
}

}  // namespace berth::runtime

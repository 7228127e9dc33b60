#include "runtime/docker_userns.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace berth::runtime {
namespace {

bool ParseId(std::string_view s, uint32_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace

Result<std::optional<IdRange>> DockerUsernsFromInfo(const std::string& info_json, uint32_t size) {
  const nlohmann::json info = nlohmann::json::parse(info_json, nullptr, false);
  if (!info.is_object()) return Internal("Docker /info: unparsable answer");
  bool remapped = false;
  if (auto it = info.find("SecurityOptions"); it != info.end() && it->is_array())
    for (const auto& o : *it) remapped = remapped || (o.is_string() && o == "name=userns");
  if (!remapped) return std::optional<IdRange>();

  const std::string root = info.value("DockerRootDir", "");
  const std::string_view last = std::string_view(root).substr(root.rfind('/') + 1);
  const size_t dot = last.find('.');
  uint32_t uid = 0, gid = 0;
  if (dot == std::string_view::npos || !ParseId(last.substr(0, dot), &uid) ||
      !ParseId(last.substr(dot + 1), &gid))
    return FailedPrecondition("Docker runs with --userns-remap but its DockerRootDir '" + root +
                                  "' does not end in <uid>.<gid>",
                              "docker_userns");
  if (uid != gid)
    return FailedPrecondition("Docker's --userns-remap user has subuid base " +
                                  std::to_string(uid) + " but subgid base " + std::to_string(gid) +
                                  ": Berth needs the same base for both",
                              "docker_userns");
  return std::optional<IdRange>(IdRange{uid, size});
}

const char* DockerNetworkMode(bool remapped) { return remapped ? "none" : "host"; }

}  // namespace berth::runtime

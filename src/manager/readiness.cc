#include "manager/readiness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>

#include "common/unique_fd.h"
#include "runtime/container_runtime.h"
#include "storage/volume.h"
#include "store/store.h"

namespace berth::manager {
namespace {

ReadinessCheck Timed(std::string name, const std::function<std::string()>& check) {
  const auto t0 = std::chrono::steady_clock::now();
  ReadinessCheck c;
  c.name = std::move(name);
  c.message = check();
  c.ok = c.message.empty();
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace

ReadinessCheck Readiness::CheckDirectory(const std::string& name, const std::string& root) {
  return Timed(name, [&]() -> std::string {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) return root + ": " + std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return root + " is not a directory";
    UniqueFd f(::open(root.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (!f && (errno == EOPNOTSUPP || errno == EISDIR)) {
      // No O_TMPFILE on this file system: a named file, removed at once.
      std::string tmpl = root + "/.berth-ready-XXXXXX";
      int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
      if (fd >= 0) {
        ::unlink(tmpl.c_str());
        f = UniqueFd(fd);
      }
    }
    if (!f) return "cannot create a file in " + root + ": " + std::strerror(errno);
    return "";
  });
}

std::vector<ReadinessCheck> Readiness::Check() const {
  std::vector<ReadinessCheck> out;
  out.push_back(Timed("store", [&]() -> std::string {
    auto n = deps_.store->CountUsers();
    return n.ok() ? "" : n.status().message();
  }));
  if (deps_.runtime) {
    out.push_back(Timed("runtime", [&]() -> std::string {
      auto list = deps_.runtime->List();
      return list.ok() ? "" : list.status().message();
    }));
  }
  for (const auto& [name, v] : deps_.volumes) {
    out.push_back(CheckDirectory("volume:" + name, v->root()));
  }
  return out;
}

}  // namespace berth::manager

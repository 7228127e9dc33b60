// Readiness: what GET /api/v1/health/ready checks before it says berthd can
// take work: the store answers a trivial query, the container runtime
// answers (runc: `runc list` runs; docker: the Engine API lists
// containers), and every volume's root is a directory we can create a file
// in. /api/v1/health stays liveness only (the process answers).
//
// Thread-safe when the store, runtime and volumes are (they are).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace berth::runtime {
class ContainerRuntime;
}
namespace berth::storage {
class Volume;
}
namespace berth::store {
class Store;
}

namespace berth::manager {

struct ReadinessDeps {
  store::Store* store = nullptr;
  runtime::ContainerRuntime* runtime = nullptr;  // null: none configured
  std::map<std::string, const storage::Volume*> volumes;
};

struct ReadinessCheck {
  std::string name;  // "store", "runtime", "volume:<name>"
  bool ok = false;
  std::string message;  // why not, when !ok
  double seconds = 0;   // how long the check took
};

class Readiness {
 public:
  explicit Readiness(ReadinessDeps deps) : deps_(std::move(deps)) {}
  // Runs every check (none stops the others), in a stable order.
  std::vector<ReadinessCheck> Check() const;

  // The volume check alone: `root` is a directory and a file can be made
  // in it (an unnamed O_TMPFILE, so nothing is left behind).
  static ReadinessCheck CheckDirectory(const std::string& name, const std::string& root);

 private:
  ReadinessDeps deps_;
};

}  // namespace berth::manager

#include "store/coordination.h"

namespace berth::store {
namespace {

class LocalCoord : public Coordination {
 public:
  Result<std::unique_ptr<Hold>> Lock(const std::string&) override {
    return std::make_unique<Hold>();
  }
  Result<std::unique_ptr<Hold>> TryLock(const std::string&) override {
    return std::make_unique<Hold>();
  }
  Status Broadcast(const std::string&) override { return Status::Ok(); }
  Status Listen(std::function<void(const std::string&)>) override { return Status::Ok(); }
  void Stop() override {}
};

}  // namespace

std::unique_ptr<Coordination> LocalCoordination() { return std::make_unique<LocalCoord>(); }

}  // namespace berth::store

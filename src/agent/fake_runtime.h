// FakeRuntime: an in-memory runtime::ContainerRuntime for tests of the code
// above the runtime (SessionAgent, SessionService). It runs nothing: Create
// records the spec and marks the container running, Exec answers with a
// canned result, and tests can inject a failure for the next Create or
// change a container's state behind the caller's back (e.g. to simulate a
// container that died while berthd was down). Test-only (berth_agent_testing).
//
// Thread-safe: every method takes one mutex.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/container_runtime.h"

namespace berth::agent {

class FakeRuntime : public runtime::ContainerRuntime {
 public:
  Status Create(const runtime::ContainerSpec& spec) override;
  Status Delete(const std::string& id) override;
  Result<runtime::ContainerInfo> Inspect(const std::string& id) override;
  Result<std::vector<runtime::ContainerInfo>> List() override;
  // FailedPrecondition unless running; otherwise exec_result().
  Result<runtime::ExecResult> Exec(const std::string& id,
                                   const runtime::ExecOptions& options) override;
  // Always FailedPrecondition: the fake has no terminals.
  Result<std::unique_ptr<runtime::TtyProcess>> ExecTty(const std::string& id,
                                                       const runtime::TtyOptions& options) override;
  Result<std::string> Logs(const std::string& id, size_t max_bytes) override;

  // The next Create fails with `s` (once) and leaves nothing behind.
  void FailNextCreate(Status s);
  // Adds a container or changes the state of one (kMissing removes it).
  void SetState(const std::string& id, runtime::ContainerState state);
  void SetExecResult(runtime::ExecResult r);

  // The spec a container was created with, if it exists.
  std::optional<runtime::ContainerSpec> SpecOf(const std::string& id) const;
  std::vector<std::string> Ids() const;
  int create_calls() const;

 private:
  struct Container {
    runtime::ContainerSpec spec;
    runtime::ContainerState state = runtime::ContainerState::kRunning;
  };

  mutable std::mutex mu_;
  std::map<std::string, Container> containers_;
  std::optional<Status> fail_next_create_;
  runtime::ExecResult exec_result_;
  int create_calls_ = 0;
};

}  // namespace berth::agent

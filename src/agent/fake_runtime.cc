#include "agent/fake_runtime.h"

namespace berth::agent {

Status FakeRuntime::Create(const runtime::ContainerSpec& spec) {
  std::lock_guard lock(mu_);
  ++create_calls_;
  if (fail_next_create_) {
    Status s = *fail_next_create_;
    fail_next_create_.reset();
    return s;
  }
  if (!runtime::IsValidContainerId(spec.id)) return InvalidArgument("bad id " + spec.id);
  if (containers_.count(spec.id)) return AlreadyExists("container " + spec.id + " exists");
  containers_[spec.id] = Container{spec, runtime::ContainerState::kRunning};
  return Status::Ok();
}

Status FakeRuntime::Delete(const std::string& id) {
  std::lock_guard lock(mu_);
  containers_.erase(id);
  return Status::Ok();
}

Result<runtime::ContainerInfo> FakeRuntime::Inspect(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return NotFound("no container " + id);
  runtime::ContainerInfo info;
  info.id = id;
  info.state = it->second.state;
  info.labels = it->second.spec.labels;
  return info;
}

Result<std::vector<runtime::ContainerInfo>> FakeRuntime::List() {
  std::vector<runtime::ContainerInfo> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, c] : containers_) {
    runtime::ContainerInfo info;
    info.id = id;
    info.state = c.state;
    info.labels = c.spec.labels;
    out.push_back(std::move(info));
  }
  return out;
}

Result<runtime::ExecResult> FakeRuntime::Exec(const std::string& id,
                                              const runtime::ExecOptions&) {
  std::lock_guard lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end() || it->second.state != runtime::ContainerState::kRunning)
    return FailedPrecondition("container " + id + " is not running");
  return exec_result_;
}

Result<std::unique_ptr<runtime::TtyProcess>> FakeRuntime::ExecTty(const std::string& id,
                                                                  const runtime::TtyOptions&) {
  return FailedPrecondition("the fake runtime has no terminals (" + id + ")");
}

Result<std::string> FakeRuntime::Logs(const std::string& id, size_t) {
  std::lock_guard lock(mu_);
  if (!containers_.count(id)) return NotFound("no container " + id);
  return std::string();
}

void FakeRuntime::FailNextCreate(Status s) {
  std::lock_guard lock(mu_);
  fail_next_create_ = std::move(s);
}

void FakeRuntime::SetState(const std::string& id, runtime::ContainerState state) {
  std::lock_guard lock(mu_);
  if (state == runtime::ContainerState::kMissing) {
    containers_.erase(id);
    return;
  }
  auto& c = containers_[id];
  c.spec.id = id;
  c.state = state;
}

void FakeRuntime::SetExecResult(runtime::ExecResult r) {
  std::lock_guard lock(mu_);
  exec_result_ = std::move(r);
}

std::optional<runtime::ContainerSpec> FakeRuntime::SpecOf(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return std::nullopt;
  return it->second.spec;
}

std::vector<std::string> FakeRuntime::Ids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, c] : containers_) out.push_back(id);
  return out;
}

int FakeRuntime::create_calls() const {
  std::lock_guard lock(mu_);
  return create_calls_;
}

}  // namespace berth::agent

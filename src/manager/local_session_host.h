// LocalSessionHost: SessionHost on this process's SessionAgent (one host,
// SPEC §3). Create returns once the container runs, so it never reports a
// later change through the sink.
//
// Thread-safe (SessionAgent is).
#pragma once

#include "agent/session_agent.h"
#include "manager/session_host.h"

namespace berth::manager {

class LocalSessionHost : public SessionHost {
 public:
  explicit LocalSessionHost(agent::SessionAgent* agent) : agent_(agent) {}

  void SetStatusSink(SessionStatusSink*) override {}
  Result<Placement> Create(const agent::SessionSpec& spec) override;
  Status Delete(const std::string& id) override { return agent_->Delete(id); }
  Result<runtime::ExecResult> Exec(const std::string& id,
                                   const runtime::ExecOptions& options) override {
    return agent_->Exec(id, options);
  }
  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string& id, uint16_t cols,
                                                            uint16_t rows) override {
    return agent_->OpenTerminal(id, cols, rows);
  }
  Result<std::string> Logs(const std::string& id) override { return agent_->Logs(id); }
  agent::ReconcileReport Reconcile(const std::set<std::string>& live) override {
    return agent_->Reconcile(live);
  }
  std::string AddressOf(const std::string& id) const override { return agent_->AddressOf(id); }
  // The one group "default".
  Result<std::vector<api::ResourceGroup>> ResourceGroups() override;

 private:
  agent::SessionAgent* agent_;  // not owned
};

}  // namespace berth::manager

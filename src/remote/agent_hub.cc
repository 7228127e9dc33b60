// Placeholder AgentHub (the real one follows on this branch): refuses every
// registration and answers agent_unavailable, so the manager side can link.
#include "remote/agent_hub.h"

namespace berth::remote {
namespace {

class RefusingSession : public http::WebSocketSession {
 public:
  void OnOpen(std::shared_ptr<http::WebSocketSender> sender) override { sender->Close(); }
  Next OnMessage(bool, std::string) override { return Next::kContinue; }
  void OnClose() override {}
};

class StubHub : public AgentHub {
 public:
  std::unique_ptr<http::WebSocketSession> Accept() override {
    return std::make_unique<RefusingSession>();
  }
  bool Connected(const std::string&) const override { return false; }
  Result<runtime::ExecResult> Exec(const std::string&, const runtime::ExecOptions&) override {
    return Unavailable("no agent", "agent_unavailable");
  }
  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string&, uint16_t,
                                                            uint16_t) override {
    return Unavailable("no agent", "agent_unavailable");
  }
  Result<std::string> Logs(const std::string&, size_t) override {
    return Unavailable("no agent", "agent_unavailable");
  }
  Status Delete(const std::string&, std::chrono::milliseconds) override { return Status::Ok(); }
};

}  // namespace

std::unique_ptr<AgentHub> MakeAgentHub(AgentHubOptions) { return std::make_unique<StubHub>(); }

}  // namespace berth::remote

// RemoteTty: a terminal on a node, as a local runtime::TtyProcess for the
// manager's TerminalSession (remote/agent_hub.h OpenTerminal). fd() is one
// end of a socketpair; a pump thread moves bytes between the other end and
// the agent's kTtyData frames, within the stream's windows both ways (it
// stops reading the socket while the agent has granted no credit, and
// returns credit only for what it wrote into the socket). exit_fd() (an
// eventfd) fires once the agent reported the process's exit (kTtyExit) and
// its last output is in the socket, or when the connection dropped.
//
// Thread-safety: as runtime::TtyProcess.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "common/unique_fd.h"
#include "remote/hub_link.h"
#include "runtime/container_runtime.h"

namespace berth::remote {

class RemoteTty : public runtime::TtyProcess {
 public:
  // `stream`: an opened kTty stream the agent answered with kReply.
  static Result<std::unique_ptr<RemoteTty>> Start(std::shared_ptr<HubLink> link, uint32_t id,
                                                  std::shared_ptr<HubStream> stream);
  ~RemoteTty() override;

  int fd() const override { return local_.get(); }
  int exit_fd() const override { return exit_.get(); }
  Status Resize(uint16_t cols, uint16_t rows) override;
  Status Kill(int signal) override;
  bool Wait(std::chrono::milliseconds timeout) override;

 private:
  RemoteTty(std::shared_ptr<HubLink> link, uint32_t id, std::shared_ptr<HubStream> stream)
      : link_(std::move(link)), id_(id), stream_(std::move(stream)) {}
  void Pump();
  void Exited();

  const std::shared_ptr<HubLink> link_;
  const uint32_t id_;
  const std::shared_ptr<HubStream> stream_;
  UniqueFd local_, far_, exit_, wake_;
  std::atomic<bool> exited_{false};
  std::atomic<bool> stop_{false};
  std::thread pump_;
};

}  // namespace berth::remote

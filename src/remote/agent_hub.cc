// The AgentHub (remote/agent_hub.h): a registry of HubLinks by session,
// one thread that makes the RegistrationPolicy's calls in order (admission
// may ask Slurm; status reports write the store: neither may run on an I/O
// thread), and one that closes idle links.
#include "remote/agent_hub.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "remote/hub_link.h"
#include "remote/remote_app_socket.h"
#include "remote/remote_tty.h"

namespace berth::remote {
namespace {

using Clock = std::chrono::steady_clock;

// A link that has not registered after this long is closed.
constexpr std::chrono::milliseconds kRegisterTimeout{10000};
// How long a request waits for the agent's first answer (terminal, logs).
constexpr std::chrono::milliseconds kReplyTimeout{30000};
// An exec with a timeout gets this much longer before the hub gives up.
constexpr std::chrono::milliseconds kExecGrace{30000};

Status NoAgent(const std::string& id) {
  return Unavailable("no node agent is connected for session " + id, "agent_unavailable");
}

// The hub's state, shared with its links (which may outlive the hub).
class HubCore : public LinkEvents, public std::enable_shared_from_this<HubCore> {
 public:
  explicit HubCore(AgentHubOptions o) : options_(std::move(o)) {}

  void Start() {
    worker_ = std::thread([this] { Work(); });
    reaper_ = std::thread([this] { Reap(); });
  }

  void Stop() {
    std::vector<std::shared_ptr<HubLink>> links;
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      for (auto& w : all_) {
        if (auto l = w.lock()) links.push_back(std::move(l));
      }
    }
    cv_.notify_all();
    for (auto& l : links) l->Close();
    if (worker_.joinable()) worker_.join();
    if (reaper_.joinable()) reaper_.join();
  }

  std::shared_ptr<HubLink> NewLink() {
    auto link = std::make_shared<HubLink>(shared_from_this());
    std::lock_guard lock(mu_);
    all_.push_back(link);
    return link;
  }

  std::shared_ptr<HubLink> Find(const std::string& session_id) const {
    std::lock_guard lock(mu_);
    auto it = by_session_.find(session_id);
    return it == by_session_.end() ? nullptr : it->second;
  }

  // LinkEvents (on I/O threads: queue the work).
  void OnRegister(const std::shared_ptr<HubLink>& link, Registration r) override {
    Post([this, link, r = std::move(r)] { Admit(link, r); });
  }
  void OnStatus(const std::string& session_id, StatusReport s) override {
    Post([this, session_id, s = std::move(s)] {
      options_.policy->OnAgentStatus(session_id, s.status, s.reason, s.ip);
    });
  }
  void OnLinkClosed(const std::shared_ptr<HubLink>& link, const std::string& session_id) override {
    if (session_id.empty()) return;
    {
      std::lock_guard lock(mu_);
      auto it = by_session_.find(session_id);
      if (it == by_session_.end() || it->second != link) return;  // replaced: not gone
      by_session_.erase(it);
    }
    spdlog::info("node agent of session {} disconnected", session_id);
    Post([this, session_id] { options_.policy->OnAgentGone(session_id); });
  }

 private:
  void Post(std::function<void()> f) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      work_.push_back(std::move(f));
    }
    cv_.notify_all();
  }

  void Work() {
    for (;;) {
      std::function<void()> f;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopped_ || !work_.empty(); });
        if (stopped_) return;
        f = std::move(work_.front());
        work_.pop_front();
      }
      f();
    }
  }

  void Admit(const std::shared_ptr<HubLink>& link, const Registration& r) {
    auto admission = options_.policy->Admit(r);
    if (!admission.ok()) {
      spdlog::warn("node agent for session {} (job {}, node {}) refused: {}", r.session_id,
                   r.job_id, r.node, admission.status().message());
      link->Close();
      return;
    }
    std::optional<std::string> spec;
    if (admission->spec) spec = EncodeSessionSpec(*admission->spec);
    std::shared_ptr<HubLink> replaced;
    {
      std::lock_guard lock(mu_);
      if (!link->Admitted(r.session_id, spec)) return;  // it closed meanwhile
      auto& slot = by_session_[r.session_id];
      replaced = std::move(slot);
      slot = link;
    }
    if (replaced) replaced->Close();
    spdlog::info("node agent for session {} registered (job {}, node {}{})", r.session_id,
                 r.job_id, r.node, spec ? ", spec sent" : "");
  }

  // Closes links that said nothing for too long (or never registered).
  void Reap() {
    const auto period = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(1000), std::max(options_.idle_timeout / 4, std::chrono::milliseconds(10)));
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, period, [this] { return stopped_; })) {
      std::vector<std::shared_ptr<HubLink>> idle;
      const auto now = Clock::now();
      std::erase_if(all_, [](const std::weak_ptr<HubLink>& w) { return w.expired(); });
      for (auto& w : all_) {
        auto l = w.lock();
        if (!l) continue;
        auto limit = l->registered() ? options_.idle_timeout
                                     : std::min(options_.idle_timeout, kRegisterTimeout);
        if (now - l->last_seen() > limit) idle.push_back(std::move(l));
      }
      lock.unlock();
      for (auto& l : idle) {
        spdlog::warn("node agent link of session '{}' idle; closing", l->session_id());
        l->Abandon();  // gone now, whether or not the peer answers the close
      }
      lock.lock();
    }
  }

  const AgentHubOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::map<std::string, std::shared_ptr<HubLink>> by_session_;
  std::vector<std::weak_ptr<HubLink>> all_;
  std::deque<std::function<void()>> work_;
  std::thread worker_, reaper_;
};

// The agent's answer to a one-shot request (kReply or kError).
Result<std::string> AwaitReply(HubLink& link, uint32_t id, HubStream& s,
                               std::chrono::milliseconds timeout) {
  auto f = s.Next(Clock::now() + timeout);
  link.Finish(id, /*abandon=*/!f.has_value());
  if (!f) {
    std::lock_guard lock(s.mu);
    if (!s.gone.ok()) return s.gone;
    return Unavailable("the node agent did not answer in time", "agent_unavailable");
  }
  if (f->type == FrameType::kError) return DecodeError(f->payload);
  if (f->type != FrameType::kReply) return Internal("the node agent answered out of turn");
  return std::move(f->payload);
}

// The agent's first answer to a stream that stays open (a terminal, an app
// connection): OK on kReply (data may follow at once, so nothing more is
// taken); otherwise the stream is abandoned and the error returned.
Status AwaitOpen(HubLink& link, uint32_t id, HubStream& s, Clock::time_point deadline,
                 const char* what) {
  auto f = s.Next(deadline);
  if (f && f->type == FrameType::kReply) return Status::Ok();
  link.Finish(id, /*abandon=*/true);
  if (f && f->type == FrameType::kError) return DecodeError(f->payload);
  std::lock_guard lock(s.mu);
  if (!s.gone.ok()) return s.gone;
  return Unavailable(std::string("the node agent did not ") + what + " in time", "agent_unavailable");
}

class Hub : public AgentHub {
 public:
  explicit Hub(AgentHubOptions o) : core_(std::make_shared<HubCore>(std::move(o))) { core_->Start(); }
  ~Hub() override { core_->Stop(); }

  std::unique_ptr<http::WebSocketSession> Accept() override {
    return core_->NewLink()->MakeSession();
  }

  bool Connected(const std::string& session_id) const override {
    return core_->Find(session_id) != nullptr;
  }

  Result<runtime::ExecResult> Exec(const std::string& session_id,
                                   const runtime::ExecOptions& options) override {
    auto link = core_->Find(session_id);
    if (!link) return NoAgent(session_id);
    BERTH_ASSIGN_OR_RETURN(auto opened, link->Open(FrameType::kExec, EncodeExecRequest(options)));
    auto [id, s] = opened;
    const auto deadline = options.timeout.count() > 0 ? Clock::now() + options.timeout + kExecGrace
                                                      : Clock::time_point::max();
    runtime::ExecResult out;
    bool aborted = false;
    for (;;) {
      auto f = s->Next(deadline);
      if (!f) {
        link->Finish(id, /*abandon=*/true);
        std::lock_guard lock(s->mu);
        if (!s->gone.ok()) return s->gone;
        return Unavailable("the node agent did not finish the exec in time", "agent_unavailable");
      }
      if (f->type == FrameType::kStdout || f->type == FrameType::kStderr) {
        const auto stream =
            f->type == FrameType::kStdout ? runtime::ExecStream::kStdout : runtime::ExecStream::kStderr;
        if (options.on_output) {
          if (!aborted && !options.on_output(stream, f->payload)) {
            aborted = true;
            link->Send(FrameType::kClose, id, "");  // the agent stops the command
          }
        } else {
          (stream == runtime::ExecStream::kStdout ? out.stdout_data : out.stderr_data) += f->payload;
        }
        link->Consumed(id, *s, f->payload.size());
        continue;
      }
      link->Finish(id, /*abandon=*/false);
      if (f->type == FrameType::kError) return DecodeError(f->payload);
      if (f->type != FrameType::kExit) return Internal("the node agent answered out of turn");
      BERTH_ASSIGN_OR_RETURN(auto r, DecodeExecResult(f->payload));
      r.stdout_data = std::move(out.stdout_data);
      r.stderr_data = std::move(out.stderr_data);
      r.aborted = r.aborted || aborted;
      return r;
    }
  }

  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string& session_id,
                                                            uint16_t cols, uint16_t rows) override {
    auto link = core_->Find(session_id);
    if (!link) return NoAgent(session_id);
    BERTH_ASSIGN_OR_RETURN(auto opened, link->Open(FrameType::kTty, EncodeTermSize({cols, rows})));
    auto [id, s] = opened;
    BERTH_RETURN_IF_ERROR(AwaitOpen(*link, id, *s, Clock::now() + kReplyTimeout, "open the terminal"));
    BERTH_ASSIGN_OR_RETURN(auto tty, RemoteTty::Start(link, id, s));
    return std::unique_ptr<runtime::TtyProcess>(std::move(tty));
  }

  Result<std::string> Logs(const std::string& session_id, size_t max_bytes) override {
    auto link = core_->Find(session_id);
    if (!link) return NoAgent(session_id);
    BERTH_ASSIGN_OR_RETURN(auto opened,
                           link->Open(FrameType::kLogs, EncodeNumber("max_bytes", max_bytes)));
    return AwaitReply(*link, opened.first, *opened.second, kReplyTimeout);
  }

  Result<apps::AppTarget> EnsureApp(const std::string& session_id, const images::AppSpec& app,
                                    bool start, bool restart) override {
    auto link = core_->Find(session_id);
    if (!link) return NoAgent(session_id);
    AppRequest req{start ? "ensure" : "state", app.name, restart};
    BERTH_ASSIGN_OR_RETURN(auto opened, link->Open(FrameType::kApp, EncodeAppRequest(req)));
    BERTH_ASSIGN_OR_RETURN(std::string reply,
                           AwaitReply(*link, opened.first, *opened.second, kReplyTimeout));
    return DecodeAppReport(reply);
  }

  Result<int> DialApp(const std::string& session_id, const std::string& app, uint16_t port,
                      std::chrono::milliseconds timeout) override {
    auto link = core_->Find(session_id);
    if (!link) return NoAgent(session_id);
    BERTH_ASSIGN_OR_RETURN(auto opened, link->Open(FrameType::kAppConnect,
                                                   EncodeAppConnect({app, port, timeout})));
    auto [id, s] = opened;
    BERTH_RETURN_IF_ERROR(
        AwaitOpen(*link, id, *s, Clock::now() + timeout + kReplyTimeout, "connect to the app"));
    return StartRemoteAppSocket(link, id, s);
  }

  Status Delete(const std::string& session_id, std::chrono::milliseconds timeout) override {
    auto link = core_->Find(session_id);
    if (!link) return Status::Ok();
    BERTH_ASSIGN_OR_RETURN(auto opened, link->Open(FrameType::kDelete, ""));
    auto r = AwaitReply(*link, opened.first, *opened.second, timeout);
    return r.ok() ? Status::Ok() : r.status();
  }

 private:
  std::shared_ptr<HubCore> core_;
};

}  // namespace

std::unique_ptr<AgentHub> MakeAgentHub(AgentHubOptions options) {
  return std::make_unique<Hub>(std::move(options));
}

}  // namespace berth::remote

#include "remote/node_agent.h"

#include <poll.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "remote/agent_streams.h"
#include "remote/frame.h"
#include "remote/messages.h"
#include "remote/ws_client.h"

namespace berth::remote {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What the connection's I/O thread hands the agent's own thread.
struct Mailbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Frame> frames;  // connection frames (kAdmit)
  bool closed = false;
  bool deleted = false;
  Clock::time_point last_heard = Clock::now();

  void Put(std::function<void(Mailbox&)> f) {
    {
      std::lock_guard lock(mu);
      f(*this);
    }
    cv.notify_all();
  }
};

bool StopRequested(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

// One connection: its client, its mailbox and its streams.
struct Connection {
  std::shared_ptr<Mailbox> box = std::make_shared<Mailbox>();
  std::shared_ptr<AgentStreams> streams;
  std::unique_ptr<WsClient> ws;

  bool Send(FrameType t, const std::string& payload) {
    return ws->Send(EncodeFrame(t, 0, payload));
  }
  void Report(const std::string& status, const std::string& reason = "", const std::string& ip = "") {
    Send(FrameType::kStatus, EncodeStatusReport({status, reason, ip}));
  }
  ~Connection() {
    if (streams) streams->Shutdown();
    ws.reset();  // closes and joins its I/O thread
  }
};

Result<std::unique_ptr<Connection>> Connect(const NodeAgentOptions& o) {
  auto c = std::make_unique<Connection>();
  const std::string id = o.registration.session_id;
  std::weak_ptr<Mailbox> weak_box = c->box;
  // The streams send through the client, which exists once Dial returned;
  // no stream frame can arrive before the registration was answered.
  Connection* raw = c.get();
  c->streams = std::make_shared<AgentStreams>(
      o.agent, id, [raw](std::string bytes) { return raw->ws && raw->ws->Send(std::move(bytes)); },
      [weak_box] {
        if (auto b = weak_box.lock()) b->Put([](Mailbox& m) { m.deleted = true; });
      });
  std::weak_ptr<AgentStreams> weak_streams = c->streams;
  WsClient::Callbacks cb;
  cb.on_message = [weak_box, weak_streams, id](std::string data) {
    auto box = weak_box.lock();
    if (!box) return;
    auto f = DecodeFrame(data);
    if (!f.ok()) {
      spdlog::warn("session {}: bad frame from the manager: {}", id, f.status().message());
      return;
    }
    box->Put([](Mailbox& m) { m.last_heard = Clock::now(); });
    if (f->type == FrameType::kPong) return;
    if (IsConnectionFrame(f->type)) {
      box->Put([&f](Mailbox& m) { m.frames.push_back(std::move(*f)); });
    } else if (auto s = weak_streams.lock()) {
      s->OnFrame(std::move(*f));
    }
  };
  cb.on_close = [weak_box] {
    if (auto b = weak_box.lock()) b->Put([](Mailbox& m) { m.closed = true; });
  };
  BERTH_ASSIGN_OR_RETURN(c->ws, WsClient::Dial(o.manager_url, o.manager_ca, milliseconds(10000), std::move(cb)));
  c->Send(FrameType::kRegister, EncodeRegistration(o.registration));
  return c;
}

enum class Outcome { kDeleted, kStopped, kDropped, kRefused };

class Runner {
 public:
  explicit Runner(const NodeAgentOptions& o) : o_(o), id_(o.registration.session_id) {}

  int Run() {
    auto lost_since = Clock::now();
    milliseconds backoff(250);
    for (;;) {
      if (StopRequested(o_.stop_fd)) return Finish(nullptr);
      auto conn = Connect(o_);
      if (conn.ok()) {
        Outcome out = Serve(**conn);
        if (out == Outcome::kDeleted) return 0;
        if (out == Outcome::kStopped) return Finish(conn->get());
        if (out == Outcome::kRefused) {
          spdlog::error("session {}: the manager refused this agent's registration", id_);
          return created_ ? Finish(nullptr, 1) : 1;
        }
        lost_since = Clock::now();
        backoff = milliseconds(250);
        spdlog::warn("session {}: connection to the manager lost; reconnecting", id_);
      } else {
        spdlog::warn("session {}: {}", id_, conn.status().message());
      }
      if (Clock::now() - lost_since > o_.reconnect_budget) {
        spdlog::error("session {}: the manager stayed unreachable; stopping the session", id_);
        return Finish(nullptr, 1);
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, milliseconds(4000));
    }
  }

 private:
  // Deletes the container (if this agent made or adopted one) and reports
  // `terminated` on `conn` if there is one.
  int Finish(Connection* conn, int rc = 0) {
    if (Status st = o_.agent->Delete(id_); !st.ok()) {
      spdlog::error("session {}: delete: {}", id_, st.message());
      rc = 1;
    }
    if (conn) {
      conn->Report("terminated");
      conn->ws->Close();
    }
    return rc;
  }

  Outcome Serve(Connection& c) {
    Mailbox& box = *c.box;
    bool admitted = false;
    auto next_ping = Clock::now() + o_.ping_interval;
    for (;;) {
      std::optional<Frame> frame;
      bool closed, deleted;
      Clock::time_point last_heard;
      {
        std::unique_lock lock(box.mu);
        box.cv.wait_for(lock, milliseconds(200),
                        [&box] { return !box.frames.empty() || box.closed || box.deleted; });
        if (!box.frames.empty()) {
          frame = std::move(box.frames.front());
          box.frames.pop_front();
        }
        closed = box.closed;
        deleted = box.deleted;
        last_heard = box.last_heard;
      }
      if (deleted) {
        c.Report("terminated");
        c.ws->Close();
        return Outcome::kDeleted;
      }
      if (frame && frame->type == FrameType::kAdmit && !admitted) {
        admitted = true;
        Admit(c, frame->payload);
        continue;
      }
      if (closed) return admitted ? Outcome::kDropped : Outcome::kRefused;
      if (StopRequested(o_.stop_fd)) return Outcome::kStopped;
      const auto now = Clock::now();
      if (now - last_heard > o_.dead_after) {
        c.ws->Close();
        return admitted ? Outcome::kDropped : Outcome::kRefused;
      }
      if (now >= next_ping) {
        c.Send(FrameType::kPing, "");
        next_ping = now + o_.ping_interval;
      }
    }
  }

  void Admit(Connection& c, const std::string& payload) {
    auto admission = DecodeAdmission(payload);
    if (!admission.ok()) {
      c.Report("error", admission.status().message());
      return;
    }
    if (!*admission) {  // re-registration: the container should be there
      c.Report(created_ ? "running" : "error", created_ ? "" : "no container on this node",
               o_.agent->AddressOf(id_));
      return;
    }
    c.Report("creating");
    auto spec = DecodeSessionSpec(**admission);
    if (spec.ok() && spec->id != id_) {
      spec = InvalidArgument("the spec is for session " + spec->id + ", not " + id_);
    }
    if (!spec.ok()) {
      spdlog::error("session {}: {}", id_, spec.status().message());
      c.Report("error", spec.status().message());
      return;
    }
    auto info = o_.agent->Create(*spec);
    if (!info.ok()) {
      spdlog::error("session {}: create: {}", id_, info.status().message());
      c.Report("error", info.status().message());
      return;
    }
    created_ = true;
    spdlog::info("session {}: container running ({})", id_, info->ip);
    c.Report("running", "", info->ip);
  }

  const NodeAgentOptions& o_;
  const std::string id_;
  bool created_ = false;
};

}  // namespace

int RunNodeAgent(const NodeAgentOptions& options) { return Runner(options).Run(); }

}  // namespace berth::remote

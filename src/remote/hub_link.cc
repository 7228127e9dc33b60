#include "remote/hub_link.h"

#include <spdlog/spdlog.h>

namespace berth::remote {
namespace {

constexpr size_t kMaxStreams = 256;  // per connection

int64_t NowNs() {
  return std::chrono::steady_clock::now().time_since_epoch() / std::chrono::nanoseconds(1);
}

Status LinkGone() { return Unavailable("the node agent disconnected", "agent_unavailable"); }

}  // namespace

std::optional<Frame> HubStream::Next(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu);
  cv.wait_until(lock, deadline, [this] { return !inbox.empty() || !gone.ok(); });
  if (inbox.empty()) return std::nullopt;
  Frame f = std::move(inbox.front());
  inbox.pop_front();
  return f;
}

// The object the HTTP server owns; the link outlives it while streams use it.
class HubLink::Session : public http::WebSocketSession {
 public:
  explicit Session(std::shared_ptr<HubLink> link) : link_(std::move(link)) {}
  void OnOpen(std::shared_ptr<http::WebSocketSender> sender) override { link_->OnOpen(std::move(sender)); }
  Next OnMessage(bool binary, std::string data) override {
    return link_->OnMessage(binary, std::move(data));
  }
  void OnClose() override { link_->OnClose(); }

 private:
  std::shared_ptr<HubLink> link_;
};

HubLink::HubLink(std::shared_ptr<LinkEvents> events)
    : events_(std::move(events)), last_seen_ns_(NowNs()) {}

std::unique_ptr<http::WebSocketSession> HubLink::MakeSession() {
  return std::make_unique<Session>(shared_from_this());
}

void HubLink::OnOpen(std::shared_ptr<http::WebSocketSender> sender) {
  std::lock_guard lock(mu_);
  sender_ = std::move(sender);
}

http::WebSocketSession::Next HubLink::OnMessage(bool binary, std::string data) {
  using Next = http::WebSocketSession::Next;
  last_seen_ns_ = NowNs();
  auto frame = binary ? DecodeFrame(data) : Result<Frame>(InvalidArgument("text message"));
  std::unique_lock lock(mu_);
  if (!frame.ok()) {
    spdlog::warn("agent link {}: {}; closing", session_id_, frame.status().message());
    sender_->Close(http::WebSocketClose::kBadPayload);
    return Next::kContinue;
  }
  switch (state_) {
    case State::kNew: {
      auto reg = frame->type == FrameType::kRegister ? DecodeRegistration(frame->payload)
                                                     : Result<Registration>(InvalidArgument(
                                                           "the first frame must register"));
      if (!reg.ok()) {
        spdlog::warn("agent link: {}; closing", reg.status().message());
        sender_->Close(http::WebSocketClose::kBadPayload);
        return Next::kContinue;
      }
      state_ = State::kAdmitting;
      lock.unlock();
      events_->OnRegister(shared_from_this(), std::move(*reg));
      return Next::kPause;  // until Admitted
    }
    case State::kAdmitting:
    case State::kClosed:
      return Next::kContinue;
    case State::kRegistered:
      break;
  }
  if (frame->type == FrameType::kPing) {
    sender_->SendBinary(EncodeFrame(FrameType::kPong, 0, ""));
    return Next::kContinue;
  }
  if (frame->type == FrameType::kStatus) {
    auto s = DecodeStatusReport(frame->payload);
    const std::string id = session_id_;
    lock.unlock();
    if (s.ok()) {
      events_->OnStatus(id, std::move(*s));
    } else {
      spdlog::warn("agent link {}: {}", id, s.status().message());
    }
    return Next::kContinue;
  }
  if (IsConnectionFrame(frame->type)) {
    spdlog::warn("agent link {}: unexpected {} frame; closing", session_id_,
                 FrameTypeName(frame->type));
    sender_->Close(http::WebSocketClose::kBadPayload);
    return Next::kContinue;
  }
  lock.unlock();
  OnStreamFrame(std::move(*frame));
  return Next::kContinue;
}

void HubLink::OnStreamFrame(Frame f) {
  std::shared_ptr<HubStream> s;
  {
    std::lock_guard lock(mu_);
    auto it = streams_.find(f.stream);
    if (it == streams_.end()) return;  // finished here already: late frames are dropped
    s = it->second;
  }
  std::unique_lock lock(s->mu);
  if (f.type == FrameType::kWindow) {
    s->send.Grant(DecodeCredit(f));
  } else if (IsDataFrame(f.type) && !s->recv.OnData(f.payload.size())) {
    s->gone = ResourceExhausted("the node agent overran the stream's window", "agent_protocol");
    lock.unlock();
    s->cv.notify_all();
    if (s->wake) s->wake();
    Finish(f.stream, /*abandon=*/true);
    return;
  } else if (f.type == FrameType::kClose) {
    s->gone = Unavailable("the node agent closed the stream", "agent_unavailable");
  } else {
    s->inbox.push_back(std::move(f));
  }
  if (s->wake) s->wake();
  lock.unlock();
  s->cv.notify_all();
}

void HubLink::OnClose() {
  std::map<uint32_t, std::shared_ptr<HubStream>> streams;
  std::string id;
  {
    std::lock_guard lock(mu_);
    if (state_ == State::kClosed) return;
    if (state_ == State::kRegistered) id = session_id_;
    state_ = State::kClosed;
    streams.swap(streams_);
  }
  for (auto& [_, s] : streams) {
    {
      std::lock_guard lock(s->mu);
      s->gone = LinkGone();
      if (s->wake) s->wake();
    }
    s->send.Close();
    s->cv.notify_all();
  }
  events_->OnLinkClosed(shared_from_this(), id);
}

bool HubLink::Admitted(const std::string& session_id, const std::optional<std::string>& spec_json) {
  std::lock_guard lock(mu_);
  if (state_ != State::kAdmitting) return false;
  state_ = State::kRegistered;
  session_id_ = session_id;
  sender_->SendBinary(EncodeFrame(FrameType::kAdmit, 0, EncodeAdmission(spec_json)));
  sender_->ResumeReading();
  return true;
}

void HubLink::Close() {
  std::lock_guard lock(mu_);
  if (sender_ && state_ != State::kClosed) sender_->Close();
}

void HubLink::Abandon() {
  Close();
  OnClose();
}

Result<std::pair<uint32_t, std::shared_ptr<HubStream>>> HubLink::Open(FrameType type,
                                                                      const std::string& payload) {
  std::lock_guard lock(mu_);
  if (state_ != State::kRegistered) return LinkGone();
  if (streams_.size() >= kMaxStreams) {
    return ResourceExhausted("too many requests to this session's node agent at once",
                             "agent_busy");
  }
  uint32_t id = next_stream_++;
  if (next_stream_ == 0) next_stream_ = 1;
  auto s = std::make_shared<HubStream>();
  streams_[id] = s;
  sender_->SendBinary(EncodeFrame(type, id, payload));
  return std::make_pair(id, s);
}

bool HubLink::Send(FrameType type, uint32_t stream, std::string payload) {
  std::lock_guard lock(mu_);
  if (state_ != State::kRegistered) return false;
  sender_->SendBinary(EncodeFrame(type, stream, payload));
  return true;
}

void HubLink::Consumed(uint32_t stream, HubStream& s, size_t n) {
  uint32_t credit;
  {
    std::lock_guard lock(s.mu);
    credit = s.recv.OnConsumed(n);
  }
  if (credit > 0) Send(FrameType::kWindow, stream, EncodeCredit(credit));
}

void HubLink::Finish(uint32_t stream, bool abandon) {
  std::lock_guard lock(mu_);
  if (streams_.erase(stream) == 0) return;
  if (abandon && state_ == State::kRegistered) {
    sender_->SendBinary(EncodeFrame(FrameType::kClose, stream, ""));
  }
}

std::string HubLink::session_id() const {
  std::lock_guard lock(mu_);
  return session_id_;
}

bool HubLink::registered() const {
  std::lock_guard lock(mu_);
  return state_ == State::kRegistered;
}

std::chrono::steady_clock::time_point HubLink::last_seen() const {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(last_seen_ns_.load()));
}

}  // namespace berth::remote

// EventStream: the /events response body (SPEC §5, server-sent events) for
// one subscriber. A LiveBodySource, so an idle stream holds no worker
// thread; a comment line after each quiet kLiveBodyIdle keeps proxies from
// closing it. Unsubscribes when destroyed. Thread-safety: as LiveBodySource.
#pragma once

#include <memory>
#include <string>

#include "http/request.h"
#include "manager/event_bus.h"

namespace berth::manager {

class EventStream : public http::LiveBodySource {
 public:
  EventStream(EventBus& bus, std::shared_ptr<EventBus::Subscription> sub)
      : bus_(bus), sub_(std::move(sub)) {}
  ~EventStream() override;

  bool TryRead(std::string& out) override;
  std::string Heartbeat() override { return ": keep-alive\n\n"; }
  void SetWaker(std::function<void()> wake) override { sub_->SetWaker(std::move(wake)); }

 private:
  EventBus& bus_;
  std::shared_ptr<EventBus::Subscription> sub_;
};

}  // namespace berth::manager

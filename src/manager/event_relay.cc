#include "manager/event_relay.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace berth::manager {

std::string EventRelay::Encode(const Event& e) {
  return nlohmann::json{{"type", e.type}, {"user_id", e.user_id}, {"data", e.data}}.dump();
}

std::optional<Event> EventRelay::Decode(const std::string& payload) {
  auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto text = [&](const char* key) -> const std::string* {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  const std::string *type = text("type"), *user = text("user_id"), *data = text("data");
  if (!type || !user || !data) return std::nullopt;
  return Event{*type, *user, *data};
}

Status EventRelay::Start() {
  BERTH_RETURN_IF_ERROR(coordination_.Listen([this](const std::string& payload) {
    auto e = Decode(payload);
    if (!e) {
      spdlog::warn("event relay: ignoring a malformed event from another manager");
      return;
    }
    bus_.Deliver(*e);
  }));
  bus_.SetForwarder([this](const Event& e) {
    if (Status st = coordination_.Broadcast(Encode(e)); !st.ok()) {
      spdlog::warn("event relay: {} event not sent to the other managers: {}", e.type, st.message());
    }
  });
  return Status::Ok();
}

void EventRelay::Stop() { coordination_.Stop(); }

}  // namespace berth::manager

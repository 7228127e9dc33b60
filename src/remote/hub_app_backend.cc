#include "remote/hub_app_backend.h"

namespace berth::remote {

apps::AppState HubAppBackend::State(const std::string& session_id, const std::string& app) {
  images::AppSpec spec;
  spec.name = app;
  auto t = hub_->EnsureApp(session_id, spec, /*start=*/false, /*restart=*/false);
  return t.ok() ? t->state : apps::AppState::kStopped;
}

Result<apps::AppTarget> HubAppBackend::Ensure(const std::string& session_id,
                                              const images::AppSpec& app, bool restart) {
  return hub_->EnsureApp(session_id, app, /*start=*/true, restart);
}

Result<int> HubAppBackend::Dial(const std::string& session_id, const std::string& app,
                                const apps::AppTarget& target, std::chrono::milliseconds timeout) {
  return hub_->DialApp(session_id, app, target.port, timeout);
}

}  // namespace berth::remote

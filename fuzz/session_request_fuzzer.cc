// Fuzzes the POST /api/v1/sessions body: ParseSessionRequest
// (src/manager/rest/session_request_json.h) and the one validator behind it.
// A refusal must be InvalidArgument; an accepted request must obey the rules
// src/agent/session_request.h promises, since nothing checks them again.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "agent/session_request.h"
#include "http/request.h"
#include "manager/rest/session_request_json.h"

using berth::agent::SessionRequest;

namespace {

void CheckAccepted(const SessionRequest& r) {
  if (r.name && !berth::agent::IsValidSessionName(*r.name)) std::abort();
  if (r.mounts.size() > berth::agent::kMaxMounts) std::abort();
  if (r.resources.cpu && !(*r.resources.cpu > 0 && *r.resources.cpu <= berth::agent::kMaxCpus)) {
    std::abort();
  }
  if (r.resources.memory_bytes && (*r.resources.memory_bytes < berth::agent::kMinMemoryBytes ||
                                   *r.resources.memory_bytes > berth::agent::kMaxMemoryBytes)) {
    std::abort();
  }
  for (const auto& [k, v] : r.env) {
    if (k.empty() || k.size() > berth::agent::kMaxEnvKeyBytes || k.rfind("BERTH_", 0) == 0) {
      std::abort();
    }
    if (v.size() > berth::agent::kMaxEnvValueBytes || v.find('\0') != std::string::npos) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  berth::http::Request req;
  req.method = "POST";
  req.body.assign(reinterpret_cast<const char*>(data), size);
  auto r = berth::manager::ParseSessionRequest(req);
  if (!r.ok()) {
    if (r.status().code() != berth::Code::kInvalidArgument) std::abort();
    return 0;
  }
  CheckAccepted(r->get());
  return 0;
}

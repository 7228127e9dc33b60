// Fuzzes the strict JSON body helpers every REST handler uses
// (src/manager/rest/handler_util.h): ParseJsonObject with the field lists the
// handlers pass, then the typed field readers on every allowed field. A
// result must be a value or an InvalidArgument, never an exception or a
// sanitizer report.
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#include "manager/rest/handler_util.h"

using berth::manager::BoolField;
using berth::manager::ParseJsonObject;
using berth::manager::StringField;
using berth::manager::UintField;

namespace {

// Every field named by a handler's ParseJsonObject call (folders, files,
// shares, users, tokens, account, images, exec).
constexpr std::initializer_list<std::string_view> kFields = {
    "name", "volume", "quota_bytes", "path", "parents", "src", "dst", "user", "password",
    "permission", "label", "role", "sudo_allowed", "uid", "gid", "recipe", "replace",
    "command", "stdin", "timeout_s", "env"};

template <typename R>
void CheckRefusal(const R& r) {
  if (!r.ok() && r.status().code() != berth::Code::kInvalidArgument) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  berth::http::Request req;
  req.body.assign(reinterpret_cast<const char*>(data), size);
  auto j = ParseJsonObject(req, kFields);
  CheckRefusal(j);
  if (!j.ok()) return 0;
  for (std::string_view f : kFields) {
    std::string key(f);
    CheckRefusal(StringField(*j, key.c_str(), false));
    CheckRefusal(StringField(*j, key.c_str(), true));
    CheckRefusal(BoolField(*j, key.c_str()));
    CheckRefusal(UintField(*j, key.c_str()));
  }
  return 0;
}

// Principal: the authenticated caller of one request.
#pragma once

#include <cstdint>
#include <string>

namespace berth::manager {

struct Principal {
  std::string user_id;
  std::string name;
  std::string role;  // "superadmin" | "user"
  bool sudo_allowed = false;
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  // Set when the caller signed in with the browser cookie: the token that
  // state-changing requests must echo in X-CSRF-Token.
  std::string csrf_token;

  bool is_superadmin() const { return role == "superadmin"; }
};

}  // namespace berth::manager

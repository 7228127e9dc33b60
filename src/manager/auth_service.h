// AuthService: who is calling. Creates the first superadmin, issues and
// checks API tokens. Thread-safe (state lives in the Store).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/result.h"
#include "manager/principal.h"
#include "store/store.h"

namespace berth::manager {

struct IssuedToken {
  std::string id;
  std::string secret;  // shown once, never stored
};

class AuthService {
 public:
  explicit AuthService(store::Store& store) : store_(store) {}

  // On a store with no users: creates superadmin "admin" and writes a new API
  // token to `token_path` (mode 0600). With users but no readable token file,
  // writes a fresh admin token (so the local CLI keeps working). Returns the
  // token that is now in the file.
  Result<std::string> Bootstrap(const std::string& token_path);

  // Resolves "Authorization: Bearer <token>". Unauthenticated when missing,
  // malformed or unknown.
  Result<Principal> AuthenticateBearer(std::string_view authorization_header);

  Result<IssuedToken> CreateToken(const std::string& user_id, const std::string& label);
  Result<std::vector<api::Token>> ListTokens(const std::string& user_id);
  Status RevokeToken(const std::string& user_id, const std::string& token_id);

  static Principal ToPrincipal(const store::UserRecord& u);

 private:
  store::Store& store_;
};

}  // namespace berth::manager

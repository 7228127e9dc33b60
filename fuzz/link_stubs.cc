// Link stubs for berth_fuzz_manager: handler_util.cc's Authed* adapters call
// Authenticate (rest/auth_http.cc), which would pull in the AuthService, the
// store and SQLite. No harness reaches those adapters; reaching one is a bug
// in the harness, so the stub aborts.
#include <cstdio>
#include <cstdlib>

#include "manager/rest/auth_http.h"

namespace berth::manager {

Result<Principal> Authenticate(AuthService&, const http::Request&, bool) {
  std::fputs("fuzz: Authenticate is not linked into the fuzz build\n", stderr);
  std::abort();
}

}  // namespace berth::manager
